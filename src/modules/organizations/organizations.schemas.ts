import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { DisplayName, Email, FreeText, Nullable, TimeZoneName, Uuid } from '../../lib/strings.js';

const OrgName = DisplayName(255);
const Text = FreeText(2000);
const Phone = FreeText(40);
const TimeZone = TimeZoneName('IANA time zone, e.g. Europe/Paris');
const Radius = Type.Integer({
  minimum: 1,
  maximum: 50_000,
  description: 'metres; null = the server default (DEFAULT_GEOFENCE_RADIUS)',
});
const NullableInt = (t: ReturnType<typeof Type.Integer>) => Type.Union([t, Type.Null()]);
/** API.md Part 2 "Location decision and flags". */
export const BoundaryPolicy = Type.Union([Type.Literal('flag'), Type.Literal('reject')], {
  description:
    'A check-in whose accuracy circle crosses the fence: flag = accepted and flagged uncertain_location; reject = 422 OUTSIDE_GEOFENCE (reason "uncertain")',
});
const StoreCoordinates = Type.Boolean({
  description:
    'false: raw latitude/longitude of check-ins are never written (records, logs, audit, idempotency store); only distance_m and the decision',
});
const LateAfter = Type.Integer({ minimum: 0, maximum: 1440, description: 'minutes after start' });

export const OrganizationSchema = Type.Object({
  org_id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  address: Nullable(Type.String()),
  contact_email: Nullable(Type.String()),
  contact_phone: Nullable(Type.String()),
  timezone: Type.String(),
  self_registration: Type.Boolean(),
  default_geofence_radius: NullableInt(Type.Integer()),
  late_after_minutes: Type.Integer(),
  boundary_policy: BoundaryPolicy,
  store_coordinates: Type.Boolean(),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type OrganizationDto = Static<typeof OrganizationSchema>;

const editable = {
  description: Type.Optional(Nullable(Text)),
  address: Type.Optional(Nullable(Text)),
  contact_email: Type.Optional(Nullable(Email)),
  contact_phone: Type.Optional(Nullable(Phone)),
  timezone: Type.Optional(TimeZone),
  self_registration: Type.Optional(Type.Boolean()),
  default_geofence_radius: Type.Optional(NullableInt(Radius)),
  late_after_minutes: Type.Optional(LateAfter),
  boundary_policy: Type.Optional(BoundaryPolicy),
  store_coordinates: Type.Optional(StoreCoordinates),
};

export const CreateOrganizationBody = Type.Object(
  { name: OrgName, ...editable },
  { additionalProperties: false },
);
export type CreateOrganizationInput = Static<typeof CreateOrganizationBody>;

export const UpdateOrganizationBody = Type.Object(
  {
    name: Type.Optional(OrgName),
    ...editable,
    is_active: Type.Optional(Type.Boolean({ description: 'super_admin only' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateOrganizationInput = Static<typeof UpdateOrganizationBody>;

export const ListOrganizationsQuery = Type.Object(
  {
    ...PaginationQuery,
    is_active: Type.Optional(Type.Boolean()),
    q: Type.Optional(FreeText(100)),
  },
  { additionalProperties: false },
);
export type ListOrganizationsFilter = Static<typeof ListOrganizationsQuery>;

export const OrgIdParams = Type.Object({ org_id: Uuid }, { additionalProperties: false });

const ActiveTotal = Type.Object({ total: Type.Integer(), active: Type.Integer() });

export const OrganizationStatsSchema = Type.Object({
  org_id: Type.String(),
  users: Type.Object({
    total: Type.Integer(),
    active: Type.Integer(),
    by_role: Type.Object({
      super_admin: ActiveTotal,
      admin: ActiveTotal,
      teacher: ActiveTotal,
      student: ActiveTotal,
    }),
  }),
  groups: Type.Object({ total: Type.Integer() }),
  sessions: Type.Object({
    total: Type.Integer(),
    upcoming: Type.Integer({ description: 'not cancelled, not closed, starts later' }),
    ongoing: Type.Integer({ description: 'not cancelled, not closed, started, not yet ended' }),
    past: Type.Integer({ description: 'not cancelled, ended or closed' }),
    cancelled: Type.Integer(),
  }),
  attendance: Type.Object({
    total: Type.Integer(),
    present: Type.Integer(),
    late: Type.Integer(),
    absent: Type.Integer(),
    excused: Type.Integer(),
    attendance_rate: Type.Union([Type.Number(), Type.Null()], {
      description: '(present + late) / all records, 4 decimals; null without records',
    }),
  }),
  generated_at: Type.String({ format: 'date-time' }),
});
export type OrganizationStatsDto = Static<typeof OrganizationStatsSchema>;
