/**
 * User administration inside an organization. Admins manage their own organization, super_admin any;
 * teachers may only read students. Deactivation, deletion, a role change or a new password end the
 * user's login sessions in the same transaction, so the next request with an old token gets 401.
 */

import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import type { ChangeBus } from '../../lib/change-events.js';
import { conflict, fieldError, forbidden, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type PasswordHasher, passwordProblems } from '../../lib/passwords.js';
import { normaliseEmail } from '../../lib/strings.js';
import { type Actor, ALL_ORGS, type OrgScope, scopeOf } from '../../lib/tenancy.js';
import { canSeeUser } from '../../lib/visibility.js';
import { recordAudit } from '../audit/audit.repository.js';
import { userSessionsRepository } from '../auth/user-sessions.repository.js';
import { groupsRepository } from '../groups/groups.repository.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { insertUserAnnounced } from './user-events.js';
import { readScope, requireRole, targetOrg } from './users.access.js';
import { toUserDto } from './users.mapper.js';
import { usersRepository as repo, type UserFilter } from './users.repository.js';
import type {
  CreateUserInput,
  DeactivateInactiveInput,
  ListUsersFilter,
  StudentsFilter,
  UpdateUserInput,
} from './users.schemas.js';
import type { UserRow, UserUpdate } from './users.table.js';

