import type { Selectable } from 'kysely';

export type WarningKind = 'rate_below' | 'consecutive_absences';

export interface WarningRulesTable {
  rule_id: string;
  org_id: string;
  name: string;
  kind: WarningKind;
  threshold: number;
  min_sessions: number;
  group_id: string | null;
  /** JSON {student, teachers, admins, emails[]}. */
  notify: string;
  cooldown_days: number;
  is_active: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}
export type WarningRuleRow = Selectable<WarningRulesTable>;

export interface WarningsTable {
  warning_id: string;
  org_id: string;
  rule_id: string;
  user_id: string;
  /** The closed session whose close triggered it. */
  session_id: string;
  kind: WarningKind;
  message: string;
  /** JSON: figures and the sessions missed. */
  details: string;
  /** JSON array of email addresses. */
  recipients: string;
  created_at: number;
}
export type WarningRow = Selectable<WarningsTable>;
