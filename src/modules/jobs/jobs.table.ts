import type { Selectable } from 'kysely';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobsTable {
  job_id: string;
  org_id: string;
  created_by: string;
  kind: string;
  state: JobState;
  progress_done: number;
  progress_total: number;
  /** JSON; generated passwords are erased after the creator's first read of a done job. */
  result: string | null;
  result_read_at: number | null;
  error: string | null;
  /** Heartbeat: a running job touches it at least every few seconds; a stale one died with its process. */
  updated_at: number;
  created_at: number;
  finished_at: number | null;
}
export type JobRow = Selectable<JobsTable>;
