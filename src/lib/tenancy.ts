/**
 * Tenancy by construction: repository functions take an OrgScope, which is either one organization's
 * id or ALL_ORGS. Only super_admin code paths ever hold ALL_ORGS (see `scopeOf`).
 */
import type { Role } from '../modules/users/users.table.js';
import { forbidden } from './errors.js';

export const ALL_ORGS: unique symbol = Symbol('all organizations');
export type OrgScope = string | typeof ALL_ORGS;

/** The caller, as established by the authenticate plugin from the database (not from token claims). */
export interface Actor {
  userId: string;
  orgId: string | null;
  role: Role;
  sessionId: string;
  name: string;
  email: string;
  /**
   * The user row as the session check read it (with the check, so exactly as current as the role):
   * what GET /auth/profile answers, without a read of its own. Absent for actors not made by the
   * session check (the CLI's).
   */
  account?: ActorAccount;
}

/** The user's fields the session check reads beside the login session (user-sessions.repository.ts). */
export interface ActorAccount {
  readonly user_id: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly org_id: string | null;
  readonly user_created_at: number;
  readonly user_updated_at: number;
  readonly last_login_at: number | null;
}

/** The organizations the actor may read: super_admin all, everyone else their own. */
export function scopeOf(actor: Actor): OrgScope {
  if (actor.role === 'super_admin') return ALL_ORGS;
  // A non-super user always has an org (enforced at creation); an empty string matches nothing.
  return actor.orgId ?? '';
}

/** Applies a scope to a query on a table with an org_id column. */
export function inScope<QB extends { where: (...a: never[]) => QB }>(
  qb: QB,
  column: string,
  scope: OrgScope,
): QB {
  if (scope === ALL_ORGS) return qb;
  return (qb.where as unknown as (c: string, op: string, v: string) => QB)(column, '=', scope);
}

/** The role gate every service runs first (routes gate too; this keeps services safe to call from anywhere). */
export function requireRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) throw forbidden();
}

export const isStaff = (role: Role) => role === 'teacher' || role === 'admin' || role === 'super_admin';
export const isAdmin = (role: Role) => role === 'admin' || role === 'super_admin';
