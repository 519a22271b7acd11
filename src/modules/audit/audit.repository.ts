/** The audit log: who did what to which object. Details are JSON and never carry secrets. */
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { newId } from '../../lib/ids.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import { canonicalAction } from './audit.actions.js';

export interface AuditEntry {
  orgId: string | null;
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordAudit(db: Db, e: AuditEntry, now = Date.now()): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      audit_id: newId(),
      org_id: e.orgId,
      actor_id: e.actorId,
      action: canonicalAction(e.action),
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
      ip_address: e.ip ?? null,
      created_at: now,
    })
    .execute();
}

export interface AuditFilter {
  actorId?: string;
  /** Exact, or a prefix when it ends with '.'. */
  action?: string;
  targetType?: string;
  targetId?: string;
  fromMs?: number;
  /** Exclusive. */
  toMs?: number;
}

/** Newest first; ties broken by id so pages and the export keyset are stable. */
function filtered(db: Db, scope: OrgScope, f: AuditFilter) {
  let q = inScope(db.selectFrom('audit_log as a'), 'a.org_id', scope);
  if (f.actorId) q = q.where('a.actor_id', '=', f.actorId);
  if (f.action) {
    q = f.action.endsWith('.')
      ? q.where(
          'a.action',
          'like',
          sql<string>`${`${f.action.replace(/[!%_]/g, (c) => `!${c}`)}%`} escape '!'`,
        )
      : q.where('a.action', '=', f.action);
  }
  if (f.targetType) q = q.where('a.target_type', '=', f.targetType);
  if (f.targetId) q = q.where('a.target_id', '=', f.targetId);
  if (f.fromMs !== undefined) q = q.where('a.created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) q = q.where('a.created_at', '<', f.toMs);
  return q;
}

const COLUMNS = [
  'a.audit_id',
  'a.org_id',
  'a.actor_id',
  'u.name as actor_name',
  'u.email as actor_email',
  'a.action',
  'a.target_type',
  'a.target_id',
  'a.details',
  'a.ip_address',
  'a.created_at',
] as const;

export type AuditListRow = Awaited<ReturnType<typeof auditRepository.page>>[number];

export const auditRepository = {
  page(db: Db, scope: OrgScope, f: AuditFilter, limit: number, offset: number) {
    return filtered(db, scope, f)
      .leftJoin('users as u', 'u.user_id', 'a.actor_id')
      .select(COLUMNS)
      .orderBy('a.created_at', 'desc')
      .orderBy('a.audit_id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  async count(db: Db, scope: OrgScope, f: AuditFilter): Promise<number> {
    const r = await filtered(db, scope, f)
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** The next chunk after (createdAt, auditId) in the same order as `page` (keyset: flat cost per chunk). */
  after(
    db: Db,
    scope: OrgScope,
    f: AuditFilter,
    cursor: { createdAt: number; auditId: string } | null,
    limit: number,
  ) {
    let q = filtered(db, scope, f).leftJoin('users as u', 'u.user_id', 'a.actor_id');
    if (cursor) {
      q = q.where((eb) =>
        eb.or([
          eb('a.created_at', '<', cursor.createdAt),
          eb.and([eb('a.created_at', '=', cursor.createdAt), eb('a.audit_id', '<', cursor.auditId)]),
        ]),
      );
    }
    return q
      .select(COLUMNS)
      .orderBy('a.created_at', 'desc')
      .orderBy('a.audit_id', 'desc')
      .limit(limit)
      .execute();
  },
};
