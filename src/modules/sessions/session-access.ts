import { forbidden } from '../../lib/errors.js';
import type { Actor } from '../../lib/tenancy.js';

/**
 * Who may change a session and the attendance taken in it: the teacher who created it, any admin of
 * its organization, a super_admin. Reading stays open to all staff of the organization. The caller
 * has already found the session within the actor's scope (another org's session is a 404 before this).
 */
export function canManageSession(
  actor: Actor,
  session: { org_id: string; created_by: string | null },
): boolean {
  switch (actor.role) {
    case 'super_admin':
      return true;
    case 'admin':
      return actor.orgId === session.org_id;
    case 'teacher':
      return actor.orgId === session.org_id && session.created_by === actor.userId;
    default:
      return false;
  }
}

export function assertCanManageSession(
  actor: Actor,
  session: { org_id: string; created_by: string | null },
): void {
  if (!canManageSession(actor, session)) {
    throw forbidden('Only the teacher who created this session or an admin may change it');
  }
}
