/**
 * Who sees whom inside an organization — one rule for every route that reveals a user (profile,
 * attendance history, user report). Outside the rule a user is "not found" (404), exactly as a user of
 * another organization: a 403 would confirm the id exists (issue 17.9).
 *
 * - everyone sees themselves;
 * - admins and super_admins see every user of their scope;
 * - teachers see students (their rosters and reports), not other staff;
 * - students see only themselves.
 * The organization scope itself is applied by the repositories (OrgScope); this rule comes on top.
 */
import type { Actor } from './tenancy.js';

export function canSeeUser(actor: Actor, target: { user_id: string; role: string }): boolean {
  if (target.user_id === actor.userId) return true;
  if (actor.role === 'admin' || actor.role === 'super_admin') return true;
  if (actor.role === 'teacher') return target.role === 'student';
  return false;
}
