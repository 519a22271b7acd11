/**
 * Turns a create or update body into the stored columns, merged over the current row for an update,
 * so every rule (end after start, location pairs, radius default) is checked on the result that
 * will be stored. All problems are reported in one 400.
 */
import { randomInt } from 'node:crypto';
import { type FieldError, validationError } from '../../lib/errors.js';
import { validatePolygon } from '../../lib/geo.js';
import {
  CALENDAR_RANGE_TEXT,
  inCalendarRange,
  isValidTimeZone,
  parseInstantDetailed,
} from '../../lib/time.js';
import type { UpdateSessionInput } from './sessions.schemas.js';
import type { AttendanceSessionRow } from './sessions.table.js';

export type SessionFields = Pick<
  AttendanceSessionRow,
  | 'session_name'
  | 'description'
  | 'start_time'
  | 'end_time'
  | 'timezone'
  | 'group_id'
  | 'location_lat'
  | 'location_lon'
  | 'location_radius'
  | 'geofence'
  | 'late_after_minutes'
  | 'checkin_opens_minutes'
  | 'require_code'
  | 'code'
>;

export interface InputContext {
  /** Zone for naive times when neither the body nor the stored session names one. */
  orgTimezone: string;
  /** org.default_geofence_radius ?? config.defaultGeofenceRadius */
  defaultRadius: number;
}

const DEFAULT_CHECKIN_OPENS_MINUTES = 15;

/** A 6-digit code for sessions that require one but were given none. */
const generateCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** `body[key]` when the client sent the key (null included), else the stored value. */
function pick<K extends keyof UpdateSessionInput & keyof AttendanceSessionRow>(
  body: UpdateSessionInput,
  current: AttendanceSessionRow | undefined,
  key: K,
): UpdateSessionInput[K] | AttendanceSessionRow[K] | undefined {
  return body[key] !== undefined ? body[key] : current?.[key];
}

export function resolveSessionFields(
  body: UpdateSessionInput,
  current: AttendanceSessionRow | undefined,
  ctx: InputContext,
): SessionFields {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });

  const name = body.session_name?.trim();
  if (name === '') fail('session_name', 'must not be blank');
  if (body.timezone !== undefined && !isValidTimeZone(body.timezone)) {
    fail('timezone', 'must be an IANA time zone name such as Europe/Paris');
  }
  const timezone = body.timezone ?? current?.timezone ?? ctx.orgTimezone;
  const readTime = (field: 'start_time' | 'end_time'): number | null => {
    const raw = body[field];
    if (raw === undefined) return current ? current[field] : null;
    if (!isValidTimeZone(timezone)) return null; // the timezone error says it all
    const parsed = parseInstantDetailed(raw, timezone);
    if (parsed === null) fail(field, 'must be an ISO 8601 date-time such as 2025-07-05T09:00:00');
    else if (!inCalendarRange(parsed.ms)) fail(field, `must lie in ${CALENDAR_RANGE_TEXT}`);
    // Never move a time silently: a wall time skipped by the clock change is refused (issue 17.8).
    else if (parsed.inGap)
      fail(
        field,
        `does not exist in ${timezone}: the clocks skip it (DST gap); give a time outside the gap or an offset`,
      );
    else return parsed.ms;
    return null;
  };
  const start = readTime('start_time');
  const end = readTime('end_time');
  if (start !== null && end !== null && end <= start) fail('end_time', 'must be after start_time');

  const lat = pick(body, current, 'location_lat') ?? null;
  const lon = pick(body, current, 'location_lon') ?? null;
  if (lat === null && lon !== null) fail('location_lat', 'is required together with location_lon');
  if (lon === null && lat !== null) fail('location_lon', 'is required together with location_lat');

  let geofence: string | null = current?.geofence ?? null;
  if (body.geofence !== undefined) {
    const problem = body.geofence === null ? null : validatePolygon(body.geofence);
    if (problem) fail('geofence', problem);
    geofence =
      body.geofence === null
        ? null
        : JSON.stringify({ type: 'Polygon', coordinates: body.geofence.coordinates });
  }

  const hasCircle = lat !== null && lon !== null;
  let radius = pick(body, current, 'location_radius') ?? null;
  if (body.location_radius != null && lat === null && lon === null) {
    fail('location_radius', 'needs location_lat and location_lon');
  }
  if (hasCircle && radius === null) radius = ctx.defaultRadius;
  if (!hasCircle) radius = null;

  let code = pick(body, current, 'code') ?? null;
  const requireCode =
    body.require_code ?? (body.code != null ? true : current ? Boolean(current.require_code) : false);
  if (requireCode && code === null) code = generateCode();

  if (errors.length) throw validationError(errors);
  return {
    session_name: name ?? current?.session_name ?? '',
    description: pick(body, current, 'description') ?? null,
    start_time: start!,
    end_time: end!,
    timezone,
    group_id: pick(body, current, 'group_id') ?? null,
    location_lat: lat,
    location_lon: lon,
    location_radius: radius,
    geofence,
    late_after_minutes: pick(body, current, 'late_after_minutes') ?? null,
    checkin_opens_minutes: pick(body, current, 'checkin_opens_minutes') ?? DEFAULT_CHECKIN_OPENS_MINUTES,
    require_code: requireCode ? 1 : 0,
    code,
  };
}
