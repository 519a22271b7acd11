import { forbidden } from '../../lib/errors.js';
import type { Actor } from '../../lib/tenancy.js';

/** What the access rule needs of a session: its organization and its teachers (API.md Part 2). */
export interface ManagedSession {
  org_id: string;
  /** The session's teachers (table session_teachers); `sessionsRepository.findById` loads them. */
  teacher_ids: readonly string[];
}

/**
 * Who runs a session — reads its code, opens its live feed, reviews, corrects, force-checks-in,
 * updates, cancels and closes it: the session's teachers, any admin of its organization, a
 * super_admin. Other teachers of the organization keep read access only. Being the creator gives
 * nothing by itself: an admin may take a teacher off a session. The caller has already found the
 * session within the actor's scope (another org's session is a 404 before this).
 */
export function canManageSession(actor: Actor, session: ManagedSession): boolean {
  switch (actor.role) {
    case 'super_admin':
      return true;
    case 'admin':
      return actor.orgId === session.org_id;
    case 'teacher':
      return actor.orgId === session.org_id && session.teacher_ids.includes(actor.userId);
    default:
      return false;
  }
}

export function assertCanManageSession(actor: Actor, session: ManagedSession): void {
  if (!canManageSession(actor, session)) {
    throw forbidden('Only the teachers of this session or an admin may do this');
  }
}
