import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import {
  DisplayName,
  FreeText,
  IsoTime,
  Nullable,
  REQUEST_TIME_PATTERN,
  TimeZoneName,
  Uuid,
} from '../../lib/strings.js';
import { SESSION_RULES_KEYWORD } from './session-rules.js';

/**
 * `number | null` as one JSON-Schema type array rather than anyOf: a latitude of 100 then gives the
 * single message "must be <= 90" instead of one per branch. Body numbers are never coerced and
 * non-finite ones (1e999) are refused by the validator (strictNumbers).
 */
export const nullableNumber = (
  opts: { minimum?: number; maximum?: number; description?: string; deprecated?: boolean } = {},
) => Type.Unsafe<number | null>({ type: ['number', 'null'], ...opts });
export const nullableInteger = (
  opts: { minimum?: number; maximum?: number; description?: string; deprecated?: boolean } = {},
) => Type.Unsafe<number | null>({ type: ['integer', 'null'], ...opts });

const uuid = (description: string) => Type.String({ format: 'uuid', maxLength: 36, description });

export const Latitude = Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude, degrees' });
export const Longitude = Type.Number({
  minimum: -180,
  maximum: 180,
  description: 'WGS84 longitude, degrees',
});

/** GeoJSON Polygon; positions are [lon, lat], ring 0 is the outer boundary, later rings are holes. */
export const GeoJsonPolygonSchema = Type.Object(
  {
    type: Type.Literal('Polygon'),
    coordinates: Type.Array(
      Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), { maxItems: 1000 }),
      { minItems: 1, maxItems: 100 },
    ),
  },
  {
    // Unknown members are refused, not silently dropped (17.9): a client sending `crs` or `bbox`
    // learns at once that they are not honoured.
    additionalProperties: false,
    description:
      'GeoJSON Polygon ([lon, lat] positions, closed rings, at most 1000 positions, at most 180° of longitude wide; no other members)',
  },
);

const TimeInput = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: REQUEST_TIME_PATTERN,
  description:
    'ISO 8601, years 1970..2200. With Z or an offset it is exact; a naive time is read in `timezone` ' +
    '(else the org zone). A naive time that does not exist there (inside a DST gap, e.g. 02:30 on the ' +
    'spring-forward night) is refused with 400; an ambiguous one (the repeated hour of the fall-back ' +
    'night) means the earlier instant, i.e. the offset in force before the change (01:30 in New York ' +
    'on 2026-11-01 is 05:30Z). Send an offset to pick the later one.',
  examples: ['2025-07-05T09:00:00'],
});

export const CodeModeSchema = Type.Union(
  [Type.Literal('none'), Type.Literal('static'), Type.Literal('rotating')],
  {
    description:
      'none: no code; static: the fixed `code`; rotating: a 6-digit code derived by the server every code_period_seconds (GET /admin/sessions/{id}/code). Default none; require_code true + code means static',
  },
);

/** The fields of a session body; session series take the settings among them. */
export const inputFields = {
  session_name: DisplayName(255),
  description: Type.Optional(Nullable(FreeText(5000))),
  start_time: TimeInput,
  end_time: TimeInput,
  timezone: Type.Optional(TimeZoneName('IANA zone; default the organization’s')),
  group_id: Type.Optional(Nullable(Uuid)),
  location_lat: Type.Optional(nullableNumber({ minimum: -90, maximum: 90 })),
  location_lon: Type.Optional(nullableNumber({ minimum: -180, maximum: 180 })),
  location_radius: Type.Optional(
    nullableInteger({ minimum: 1, maximum: 50_000, description: 'metres; default the org’s default radius' }),
  ),
  // Aliases for clients of the original service; folded into the location_* fields (location-aliases.ts).
  latitude: Type.Optional(
    nullableNumber({
      minimum: -90,
      maximum: 90,
      deprecated: true,
      description: 'alias (clients of the original) of location_lat',
    }),
  ),
  longitude: Type.Optional(
    nullableNumber({
      minimum: -180,
      maximum: 180,
      deprecated: true,
      description: 'alias (clients of the original) of location_lon',
    }),
  ),
  radius: Type.Optional(
    nullableInteger({
      minimum: 1,
      maximum: 50_000,
      deprecated: true,
      description: 'alias (clients of the original) of location_radius',
    }),
  ),
  geofence: Type.Optional(Type.Union([GeoJsonPolygonSchema, Type.Null()])),
  late_after_minutes: Type.Optional(
    nullableInteger({ minimum: 0, maximum: 1440, description: 'null: the organization’s setting' }),
  ),
  // No schema default: it would also fill PUT bodies and overwrite the stored value.
  checkin_opens_minutes: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1440,
      description: 'check-in opens this long before start; default 15',
    }),
  ),
  require_code: Type.Optional(
    Type.Boolean({ description: 'default: true when a code is given; a code is generated if none is' }),
  ),
  code: Type.Optional(Nullable(FreeText(32, { minLength: 1 }))),
  teacher_ids: Type.Optional(
    Type.Array(Uuid, {
      maxItems: 50,
      uniqueItems: true,
      description:
        'the session’s teachers (they run it with the org’s admins); admins set it. Default: the creating teacher, or none when an admin creates it',
    }),
  ),
  code_mode: Type.Optional(CodeModeSchema),
  code_period_seconds: Type.Optional(
    Type.Integer({ minimum: 5, maximum: 300, description: 'rotating codes: seconds per code; default 15' }),
  ),
  boundary_policy: Type.Optional(
    Type.Union([Type.Literal('flag'), Type.Literal('reject'), Type.Null()], {
      description:
        'what a check-in whose accuracy circle crosses the fence gets (flag: accepted and flagged; reject: 422); null = the organization’s policy',
    }),
  ),
};

