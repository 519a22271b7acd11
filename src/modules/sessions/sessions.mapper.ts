import type { GeoJsonPolygon } from '../../lib/geo.js';
import { toIso } from '../../lib/time.js';
import type { SessionWithTeachers } from './sessions.repository.js';
import type { PublicSessionDto, SessionDto } from './sessions.schemas.js';
import type { AttendanceSessionRow } from './sessions.table.js';

export const parseGeofence = (text: string | null): GeoJsonPolygon | null =>
  text === null ? null : (JSON.parse(text) as GeoJsonPolygon);

/**
 * The API face of an attendance session. The static check-in code is included only for those who
 * run the session (its teachers, admins): a student who could read it would not need to be in the
 * room, and neither would a friend of another teacher's. The rotating secret never leaves.
 */
export function toSessionDto(
  s: AttendanceSessionRow,
  opts: { withCode: boolean },
): PublicSessionDto & { code?: string | null } {
  const dto: PublicSessionDto & { code?: string | null } = {
    session_id: s.session_id,
    org_id: s.org_id,
    session_name: s.session_name,
    description: s.description,
    start_time: toIso(s.start_time),
    end_time: toIso(s.end_time),
    timezone: s.timezone,
    group_id: s.group_id,
    location_lat: s.location_lat,
    location_lon: s.location_lon,
    location_radius: s.location_radius,
    geofence: parseGeofence(s.geofence),
    late_after_minutes: s.late_after_minutes,
    checkin_opens_minutes: s.checkin_opens_minutes,
    require_code: s.code_mode !== 'none',
    code_mode: s.code_mode,
    code_period_seconds: s.code_period_seconds,
    boundary_policy: s.boundary_policy,
    series_id: s.series_id,
    series_detached: Boolean(s.series_detached),
    created_by: s.created_by,
    created_at: toIso(s.created_at),
    updated_at: toIso(s.updated_at),
    closed_at: s.closed_at === null ? null : toIso(s.closed_at),
    is_active: Boolean(s.is_active),
  };
  if (opts.withCode) dto.code = s.code_mode === 'static' ? s.code : null;
  return dto;
}

/** The staff view: with the session's teachers; the code only for those who run the session. */
export function toStaffSessionDto(s: SessionWithTeachers, opts: { withCode: boolean }): SessionDto {
  return Object.assign(toSessionDto(s, opts), { teacher_ids: s.teacher_ids });
}
