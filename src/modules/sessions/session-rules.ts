/**
 * The rules of a session body that need no database: aliases that agree with their fields, a known
 * zone, times that parse and end after start, both coordinates of a circle, a valid polygon, a code
 * mode that agrees with require_code and code. One implementation, run twice: inside request
 * validation (the `x-session-rules` keyword, so one 400 names these fields together with the schema's
 * own errors: API.md "Clients written for the original") and in the service (resolveSessionFields),
 * which also knows the stored session and the organization's zone. What the validator cannot know
 * (the stored session of an update, the organization's zone for a naive time, a field the schema
 * refuses) is UNKNOWN there, and a rule that needs it is left to the service.
 */
import type { Ajv, AnySchemaObject, ErrorObject, FuncKeywordDefinition } from 'ajv';
import type { FieldError } from '../../lib/errors.js';
import { validatePolygon } from '../../lib/geo.js';
import { TIME_ZONE_MESSAGE } from '../../lib/strings.js';
import {
  CALENDAR_RANGE_TEXT,
  inCalendarRange,
  isValidTimeZone,
  parseInstantDetailed,
} from '../../lib/time.js';
import { ALIASES, aliasOf, foldLocationAliases } from './location-aliases.js';
import type { UpdateSessionInput } from './sessions.schemas.js';
import type { AttendanceSessionRow, CodeMode } from './sessions.table.js';

export const UNKNOWN = Symbol('unknown');
type Maybe<T> = T | typeof UNKNOWN;

type Stored = Pick<
  AttendanceSessionRow,
  'timezone' | 'start_time' | 'end_time' | 'location_lat' | 'location_lon' | 'code' | 'code_mode'
>;

export interface RuleBase {
  /** A field the body leaves out: its stored value (update), null (create), or UNKNOWN. */
  stored: <K extends keyof Stored>(key: K) => Maybe<Stored[K] | null>;
  /** The zone of naive times when neither the body nor the stored session names one. */
  orgTimezone: Maybe<string>;
  /**
   * Fields (as sent, aliases included) the body gives with a value their schema refuses (validator
   * only): left out of the body and read as UNKNOWN, but given — a latitude of 100 still lacks
   * its longitude, named in the same 400.
   */
  refused?: ReadonlySet<string>;
}

export interface CheckedSession {
  errors: FieldError[];
  /** The body with the aliases folded into location_*. */
  body: UpdateSessionInput;
  timezone: Maybe<string>;
  /** null: absent on a create, or refused (see errors). */
  start: Maybe<number | null>;
  end: Maybe<number | null>;
  lat: Maybe<number | null>;
  lon: Maybe<number | null>;
  codeMode: Maybe<CodeMode>;
}

/** An instant, or (zone unknown) a naive time's wall clock read as UTC, only comparable with another. */
type Time = { ms: number; wall: boolean };

export function checkSessionRules(input: UpdateSessionInput, given: RuleBase): CheckedSession {
  const { body, errors, fromAlias } = foldLocationAliases(input);
  // A refused field is not read: its value is UNKNOWN, as a stored one the validator cannot see.
  const isRefused = (key: string) =>
    given.refused !== undefined &&
    (given.refused.has(key) || given.refused.has(ALIASES.find(([, c]) => c === key)?.[0] ?? ''));
  const base: RuleBase = {
    ...given,
    stored: (key) => (isRefused(key) ? UNKNOWN : given.stored(key)),
  };
  const fail = (field: string, message: string) => errors.push({ field, message });
  const sentOrStored = <K extends 'location_lat' | 'location_lon'>(key: K) =>
    body[key] !== undefined ? body[key] : base.stored(key);
  type Located = 'location_lat' | 'location_lon' | 'location_radius';
  // An error names the field as the client spelt it (`radius` when the value came from `radius`); a
  // field not sent, the missing half of a pair, takes the spelling of its partner.
  const speltAs = (field: Located) =>
    fromAlias.has(field) || base.refused?.has(aliasOf(field))
      ? aliasOf(field)
      : body[field] !== undefined || base.refused?.has(field)
        ? field
        : undefined;
  const named = (field: Located, partner: Located) =>
    speltAs(field) ?? (speltAs(partner) === aliasOf(partner) ? aliasOf(field) : field);

  // A blank session_name is the schema's (DisplayName) on every route that reaches here.
  if (body.timezone !== undefined && !isValidTimeZone(body.timezone)) fail('timezone', TIME_ZONE_MESSAGE);
  const storedZone = base.stored('timezone');
  const timezone = body.timezone ?? (storedZone === null ? base.orgTimezone : storedZone);
  // A wrong zone has its own error; times with an offset are still checked, naive ones cannot be.
  const zone = timezone !== UNKNOWN && isValidTimeZone(timezone) ? timezone : undefined;

  const readTime = (field: 'start_time' | 'end_time'): Maybe<Time | null> => {
    const raw = body[field];
    if (raw === undefined) {
      const stored = base.stored(field);
      return stored === UNKNOWN || stored === null ? stored : { ms: stored, wall: false };
    }
    const parsed = parseInstantDetailed(raw, zone ?? 'UTC');
    if (parsed === null) fail(field, 'must be an ISO 8601 date-time such as 2025-07-05T09:00:00');
    else if (parsed.naive && !zone) return { ms: parsed.ms, wall: true };
    else if (!inCalendarRange(parsed.ms)) fail(field, `must lie in ${CALENDAR_RANGE_TEXT}`);
    // Never move a time silently: a wall time skipped by the clock change is refused (issue 17.8).
    else if (parsed.inGap)
      fail(
        field,
        `does not exist in ${zone}: the clocks skip it (DST gap); give a time outside the gap or an offset`,
      );
    else return { ms: parsed.ms, wall: false };
    return null;
  };
  const start = readTime('start_time');
  const end = readTime('end_time');
  // Two naive times in one zone compare as their wall clocks do (a gap time is refused, an ambiguous
  // one takes the earlier offset, so later wall time means later instant), whatever the zone.
  if (start && end && start !== UNKNOWN && end !== UNKNOWN && start.wall === end.wall && end.ms <= start.ms)
    fail('end_time', 'must be after start_time');

  const lat = sentOrStored('location_lat') ?? null;
  const lon = sentOrStored('location_lon') ?? null;
  const latName = named('location_lat', 'location_lon');
  const lonName = named('location_lon', 'location_lat');
  const present = (v: typeof lat, field: Located) => v !== null && (v !== UNKNOWN || isRefused(field));
  if (lat === null && present(lon, 'location_lon')) fail(latName, `is required together with ${lonName}`);
  if (lon === null && present(lat, 'location_lat')) fail(lonName, `is required together with ${latName}`);
  if (body.location_radius != null && lat === null && lon === null)
    fail(
      named('location_radius', 'location_lat'),
      `needs ${named('location_lat', 'location_radius')} and ${named('location_lon', 'location_radius')}`,
    );

  if (body.geofence != null) {
    const problem = validatePolygon(body.geofence);
    if (problem) fail('geofence', problem);
  }

  const exact = (t: Maybe<Time | null>) => (t === UNKNOWN || t === null ? t : t.wall ? UNKNOWN : t.ms);
  return {
    errors,
    body,
    timezone,
    start: exact(start),
    end: exact(end),
    lat,
    lon,
    codeMode: checkCodeMode(body, base, fail),
  };
}

