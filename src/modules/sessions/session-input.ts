/**
 * Turns a create or update body into the stored columns, merged over the current row for an update,
 * so every rule (end after start, location pairs, radius default) is checked on the result that
 * will be stored. The rules themselves are session-rules.ts (the request validator runs them too);
 * all problems are reported in one 400.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { validationError } from '../../lib/errors.js';
import { type CheckedSession, checkSessionRules, UNKNOWN } from './session-rules.js';
import type { UpdateSessionInput } from './sessions.schemas.js';
import type { AttendanceSessionRow, CodeMode } from './sessions.table.js';

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
  | 'code_mode'
  | 'code_period_seconds'
  | 'code_secret'
  | 'boundary_policy'
>;

export interface InputContext {
  /** Zone for naive times when neither the body nor the stored session names one. */
  orgTimezone: string;
  /** org.default_geofence_radius ?? config.defaultGeofenceRadius */
  defaultRadius: number;
}

const DEFAULT_CHECKIN_OPENS_MINUTES = 15;
const DEFAULT_CODE_PERIOD_SECONDS = 15;

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

/** The service knows everything the rules ask: a value left UNKNOWN here is a bug. */
function known<T>(value: T | typeof UNKNOWN): T {
  if (value === UNKNOWN) throw new Error('session rules left a value unknown in the service');
  return value;
}

export function resolveSessionFields(
  input: UpdateSessionInput,
  current: AttendanceSessionRow | undefined,
  ctx: InputContext,
): SessionFields {
  const checked = checkSessionRules(input, {
    stored: (key) => (current ? current[key] : null),
    orgTimezone: ctx.orgTimezone,
  });
  if (checked.errors.length) throw validationError(checked.errors);
  const { body } = checked;

  let geofence: string | null = current?.geofence ?? null;
  if (body.geofence !== undefined)
    geofence =
      body.geofence === null
        ? null
        : JSON.stringify({ type: 'Polygon', coordinates: body.geofence.coordinates });

  const lat = known(checked.lat);
  const lon = known(checked.lon);
  const hasCircle = lat !== null && lon !== null;
  let radius = pick(body, current, 'location_radius') ?? null;
  if (hasCircle && radius === null) radius = ctx.defaultRadius;
  if (!hasCircle) radius = null;

  return {
    session_name: body.session_name?.trim() ?? current?.session_name ?? '',
    description: pick(body, current, 'description') ?? null,
    start_time: known(checked.start)!,
    end_time: known(checked.end)!,
    timezone: known(checked.timezone),
    group_id: pick(body, current, 'group_id') ?? null,
    location_lat: lat,
    location_lon: lon,
    location_radius: radius,
    geofence,
    late_after_minutes: pick(body, current, 'late_after_minutes') ?? null,
    checkin_opens_minutes: pick(body, current, 'checkin_opens_minutes') ?? DEFAULT_CHECKIN_OPENS_MINUTES,
    ...codeFields(checked, current),
    boundary_policy: pick(body, current, 'boundary_policy') ?? null,
  };
}

/**
 * The code columns of the mode the rules settled on: `require_code` is stored as code_mode != none; a
 * static session given no code gets a generated one (as in Part 1); a rotating session gets its random
 * secret once and keeps it (codes shown on a projector stay valid across edits).
 */
function codeFields(
  checked: CheckedSession,
  current: AttendanceSessionRow | undefined,
): Pick<SessionFields, 'require_code' | 'code' | 'code_mode' | 'code_period_seconds' | 'code_secret'> {
  const { body } = checked;
  const mode: CodeMode = known(checked.codeMode);
  const code = mode === 'static' ? (pick(body, current, 'code') ?? generateCode()) : null;
  return {
    code_mode: mode,
    require_code: mode === 'none' ? 0 : 1,
    code,
    code_period_seconds: pick(body, current, 'code_period_seconds') ?? DEFAULT_CODE_PERIOD_SECONDS,
    code_secret:
      mode === 'rotating'
        ? (current?.code_secret ?? randomBytes(32).toString('hex'))
        : (current?.code_secret ?? null),
  };
}
