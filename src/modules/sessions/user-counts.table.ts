/** Per-user counts per UTC month (migration 0012), written only by user-counts.repository.ts. */
export interface UserAttendanceMonthsTable {
  org_id: string;
  user_id: string;
  /** The first instant of the UTC month of the sessions' start (src/lib/utc-months.ts). */
  month_start: number;
  /** The user's records in closed, active sessions starting in the month. */
  sessions: number;
  /** Of those, present or late. */
  attended: number;
}

/** An organization whose months were built in full from its records (null: not yet, or being rebuilt). */
export interface UserAttendanceOrgsTable {
  org_id: string;
  built_at: number | null;
}
