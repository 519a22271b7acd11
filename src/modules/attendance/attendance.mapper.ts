import { toIso } from '../../lib/time.js';
import type { RecordDto } from './attendance.schemas.js';
import type { AttendanceRecordRow, RecordChangeRow } from './attendance.table.js';
import { parseFlags } from './record-flags.js';

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/** The original service's `location` (check-in position); null when no coordinates were stored. */
const locationOf = (r: AttendanceRecordRow) =>
  r.check_in_lat === null || r.check_in_lon === null ? null : { lat: r.check_in_lat, lon: r.check_in_lon };

export function toRecordDto(r: AttendanceRecordRow): RecordDto {
  return {
    record_id: r.record_id,
    session_id: r.session_id,
    user_id: r.user_id,
    check_in_time: isoOrNull(r.check_in_time),
    check_out_time: isoOrNull(r.check_out_time),
    check_in_lat: r.check_in_lat,
    check_in_lon: r.check_in_lon,
    check_in_accuracy: r.check_in_accuracy,
    check_out_lat: r.check_out_lat,
    check_out_lon: r.check_out_lon,
    location: locationOf(r),
    distance_m: r.distance_m,
    status: r.status,
    notes: r.notes,
    marked_by: r.marked_by,
    created_at: toIso(r.created_at),
    updated_at: toIso(r.updated_at),
    duration_minutes:
      r.check_in_time !== null && r.check_out_time !== null
        ? Math.max(0, Math.round((r.check_out_time - r.check_in_time) / 60_000))
        : null,
    flags: parseFlags(r.flags),
    review_state: r.review_state,
  };
}

export function toRecordChangeDto(c: RecordChangeRow & { changed_by_name: string | null }) {
  return {
    change_id: c.change_id,
    record_id: c.record_id,
    action: c.action,
    changed_by: c.changed_by,
    changed_by_name: c.changed_by_name,
    changed_at: toIso(c.changed_at),
    old_status: c.old_status,
    new_status: c.new_status,
    old_notes: c.old_notes,
    new_notes: c.new_notes,
  };
}