export interface UsersDeps {
  db: Kysely<Database>;
  config: Config;
  hasher: PasswordHasher;
  /** user.created goes out on the change bus inside the insert's transaction (the outbox subscribes). */
  changes: ChangeBus;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const emailTaken = () => conflict('EMAIL_TAKEN', 'An account with this email already exists');

export function createUsersService(deps: UsersDeps) {
  const { db, config, hasher } = deps;
  const now = deps.now ?? Date.now;

  const checkPassword = (password: string) => {
    const problem = passwordProblems(password, config.passwordMinLength);
    if (problem) throw fieldError('password', problem);
  };
  const cleanName = (name: string) => {
    const n = name.trim();
    if (!n) throw fieldError('name', 'must not be blank');
    return n;
  };

  async function load(actor: Actor, userId: string): Promise<UserRow> {
    const user = await repo.findById(db, scopeOf(actor), userId);
    // One rule for who sees whom (lib/visibility.ts): a teacher's view holds students only.
    if (!user || !canSeeUser(actor, user)) throw notFound('User');
    return user;
  }

  /** The checks every write on an existing user shares: super_admins are changed by super_admins only. */
  async function loadForWrite(actor: Actor, userId: string): Promise<UserRow> {
    requireRole(actor, 'super_admin', 'admin');
    const user = await load(actor, userId);
    if (user.role === 'super_admin' && actor.role !== 'super_admin')
      throw forbidden('Only a super_admin can change a super_admin account');
    return user;
  }

  async function page(
    scope: OrgScope,
    filter: UserFilter,
    q: { page?: number; per_page?: number; limit?: number },
  ) {
    const req = pageRequest(q);
    const { rows, total } = await repo.list(db, scope, filter, req);
    return { items: rows.map(toUserDto), pagination: pagination(req, total) };
  }

  return {
    async list(actor: Actor, q: ListUsersFilter) {
      requireRole(actor, 'super_admin', 'admin', 'teacher');
      if (actor.role === 'teacher' && q.role !== undefined && q.role !== 'student')
        throw forbidden('Teachers may list students only');
      const role = actor.role === 'teacher' ? 'student' : q.role;
      return page(readScope(actor, q.org_id), { role, is_active: q.is_active, q: q.q }, q);
    },

    async students(actor: Actor, q: StudentsFilter) {
      requireRole(actor, 'super_admin', 'admin', 'teacher');
      const scope = readScope(actor, q.org_id);
      if (q.group_id !== undefined && !(await groupsRepository.findById(db, scope, q.group_id)))
        throw notFound('Group');
      const filter = { role: 'student' as const, is_active: q.is_active, q: q.q, group_id: q.group_id };
      return page(scope, { ...filter, order: 'name' }, q);
    },

    async get(actor: Actor, userId: string) {
      requireRole(actor, 'super_admin', 'admin', 'teacher');
      return toUserDto(await load(actor, userId));
    },

    async create(actor: Actor, input: CreateUserInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      let orgId: string | null = null;
      if (input.role === 'super_admin') {
        if (actor.role !== 'super_admin') throw forbidden('Only a super_admin can create a super_admin');
        if (input.org_id !== undefined) throw fieldError('org_id', 'must be omitted for a super_admin');
      } else {
        orgId = await targetOrg(db, actor, input.org_id);
      }
      const name = cleanName(input.name);
      checkPassword(input.password);
      const t = now();
      const row = {
        user_id: newId(),
        org_id: orgId,
        name,
        email: normaliseEmail(input.email),
        password_hash: await hasher.hash(input.password),
        role: input.role,
        is_active: 1,
        created_at: t,
        updated_at: t,
        last_login_at: null,
        credentials_version: 0,
      };
      try {
        await insertUserAnnounced(db, deps.changes, row, actor.userId);
      } catch (err) {
        if (isUniqueViolation(err)) throw emailTaken();
        throw err;
      }
      await recordAudit(db, {
        orgId,
        actorId: actor.userId,
        action: 'user.create',
        targetType: 'user',
        targetId: row.user_id,
        details: { role: row.role },
        ip,
      });
      return toUserDto(row);
    },

    async update(actor: Actor, userId: string, input: UpdateUserInput, ip?: string) {
      const user = await loadForWrite(actor, userId);
      if (input.role === 'super_admin' && actor.role !== 'super_admin')
        throw forbidden('Only a super_admin can grant the super_admin role');
      const self = user.user_id === actor.userId;
      const roleChanged = input.role !== undefined && input.role !== user.role;
      if (self && roleChanged) throw conflict('CONFLICT', 'You cannot change your own role');
      if (self && input.is_active === false) throw conflict('CONFLICT', 'You cannot deactivate yourself');
      if (roleChanged && input.role !== 'super_admin' && user.org_id === null)
        throw conflict(
          'CONFLICT',
          'This account has no organization, so it cannot take an organization role',
        );
      const t = now();
      const patch: UserUpdate = { updated_at: t };
      if (input.name !== undefined) patch.name = cleanName(input.name);
      if (input.email !== undefined) patch.email = normaliseEmail(input.email);
      if (roleChanged) patch.role = input.role;
      if (input.is_active !== undefined) patch.is_active = input.is_active ? 1 : 0;
      if (input.password !== undefined) {
        checkPassword(input.password);
        patch.password_hash = await hasher.hash(input.password);
      }
      const endSessions = roleChanged || input.password !== undefined || input.is_active === false;
      let revoked = 0;
      try {
        revoked = await db.transaction().execute(async (tx) => {
          await repo.update(tx, scopeOf(actor), userId, patch);
          if (!endSessions) return 0;
          // A login verifying the old password right now must not create a session after this commits.
          const version = await repo.bumpCredentialsVersion(tx, userId);
          // Your own new password keeps the session you set it from, as /auth/change-password does.
          const keep = self ? actor.sessionId : undefined;
          if (keep) await userSessionsRepository.adoptCredentialsVersion(tx, keep, version);
          return userSessionsRepository.revokeAllForUser(tx, userId, 'changed_by_admin', t, keep);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw emailTaken();
        throw err;
      }
      await recordAudit(db, {
        orgId: user.org_id,
        actorId: actor.userId,
        action: 'user.update',
        targetType: 'user',
        targetId: userId,
        details: {
          fields: Object.keys(input),
          ...(roleChanged ? { role: input.role } : {}),
          sessions_revoked: revoked,
        },
        ip,
      });
      return toUserDto(await load(actor, userId));
    },

    /** Soft delete: the account stays (attendance history points at it) but can no longer be used. */
    async remove(actor: Actor, userId: string, ip?: string) {
      const user = await loadForWrite(actor, userId);
      if (user.user_id === actor.userId) throw conflict('CONFLICT', 'You cannot delete your own account');
      const t = now();
      const revoked = await db.transaction().execute(async (tx) => {
        await repo.update(tx, scopeOf(actor), userId, { is_active: 0, updated_at: t });
        // Also ends a login racing the deletion, so re-activating the user revives nothing.
        await repo.bumpCredentialsVersion(tx, userId);
        return userSessionsRepository.revokeAllForUser(tx, userId, 'user_deleted', t);
      });
      await recordAudit(db, {
        orgId: user.org_id,
        actorId: actor.userId,
        action: 'user.delete',
        targetType: 'user',
        targetId: userId,
        details: { sessions_revoked: revoked },
        ip,
      });
      return toUserDto({ ...user, is_active: 0, updated_at: t });
    },

    async deactivateInactive(actor: Actor, input: DeactivateInactiveInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const scope = readScope(actor, input.org_id);
      if (scope !== ALL_ORGS && !(await organizationsRepository.findById(db, scope, scope)))
        throw notFound('Organization');
      const t = now();
      const cutoff = t - input.inactive_days * DAY_MS;
      const userIds = await db.transaction().execute(async (tx) => {
        const ids = await repo.listIdleIds(tx, scope, cutoff, actor.userId);
        await repo.deactivateIdle(tx, scope, ids, cutoff, t);
        await repo.revokeSessionsOf(tx, ids, 'inactive', t);
        return ids;
      });
      await recordAudit(db, {
        orgId: scope === ALL_ORGS ? null : scope,
        actorId: actor.userId,
        action: 'user.deactivate_inactive',
        details: { inactive_days: input.inactive_days, count: userIds.length },
        ip,
      });
      return { count: userIds.length, user_ids: userIds };
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
