import type { ColumnType, Selectable } from 'kysely';

/** A recurring schedule of attendance sessions; its sessions are rows of attendance_sessions. */
export interface SessionSeriesTable {
  series_id: string;
  org_id: string;
  session_name: string;
  description: string | null;
  group_id: string | null;
  /** JSON array of user ids: who runs the series (and, by default, its sessions). */
  teacher_ids: string;
  /** ISO weekdays, comma separated ("1,3"; 1 = Monday). */
  weekdays: string;
  start_date: string;
  end_date: string;
  start_local: string;
  end_local: string;
  interval_weeks: number;
  /** JSON array of YYYY-MM-DD. */
  skip_dates: string;
  timezone: string;
  /** JSON object: the session settings given (location, radius, codes, policies…). */
  settings: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  is_active: ColumnType<number, number | undefined, number>;
}
export type SessionSeriesRow = Selectable<SessionSeriesTable>;
