import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { FreeText, Nullable, REQUEST_TIME_PATTERN, Uuid } from '../../lib/strings.js';
import { CALENDAR_RANGE_TEXT } from '../../lib/time.js';

export const AuditEntrySchema = Type.Object({
  audit_id: Type.String(),
  org_id: Nullable(Type.String()),
  actor_id: Nullable(Type.String()),
  actor_name: Nullable(Type.String()),
  actor_email: Nullable(Type.String()),
  action: Type.String({ description: '<object>.<verb>; the list is in the route description' }),
  target_type: Nullable(Type.String()),
  target_id: Nullable(Type.String()),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  ip_address: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});
export type AuditEntryDto = Static<typeof AuditEntrySchema>;

/** ISO 8601 instant or YYYY-MM-DD (naive values in the organization's time zone; UTC for all orgs). */
const When = Type.String({
  minLength: 10,
  maxLength: 40,
  pattern: REQUEST_TIME_PATTERN,
  description: `ISO 8601 date-time or YYYY-MM-DD, ${CALENDAR_RANGE_TEXT}; a bare date in \`to\` includes that whole day`,
});

const filters = {
  actor_id: Type.Optional(Uuid),
  action: Type.Optional(
    FreeText(64, { minLength: 1, description: 'exact action, or a prefix ending in "." (user.)' }),
  ),
  target_type: Type.Optional(FreeText(32, { minLength: 1 })),
  target_id: Type.Optional(Uuid),
  from: Type.Optional(When),
  to: Type.Optional(When),
  org_id: Type.Optional(Uuid),
};

export const AuditListQuery = Type.Object(
  { ...PaginationQuery, ...filters },
  { additionalProperties: false },
);
export type AuditListQueryInput = Static<typeof AuditListQuery>;

export const AuditExportQuery = Type.Object(filters, { additionalProperties: false });
export type AuditExportQueryInput = Static<typeof AuditExportQuery>;
