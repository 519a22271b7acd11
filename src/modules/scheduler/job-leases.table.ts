/** One lease per scheduled job (migration 0007a). */
export interface JobLeasesTable {
  job_name: string;
  holder: string;
  expires_at: number;
  fence: number;
  last_run_at: number | null;
}