const SESSION_RULES =
  'Every wrong field is named in one 400: the schema’s errors together with an unknown zone, end_time ' +
  'not after start_time, one coordinate of the circle without the other, a radius without a circle, an ' +
  'alias that differs from its field, an invalid polygon and a code mode that contradicts require_code or ' +
  'code. A rule that needs the stored session (PUT) or the organization’s zone (a time without offset ' +
  'and no `timezone`) comes after the schema’s errors are fixed.';

export const CreateSessionBody = Type.Object(
  {
    ...inputFields,
    org_id: Type.Optional(uuid('super_admin only: the organization of the session')),
  },
  { additionalProperties: false, [SESSION_RULES_KEYWORD]: 'create', description: SESSION_RULES },
);
export type CreateSessionInput = Static<typeof CreateSessionBody>;

export const UpdateSessionBody = Type.Object(
  {
    ...inputFields,
    session_name: Type.Optional(inputFields.session_name),
    start_time: Type.Optional(TimeInput),
    end_time: Type.Optional(TimeInput),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    [SESSION_RULES_KEYWORD]: 'update',
    description: SESSION_RULES,
  },
);
export type UpdateSessionInput = Static<typeof UpdateSessionBody>;

/** The fields any member of the organization may see (no check-in code). */
export const publicSessionFields = {
  session_id: Type.String(),
  org_id: Type.String(),
  session_name: Type.String(),
  description: Nullable(Type.String()),
  start_time: IsoTime,
  end_time: IsoTime,
  timezone: Type.String(),
  group_id: Nullable(Type.String()),
  location_lat: nullableNumber(),
  location_lon: nullableNumber(),
  location_radius: nullableInteger(),
  geofence: Type.Union([GeoJsonPolygonSchema, Type.Null()]),
  late_after_minutes: nullableInteger(),
  checkin_opens_minutes: Type.Integer(),
  require_code: Type.Boolean({ description: 'code_mode != none' }),
  code_mode: CodeModeSchema,
  code_period_seconds: Type.Integer(),
  boundary_policy: Type.Union([Type.Literal('flag'), Type.Literal('reject'), Type.Null()]),
  series_id: Nullable(Type.String({ description: 'the session series it belongs to, or null' })),
  series_detached: Type.Boolean({
    description: 'edited on its own: edits of its series (PUT /admin/session-series/{id}) leave it alone',
  }),
  created_by: Nullable(Type.String()),
  created_at: IsoTime,
  updated_at: IsoTime,
  closed_at: Nullable(IsoTime),
  is_active: Type.Boolean(),
};

const PublicSessionSchema = Type.Object(publicSessionFields);
export type PublicSessionDto = Static<typeof PublicSessionSchema>;

/** What staff see: the public fields, the session's teachers, and (for those who run it) the code. */
export const SessionSchema = Type.Object({
  ...publicSessionFields,
  teacher_ids: Type.Array(Type.String(), { description: 'the session’s teachers' }),
  code: Type.Optional(
    Nullable(
      Type.String({
        description:
          'the static code; only for the session’s teachers and admins; null for rotating sessions (GET /admin/sessions/{id}/code)',
      }),
    ),
  ),
});
export type SessionDto = Static<typeof SessionSchema>;

export const ListSessionsQuery = Type.Object(
  {
    ...PaginationQuery,
    active: Type.Optional(Type.Boolean({ description: 'true: not cancelled; false: cancelled' })),
    from: Type.Optional(
      Type.String({
        maxLength: 40,
        pattern: REQUEST_TIME_PATTERN,
        description: 'YYYY-MM-DD (org zone, inclusive) or ISO instant, years 1970..2200; on start_time',
      }),
    ),
    to: Type.Optional(
      Type.String({
        maxLength: 40,
        pattern: REQUEST_TIME_PATTERN,
        description: 'YYYY-MM-DD (org zone, inclusive) or ISO instant, years 1970..2200; on start_time',
      }),
    ),
    group_id: Type.Optional(Uuid),
    created_by: Type.Optional(Uuid),
    teacher_id: Type.Optional(uuid('sessions this user is a teacher of (teacher_ids)')),
    org_id: Type.Optional(uuid('super_admin only: filter by organization')),
  },
  { additionalProperties: false },
);
export type ListSessionsFilter = Static<typeof ListSessionsQuery>;

export const SessionIdParams = Type.Object({ session_id: Uuid }, { additionalProperties: false });

export const CloseResultSchema = Type.Object({
  session: SessionSchema,
  absent_marked: Type.Integer({ description: 'absent records created by this close' }),
});
