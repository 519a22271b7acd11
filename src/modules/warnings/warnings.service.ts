/** Warning rules (admins; super_admin names the org) and the log of warnings sent. */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fieldError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, inScope, requireRole, scopeOf } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { recordAudit } from '../audit/audit.repository.js';
import { readScope, targetOrg } from '../users/users.access.js';
import type { Notify } from './warnings.evaluator.js';
import type {
  CreateWarningRuleInput,
  ListRulesQueryInput,
  ListWarningsQueryInput,
  UpdateWarningRuleInput,
  WarningDto,
  WarningRuleDto,
} from './warnings.schemas.js';
import type { WarningRuleRow } from './warnings.table.js';

const toDto = (r: WarningRuleRow): WarningRuleDto => ({
  rule_id: r.rule_id,
  org_id: r.org_id,
  name: r.name,
  kind: r.kind,
  threshold: Number(r.threshold),
  min_sessions: r.min_sessions,
  group_id: r.group_id,
  notify: JSON.parse(r.notify),
  cooldown_days: r.cooldown_days,
  is_active: Boolean(r.is_active),
  created_at: toIso(Number(r.created_at)),
  updated_at: toIso(Number(r.updated_at)),
});

const count = (n: { n: number | string | bigint } | undefined) => Number(n?.n ?? 0);

function checkThreshold(kind: string, threshold: number) {
  if (kind === 'rate_below' && threshold > 1)
    throw fieldError('threshold', 'must be a rate in [0, 1] for rate_below');
  if (kind === 'consecutive_absences' && (!Number.isInteger(threshold) || threshold < 1))
    throw fieldError('threshold', 'must be a whole count ≥ 1 for consecutive_absences');
}

export function createWarningsService({ db, now = Date.now }: { db: Kysely<Database>; now?: () => number }) {
  async function load(actor: Actor, ruleId: string) {
    requireRole(actor, 'super_admin', 'admin');
    const row = await inScope(
      db.selectFrom('warning_rules').selectAll().where('rule_id', '=', ruleId),
      'org_id',
      scopeOf(actor),
    ).executeTakeFirst();
    if (!row) throw notFound('Warning rule');
    return row;
  }
  async function checkGroup(orgId: string, groupId: string | null | undefined) {
    if (!groupId) return;
    const g = await db
      .selectFrom('groups')
      .select('group_id')
      .where('group_id', '=', groupId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!g) throw notFound('Group');
  }
  const audit = (actor: Actor, row: WarningRuleRow, action: string, ip?: string) =>
    recordAudit(db, {
      orgId: row.org_id,
      actorId: actor.userId,
      action,
      targetType: 'warning_rule',
      targetId: row.rule_id,
      details: { name: row.name },
      ip,
    });

  return {
    async list(actor: Actor, q: ListRulesQueryInput) {
      requireRole(actor, 'super_admin', 'admin');
      const scope = readScope(actor, q.org_id);
      const page = pageRequest(q);
      const rows = await inScope(db.selectFrom('warning_rules').selectAll(), 'org_id', scope)
        .orderBy('created_at', 'desc')
        .orderBy('rule_id', 'desc')
        .limit(page.perPage)
        .offset(page.offset)
        .execute();
      const total = await inScope(
        db.selectFrom('warning_rules').select((eb) => eb.fn.countAll<number>().as('n')),
        'org_id',
        scope,
      ).executeTakeFirst();
      return { items: rows.map(toDto), pagination: pagination(page, count(total)) };
    },

    get: async (actor: Actor, ruleId: string) => toDto(await load(actor, ruleId)),

    async create(actor: Actor, input: CreateWarningRuleInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const orgId = await targetOrg(db, actor, input.org_id);
      checkThreshold(input.kind, input.threshold);
      await checkGroup(orgId, input.group_id);
      const notify: Notify = {
        student: input.notify?.student ?? true,
        teachers: input.notify?.teachers ?? false,
        admins: input.notify?.admins ?? false,
        emails: input.notify?.emails ?? [],
      };
      const t = now();
      const row: WarningRuleRow = {
        rule_id: newId(),
        org_id: orgId,
        name: input.name.trim(),
        kind: input.kind,
        threshold: input.threshold,
        min_sessions: input.min_sessions ?? 5,
        group_id: input.group_id ?? null,
        notify: JSON.stringify(notify),
        cooldown_days: input.cooldown_days ?? 7,
        is_active: input.is_active === false ? 0 : 1,
        created_by: actor.userId,
        created_at: t,
        updated_at: t,
      };
      await db.insertInto('warning_rules').values(row).execute();
      await audit(actor, row, 'warning_rule.created', ip);
      return toDto(row);
    },

    async update(actor: Actor, ruleId: string, input: UpdateWarningRuleInput, ip?: string) {
      const row = await load(actor, ruleId);
      const next: WarningRuleRow = { ...row, updated_at: now() };
      if (input.name !== undefined) next.name = input.name.trim();
      if (input.kind !== undefined) next.kind = input.kind;
      if (input.threshold !== undefined) next.threshold = input.threshold;
      if (input.min_sessions !== undefined) next.min_sessions = input.min_sessions;
      if (input.group_id !== undefined) next.group_id = input.group_id;
      if (input.cooldown_days !== undefined) next.cooldown_days = input.cooldown_days;
      if (input.is_active !== undefined) next.is_active = input.is_active ? 1 : 0;
      if (input.notify !== undefined)
        next.notify = JSON.stringify({ ...JSON.parse(row.notify), ...input.notify });
      checkThreshold(next.kind, Number(next.threshold));
      await checkGroup(row.org_id, input.group_id);
      const { rule_id: _id, org_id: _org, created_at: _c, created_by: _b, ...patch } = next;
      await db
        .updateTable('warning_rules')
        .set(patch)
        .where('rule_id', '=', ruleId)
        .where('org_id', '=', row.org_id)
        .execute();
      await audit(actor, next, 'warning_rule.updated', ip);
      return toDto(next);
    },

    async remove(actor: Actor, ruleId: string, ip?: string) {
      const row = await load(actor, ruleId);
      await db
        .deleteFrom('warning_rules')
        .where('rule_id', '=', ruleId)
        .where('org_id', '=', row.org_id)
        .execute();
      await audit(actor, row, 'warning_rule.deleted', ip);
    },

    async warnings(actor: Actor, q: ListWarningsQueryInput) {
      requireRole(actor, 'super_admin', 'admin');
      const scope = readScope(actor, q.org_id);
      const page = pageRequest(q);
      let base = inScope(db.selectFrom('warnings as w'), 'w.org_id', scope);
      if (q.user_id) base = base.where('w.user_id', '=', q.user_id);
      if (q.rule_id) base = base.where('w.rule_id', '=', q.rule_id);
      const rows = await base
        .leftJoin('users as u', 'u.user_id', 'w.user_id')
        .selectAll('w')
        .select('u.name as user_name')
        .orderBy('w.created_at', 'desc')
        .orderBy('w.warning_id', 'desc')
        .limit(page.perPage)
        .offset(page.offset)
        .execute();
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      const items: WarningDto[] = rows.map((r) => ({
        warning_id: r.warning_id,
        org_id: r.org_id,
        rule_id: r.rule_id,
        user_id: r.user_id,
        user_name: r.user_name ?? null,
        session_id: r.session_id,
        kind: r.kind,
        message: r.message,
        details: JSON.parse(r.details),
        recipients: JSON.parse(r.recipients),
        created_at: toIso(Number(r.created_at)),
      }));
      return { items, pagination: pagination(page, count(total)) };
    },
  };
}
export type WarningsService = ReturnType<typeof createWarningsService>;
