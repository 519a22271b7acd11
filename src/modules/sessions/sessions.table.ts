import type { ColumnType, Insertable, Selectable } from 'kysely';
import type { Static } from 'typebox';
import type { CodeModeSchema } from './sessions.schemas.js';

/** Written only by session-counts.repository.ts; optional when a session is created. */
type SessionCount = ColumnType<number | null, number | null | undefined, number | null>;
/** A column with a database default: optional when a row is inserted. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** The column holds what the API accepts: one source, the schema (no hand-written twin). */
export type CodeMode = Static<typeof CodeModeSchema>;
export type BoundaryPolicy = 'flag' | 'reject';

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
  code_mode: Defaulted<CodeMode>;
  code_period_seconds: Defaulted<number>;
  /** Hex of the rotating code's 32 random bytes; never leaves the server. */
  code_secret: Defaulted<string | null>;
  /** null: the organization's policy. */
  boundary_policy: Defaulted<BoundaryPolicy | null>;
  /** The series (session_series) this session belongs to, or null. */
  series_id: Defaulted<string | null>;
  /** 1 once the session was edited on its own: edits of its series leave it alone. */
  series_detached: Defaulted<number>;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  is_active: number;
  /** Records by status, counted at close and after each correction; null until counted. */
  present_count: SessionCount;
  late_count: SessionCount;
  absent_count: SessionCount;
  excused_count: SessionCount;
}
export type AttendanceSessionRow = Selectable<AttendanceSessionsTable>;
export type NewAttendanceSessionRow = Insertable<AttendanceSessionsTable>;

/** "The session's teachers" (API.md Part 2): who runs a session besides the org's admins. */
export interface SessionTeachersTable {
  session_id: string;
  user_id: string;
  org_id: string;
}
