import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { IsoTime, LocalDate, Nullable, TimeZoneName, Uuid } from '../../lib/strings.js';
import { SESSION_RULES_KEYWORD } from '../sessions/session-rules.js';
import {
  CodeModeSchema,
  GeoJsonPolygonSchema,
  inputFields,
  nullableInteger,
  nullableNumber,
  SessionSchema,
} from '../sessions/sessions.schemas.js';
import { HHMM_PATTERN, MAX_SERIES_SESSIONS, SERIES_SCHEDULE_KEYWORD } from './series.rules.js';

/** Every setting a single session accepts, except its times and zone (the series' schedule gives those). */
const { start_time: _start, end_time: _end, timezone: _zone, ...sessionSettings } = inputFields;

const LocalTime = (what: string) =>
  Type.String({
    pattern: HHMM_PATTERN,
    description: `${what}, HH:MM (00:00..23:59), wall-clock time in the series' zone`,
    examples: ['09:00'],
  });

const scheduleFields = {
  weekdays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
    minItems: 1,
    maxItems: 7,
    uniqueItems: true,
    description: 'ISO weekdays, 1 = Monday … 7 = Sunday',
    examples: [[1, 3]],
  }),
  start_date: Type.Unsafe<string>({ ...LocalDate, description: 'first day (inclusive), YYYY-MM-DD' }),
  end_date: Type.Unsafe<string>({ ...LocalDate, description: 'last day (inclusive), YYYY-MM-DD' }),
  start_local: LocalTime('start of each session'),
  end_local: LocalTime('end of each session, after start_local'),
  interval_weeks: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 4,
      description: 'every n-th week, counted from the ISO week of start_date; default 1',
    }),
  ),
  skip_dates: Type.Optional(
    Type.Array(Type.Unsafe<string>({ ...LocalDate }), {
      maxItems: 400,
      uniqueItems: true,
      description: 'dates without a session (holidays), YYYY-MM-DD',
    }),
  ),
};

const SCHEDULE_RULES =
  `Local wall-clock times hold across DST: a time inside a DST gap moves forward by the gap, an ambiguous ` +
  `one (the repeated hour) takes the earlier offset. At most ${MAX_SERIES_SESSIONS} sessions. Every wrong ` +
  'field is named in one 400 (end_date before start_date, end_local not after start_local, unknown zone, ' +
  'unreal dates, too many sessions, no matching date).';

/** What x-session-rules checks on a series body: a single session's rules on its settings. */
const SETTINGS_RULES =
  'The session settings follow a single session’s rules, in the same 400: an alias that differs from ' +
  'its field, one coordinate of the circle without the other, a radius without a circle, an invalid ' +
  'polygon, and a code mode that contradicts require_code or code.';

export const CreateSeriesBody = Type.Object(
  {
    ...sessionSettings,
    ...scheduleFields,
    timezone: Type.Optional(TimeZoneName('IANA zone; default the organization’s')),
    org_id: Type.Optional(Uuid),
  },
  {
    additionalProperties: false,
    [SERIES_SCHEDULE_KEYWORD]: true,
    [SESSION_RULES_KEYWORD]: 'create',
    description: `${SCHEDULE_RULES} ${SETTINGS_RULES}`,
  },
);
export type CreateSeriesInput = Static<typeof CreateSeriesBody>;

/** The schedule (weekdays, dates, interval, zone) is fixed once created; times and settings change. */
export const UpdateSeriesBody = Type.Object(
  {
    ...sessionSettings,
    session_name: Type.Optional(sessionSettings.session_name),
    start_local: Type.Optional(scheduleFields.start_local),
    end_local: Type.Optional(scheduleFields.end_local),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    [SERIES_SCHEDULE_KEYWORD]: true,
    [SESSION_RULES_KEYWORD]: 'update',
    description:
      'Changes the series and those of its sessions that have not started and were not edited on their own ' +
      '(PUT /admin/sessions/{id} on a session of a series detaches it). Weekdays, dates, interval and zone ' +
      `are fixed: cancel the series and create another to change them. ${SETTINGS_RULES}`,
  },
);
export type UpdateSeriesInput = Static<typeof UpdateSeriesBody>;

/** The session settings a series applies, as stored (aliases folded). */
export const SeriesSettingsSchema = Type.Object({
  location_lat: Type.Optional(nullableNumber()),
  location_lon: Type.Optional(nullableNumber()),
  location_radius: Type.Optional(nullableInteger()),
  geofence: Type.Optional(Type.Union([GeoJsonPolygonSchema, Type.Null()])),
  late_after_minutes: Type.Optional(nullableInteger()),
  checkin_opens_minutes: Type.Optional(Type.Integer()),
  code_mode: Type.Optional(CodeModeSchema),
  code_period_seconds: Type.Optional(Type.Integer()),
  boundary_policy: Type.Optional(Type.Union([Type.Literal('flag'), Type.Literal('reject'), Type.Null()])),
});

const seriesFields = {
  series_id: Type.String(),
  org_id: Type.String(),
  session_name: Type.String(),
  description: Nullable(Type.String()),
  group_id: Nullable(Type.String()),
  teacher_ids: Type.Array(Type.String(), { description: 'who runs the series (with the org’s admins)' }),
  weekdays: Type.Array(Type.Integer()),
  start_date: Type.String(),
  end_date: Type.String(),
  start_local: Type.String(),
  end_local: Type.String(),
  interval_weeks: Type.Integer(),
  skip_dates: Type.Array(Type.String()),
  timezone: Type.String(),
  settings: SeriesSettingsSchema,
  session_count: Type.Integer({ description: 'sessions of the series, cancelled ones included' }),
  created_by: Nullable(Type.String()),
  created_at: IsoTime,
  updated_at: IsoTime,
  is_active: Type.Boolean({ description: 'false once the series was cancelled (DELETE)' }),
};
export const SeriesSchema = Type.Object(seriesFields);
export type SeriesDto = Static<typeof SeriesSchema>;

export const SeriesWithSessionsSchema = Type.Object({
  ...seriesFields,
  sessions: Type.Array(SessionSchema, { description: 'the series’ sessions, by start time' }),
  affected_sessions: Type.Optional(
    Type.Integer({ description: 'PUT: sessions changed; DELETE: sessions cancelled' }),
  ),
});
export type SeriesWithSessionsDto = Static<typeof SeriesWithSessionsSchema>;

export const ListSeriesQuery = Type.Object(
  {
    ...PaginationQuery,
    active: Type.Optional(Type.Boolean({ description: 'true: not cancelled; false: cancelled' })),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type ListSeriesFilter = Static<typeof ListSeriesQuery>;

export const SeriesIdParams = Type.Object({ series_id: Uuid }, { additionalProperties: false });
