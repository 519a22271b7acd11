import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { DisplayName, Email, Nullable, Uuid } from '../../lib/strings.js';

const Kind = Type.Union([Type.Literal('rate_below'), Type.Literal('consecutive_absences')]);
const NotifySchema = Type.Object(
  {
    student: Type.Optional(Type.Boolean({ default: true })),
    teachers: Type.Optional(Type.Boolean({ default: false })),
    admins: Type.Optional(Type.Boolean({ default: false })),
    emails: Type.Optional(Type.Array(Email, { maxItems: 20, uniqueItems: true })),
  },
  { additionalProperties: false },
);

export const WarningRuleSchema = Type.Object({
  rule_id: Type.String(),
  org_id: Type.String(),
  name: Type.String(),
  kind: Kind,
  threshold: Type.Number(),
  min_sessions: Type.Integer(),
  group_id: Nullable(Type.String()),
  notify: Type.Object({
    student: Type.Boolean(),
    teachers: Type.Boolean(),
    admins: Type.Boolean(),
    emails: Type.Array(Type.String()),
  }),
  cooldown_days: Type.Integer(),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type WarningRuleDto = Static<typeof WarningRuleSchema>;

const ruleFields = {
  name: DisplayName(255),
  kind: Kind,
  threshold: Type.Number({
    minimum: 0,
    maximum: 1000,
    description: 'rate_below: a rate in [0, 1]; consecutive_absences: a count ≥ 1',
  }),
  min_sessions: Type.Integer({ minimum: 0, maximum: 1000, default: 5 }),
  group_id: Nullable(Uuid),
  notify: NotifySchema,
  cooldown_days: Type.Integer({ minimum: 0, maximum: 365, default: 7 }),
  is_active: Type.Boolean(),
};

export const CreateWarningRuleBody = Type.Object(
  {
    name: ruleFields.name,
    kind: ruleFields.kind,
    threshold: ruleFields.threshold,
    min_sessions: Type.Optional(ruleFields.min_sessions),
    group_id: Type.Optional(ruleFields.group_id),
    notify: Type.Optional(ruleFields.notify),
    cooldown_days: Type.Optional(ruleFields.cooldown_days),
    is_active: Type.Optional(ruleFields.is_active),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CreateWarningRuleInput = Static<typeof CreateWarningRuleBody>;

export const UpdateWarningRuleBody = Type.Object(
  {
    name: Type.Optional(ruleFields.name),
    kind: Type.Optional(ruleFields.kind),
    threshold: Type.Optional(ruleFields.threshold),
    min_sessions: Type.Optional(ruleFields.min_sessions),
    group_id: Type.Optional(ruleFields.group_id),
    notify: Type.Optional(ruleFields.notify),
    cooldown_days: Type.Optional(ruleFields.cooldown_days),
    is_active: Type.Optional(ruleFields.is_active),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWarningRuleInput = Static<typeof UpdateWarningRuleBody>;

export const ListRulesQuery = Type.Object(
  { ...PaginationQuery, org_id: Type.Optional(Uuid) },
  { additionalProperties: false },
);
export type ListRulesQueryInput = Static<typeof ListRulesQuery>;
export const RuleIdParams = Type.Object({ rule_id: Uuid }, { additionalProperties: false });

export const WarningSchema = Type.Object({
  warning_id: Type.String(),
  org_id: Type.String(),
  rule_id: Type.String(),
  user_id: Type.String(),
  user_name: Nullable(Type.String()),
  session_id: Type.String({ description: 'the session whose close triggered it' }),
  kind: Kind,
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  recipients: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});
export type WarningDto = Static<typeof WarningSchema>;

export const ListWarningsQuery = Type.Object(
  {
    ...PaginationQuery,
    org_id: Type.Optional(Uuid),
    user_id: Type.Optional(Uuid),
    rule_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type ListWarningsQueryInput = Static<typeof ListWarningsQuery>;
