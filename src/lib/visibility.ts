/**
 * Who sees whom inside an organization — one rule for every route that reveals a user (profile,
 * attendance history, user report) and every list of users (group members, a session's records and
 * report, the organization summary, exports). Outside the rule a user is "not found" (404), exactly as
 * a user of another organization: a 403 would confirm the id exists (issue 17.9); in a list the user's
 * row is left out.
 *
 * - everyone sees themselves;
 * - admins and super_admins see every user of their scope;
 * - teachers see students (their rosters and reports), not other staff;
 * - students see only themselves.
 * The organization scope itself is applied by the repositories (OrgScope); this rule comes on top.
 */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Role } from '../modules/users/users.table.js';
import type { Actor } from './tenancy.js';

/** The roles of the other users the actor sees; null: every role. */
function rolesSeenBy(actor: Actor): readonly Role[] | null {
  if (actor.role === 'admin' || actor.role === 'super_admin') return null;
  if (actor.role === 'teacher') return ['student'];
  return [];
}

/** Whether the actor sees every user of its scope (lists then need no filter). */
export const seesEveryUser = (actor: Actor): boolean => rolesSeenBy(actor) === null;

export function canSeeUser(actor: Actor, target: { user_id: string; role: string }): boolean {
  if (target.user_id === actor.userId) return true;
  const roles = rolesSeenBy(actor);
  return roles === null || (roles as readonly string[]).includes(target.role);
}

/**
 * The rule as a filter of a query joining users, for lists that are paged or limited in SQL (where a
 * filter after the query would break the page): `userId` and `role` name the joined user's columns.
 */
export function onlyUsersSeenBy<QB extends { where: (...a: never[]) => QB }>(
  qb: QB,
  actor: Actor,
  columns: { userId: string; role: string },
): QB {
  const roles = rolesSeenBy(actor);
  if (roles === null) return qb;
  // biome-ignore lint/suspicious/noExplicitAny: the columns are those of the caller's own query
  type Eb = ExpressionBuilder<any, any>;
  const where = qb.where as unknown as (f: (eb: Eb) => Expression<SqlBool>) => QB;
  return where.call(qb, (eb) =>
    eb.or([
      eb(columns.userId, '=', actor.userId),
      ...(roles.length ? [eb(columns.role, 'in', roles as Role[])] : []),
    ]),
  );
}
