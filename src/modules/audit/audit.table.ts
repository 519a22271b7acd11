import type { Insertable } from 'kysely';

export interface AuditLogTable {
  audit_id: string;
  org_id: string | null;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON text; never secrets. */
  details: string | null;
  ip_address: string | null;
  created_at: number;
}
export type NewAuditRow = Insertable<AuditLogTable>;