/**
 * API.md Part 2: code_mode none|static|rotating; Part 1's `require_code: true` + `code` means static.
 * Contradictions are 400: require_code false with a code mode, require_code true with none,
 * code_mode static without a code, a code given to a rotating session.
 */
function checkCodeMode(
  body: UpdateSessionInput,
  base: RuleBase,
  fail: (field: string, message: string) => void,
): Maybe<CodeMode> {
  const stored = base.stored('code_mode');
  const currentMode = stored ?? 'none';
  let mode: Maybe<CodeMode>;
  if (body.code_mode !== undefined) {
    mode = body.code_mode;
    if (body.require_code === false && mode !== 'none')
      fail('require_code', `must not be false with code_mode ${mode}`);
    if (body.require_code === true && mode === 'none')
      fail('require_code', 'must not be true with code_mode none');
  } else if (body.require_code !== undefined) {
    mode = !body.require_code ? 'none' : currentMode === 'none' ? 'static' : currentMode;
  } else if (body.code != null) {
    // As require_code true: a code makes a session without codes static and keeps a static one; a
    // rotating session stays rotating and the code is refused below (code_mode static switches it).
    mode = currentMode === 'none' ? 'static' : currentMode;
  } else {
    mode = currentMode;
  }
  const code = body.code !== undefined ? body.code : base.stored('code');
  if (body.code_mode === 'static' && code === null)
    fail('code', 'is required with code_mode static (1-32 characters)');
  if (mode === 'rotating' && body.code != null)
    fail('code', 'must not be given: a rotating session’s codes are derived by the server');
  return mode;
}

export const SESSION_RULES_KEYWORD = 'x-session-rules';

/**
 * The keyword behind `x-session-rules: "create" | "update"` on session and series bodies. The rules
 * see only the fields that pass their own schema (the body schema's `properties`, compiled once with
 * it): a field the schema refuses has the schema's error, so the rules neither name it a second time
 * (a blank name, a polygon with an unknown member, a time outside the calendar) nor reason from its
 * value. Such a field is UNKNOWN to them, as is every stored field of an update, yet given (`refused`):
 * its partner's rule still speaks (a latitude of 100 without a longitude names both, 16.3).
 */
export function addSessionRulesKeyword(ajv: Ajv): Ajv {
  const compile: NonNullable<FuncKeywordDefinition['compile']> = (mode, bodySchema) => {
    const fields = new Map(
      Object.entries((bodySchema.properties ?? {}) as Record<string, AnySchemaObject>).map(
        ([key, schema]) => [key, ajv.compile(schema)] as const,
      ),
    );
    const check: { (data: unknown): boolean; errors?: Partial<ErrorObject>[] } = (data) => {
      if (
        (mode !== 'create' && mode !== 'update') ||
        !data ||
        typeof data !== 'object' ||
        Array.isArray(data)
      )
        return true;
      const body: Record<string, unknown> = {};
      const refused = new Set<string>();
      for (const [key, value] of Object.entries(data)) {
        const valid = fields.get(key);
        // Not a field of the body: the schema refuses it (additionalProperties) and no rule reads it.
        if (!valid || value === undefined) continue;
        if (valid(value)) body[key] = value;
        else refused.add(key);
      }
      const { errors } = checkSessionRules(body as UpdateSessionInput, {
        stored: () => (mode === 'update' ? UNKNOWN : null),
        orgTimezone: UNKNOWN,
        refused,
      });
      check.errors = errors.map((e) => ({
        keyword: SESSION_RULES_KEYWORD,
        instancePath: `/${e.field}`,
        message: e.message,
        params: {},
      }));
      return errors.length === 0;
    };
    return check;
  };
  ajv.addKeyword({ keyword: SESSION_RULES_KEYWORD, type: 'object', errors: true, compile });
  return ajv;
}
