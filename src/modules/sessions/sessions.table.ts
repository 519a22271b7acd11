import type { Insertable, Selectable } from 'kysely';

/** An attendance session (a lecture, a shift). Not to be confused with login sessions (`user_sessions`). */
export interface AttendanceSessionsTable {
  session_id: string;
  org_id: string;
  session_name: string;
  description: string | null;
  start_time: number;
  end_time: number;
  timezone: string;
  group_id: string | null;
  location_lat: number | null;
  location_lon: number | null;
  location_radius: number | null;
  /** GeoJSON Polygon as JSON text, or null for a circle / no location. */
  geofence: string | null;
  late_after_minutes: number | null;
  checkin_opens_minutes: number;
  require_code: number;
  code: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  is_active: number;
}
export type AttendanceSessionRow = Selectable<AttendanceSessionsTable>;
export type NewAttendanceSessionRow = Insertable<AttendanceSessionsTable>;
