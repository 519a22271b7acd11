import Type from 'typebox';
import { PaginationQuery, PaginationSchema } from '../../lib/pagination.js';
import { LocalDate, Nullable, Uuid } from '../../lib/strings.js';

const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
  description: '(present + late) / expected; null when nothing was expected',
});
const Counts = {
  expected: Type.Integer(),
  present: Type.Integer(),
  late: Type.Integer(),
  absent: Type.Integer(),
  excused: Type.Integer(),
  attendance_rate: Rate,
};
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);

export const DateRangeQuery = {
  start_date: Type.Optional(LocalDate),
  end_date: Type.Optional(LocalDate),
  /** super_admin only: the organization to report on. */
  org_id: Type.Optional(Uuid),
};

export const OrgSummaryQuery = Type.Object({ ...DateRangeQuery }, { additionalProperties: false });

export const OrgSummarySchema = Type.Object({
  org_id: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  sessions_held: Type.Integer(),
  ...Counts,
  groups: Type.Array(
    Type.Object({
      group_id: Nullable(Type.String()),
      group_name: Nullable(Type.String()),
      sessions: Type.Integer(),
      ...Counts,
    }),
  ),
  lowest_attendance: Type.Array(
    Type.Object({
      user_id: Type.String(),
      name: Type.String(),
      email: Type.String(),
      sessions: Type.Integer(),
      attended: Type.Integer(),
      attendance_rate: Rate,
    }),
  ),
});

export const UserReportQuery = Type.Object(
  { ...DateRangeQuery, ...PaginationQuery },
  { additionalProperties: false },
);
export const UserReportSchema = Type.Object({
  user: Type.Object({
    user_id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Type.String(),
  }),
  start_date: Nullable(Type.String()),
  end_date: Nullable(Type.String()),
  ...Counts,
  lateness: Type.Object({ count: Type.Integer(), average_minutes: Type.Union([Type.Number(), Type.Null()]) }),
  sessions: Type.Array(
    Type.Object({
      session_id: Type.String(),
      session_name: Type.String(),
      start_time: Iso,
      end_time: Iso,
      record_id: Type.String(),
      status: Type.String(),
      check_in_time: NullableIso,
      check_out_time: NullableIso,
      minutes_late: Type.Union([Type.Number(), Type.Null()]),
      distance_m: Type.Union([Type.Number(), Type.Null()]),
      notes: Nullable(Type.String()),
    }),
  ),
  pagination: PaginationSchema,
});

export const TrendsQuery = Type.Object(
  { ...DateRangeQuery, interval: Type.Optional(Type.Enum(['day', 'week', 'month'], { default: 'day' })) },
  { additionalProperties: false },
);
export const TrendsSchema = Type.Object({
  org_id: Type.String(),
  interval: Type.String(),
  timezone: Type.String(),
  start_date: Type.String(),
  end_date: Type.String(),
  points: Type.Array(Type.Object({ period_start: Type.String(), sessions: Type.Integer(), ...Counts })),
});

export const SessionReportSchema = Type.Object({
  session: Type.Object({
    session_id: Type.String(),
    session_name: Type.String(),
    start_time: Iso,
    end_time: Iso,
    group_id: Nullable(Type.String()),
    closed: Type.Boolean(),
  }),
  ...Counts,
  not_checked_in: Type.Integer({
    description: 'expected attendees without a record yet (open sessions only)',
  }),
  average_check_in_delay_minutes: Type.Union([Type.Number(), Type.Null()]),
  flagged: Type.Integer({ description: 'records with any flag (API.md Part 2)' }),
  pending_review: Type.Integer({ description: 'flagged records awaiting review' }),
  attendees: Type.Array(
    Type.Object({
      user_id: Type.String(),
      name: Type.String(),
      email: Type.String(),
      record_id: Nullable(Type.String()),
      status: Type.String({
        description: 'present | late | absent | excused, or not_checked_in while the session is open',
      }),
      check_in_time: NullableIso,
      check_out_time: NullableIso,
      distance_m: Type.Union([Type.Number(), Type.Null()]),
      minutes_after_start: Type.Union([Type.Number(), Type.Null()]),
      flags: Type.Array(Type.String()),
      review_state: Nullable(
        Type.String({ description: 'none | pending | accepted | rejected; null without a record' }),
      ),
    }),
  ),
});

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const ExportQuery = Type.Object(
  {
    ...DateRangeQuery,
    session_id: Type.Optional(Uuid),
    user_id: Type.Optional(Uuid),
    group_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
