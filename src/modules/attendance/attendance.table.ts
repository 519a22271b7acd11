import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/** A column with a database default: optional when a row is inserted. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export const REVIEW_STATES = ['none', 'pending', 'accepted', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const ATTENDANCE_STATUSES = ['present', 'late', 'absent', 'excused'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

export interface AttendanceRecordsTable {
  record_id: string;
  org_id: string;
  session_id: string;
  user_id: string;
  check_in_time: number | null;
  check_out_time: number | null;
  check_in_lat: number | null;
  check_in_lon: number | null;
  check_in_accuracy: number | null;
  check_out_lat: number | null;
  check_out_lon: number | null;
  distance_m: number | null;
  status: AttendanceStatus;
  notes: string | null;
  marked_by: string | null;
  created_at: number;
  updated_at: number;
  /** Flag names joined by commas ('' = none): see record-flags.ts. */
  flags: Defaulted<string>;
  review_state: Defaulted<ReviewState>;
  /** HMAC-SHA256(SECRET_KEY, device_id) in hex; never the device id itself. */
  device_hash: Defaulted<string | null>;
}
export interface ScanTicketUsesTable {
  ticket_id: string;
  session_id: string;
  used_at: number;
}
export interface AttendanceRecordChangesTable {
  change_id: string;
  record_id: string;
  org_id: string;
  changed_by: string | null;
  changed_at: number;
  action: string;
  old_status: string | null;
  new_status: string | null;
  old_notes: string | null;
  new_notes: string | null;
}
export interface IdempotencyKeysTable {
  user_id: string;
  idem_key: string;
  route: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: number;
}
export type AttendanceRecordRow = Selectable<AttendanceRecordsTable>;
export type NewAttendanceRecordRow = Insertable<AttendanceRecordsTable>;
export type AttendanceRecordUpdate = Omit<
  Updateable<AttendanceRecordsTable>,
  'record_id' | 'org_id' | 'session_id' | 'user_id' | 'created_at'
>;
export type RecordChangeRow = Selectable<AttendanceRecordChangesTable>;
export type NewRecordChangeRow = Insertable<AttendanceRecordChangesTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
