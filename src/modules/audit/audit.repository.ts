/** The audit log: who did what to which object. Details are JSON and never carry secrets. */
import type { Db } from '../../db/types.js';
import { newId } from '../../lib/ids.js';

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
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
      ip_address: e.ip ?? null,
      created_at: now,
    })
    .execute();
}
