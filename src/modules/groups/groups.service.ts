/**
 * Groups (rosters): admins write, teachers read. Members are users of the group's organization;
 * adding an existing member is a no-op, so a client can resend a roster safely.
 */
import type { Kysely } from 'kysely';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import { AppError, conflict, fieldError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, scopeOf } from '../../lib/tenancy.js';
import { canSeeUser } from '../../lib/visibility.js';
import { recordAudit } from '../audit/audit.repository.js';
import { readScope, requireRole, targetOrg } from '../users/users.access.js';
import { toGroupDto, toMemberDto } from './groups.mapper.js';
import { groupsRepository as repo } from './groups.repository.js';
import type {
  AddMembersInput,
  CreateGroupInput,
  ListGroupsFilter,
  UpdateGroupInput,
} from './groups.schemas.js';

export interface GroupsDeps {
  db: Kysely<Database>;
  now?: () => number;
}

const nameTaken = () => conflict('CONFLICT', 'A group with this name already exists in the organization');
const cleanName = (name: string) => {
  const n = name.trim();
  if (!n) throw fieldError('name', 'must not be blank');
  return n;
};
const cleanText = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);

export function createGroupsService(deps: GroupsDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  async function load(actor: Actor, groupId: string) {
    const group = await repo.findById(db, scopeOf(actor), groupId);
    if (!group) throw notFound('Group');
    return group;
  }

  const audit = (
    actor: Actor,
    orgId: string,
    action: string,
    groupId: string,
    ip?: string,
    details?: Record<string, unknown>,
  ) =>
    recordAudit(db, {
      orgId,
      actorId: actor.userId,
      action,
      targetType: 'group',
      targetId: groupId,
      details,
      ip,
    });

  return {
    async list(actor: Actor, q: ListGroupsFilter) {
      requireRole(actor, 'super_admin', 'admin', 'teacher');
      const page = pageRequest(q);
      const { rows, total } = await repo.list(db, readScope(actor, q.org_id), { q: q.q }, page);
      return { items: rows.map(toGroupDto), pagination: pagination(page, total) };
    },

    async create(actor: Actor, input: CreateGroupInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const orgId = await targetOrg(db, actor, input.org_id);
      const t = now();
      const row = {
        group_id: newId(),
        org_id: orgId,
        name: cleanName(input.name),
        description: cleanText(input.description) ?? null,
        created_at: t,
        updated_at: t,
      };
      try {
        await repo.insert(db, row);
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken();
        throw err;
      }
      await audit(actor, orgId, 'group.create', row.group_id, ip);
      return toGroupDto({ ...row, member_count: 0 });
    },

    async get(actor: Actor, groupId: string) {
      requireRole(actor, 'super_admin', 'admin', 'teacher');
      const group = await load(actor, groupId);
      const members = await repo.members(db, groupId);
      // A teacher's roster view lists the members it may see (lib/visibility.ts): students, not staff.
      const seen = members.filter((m) => canSeeUser(actor, m));
      return { ...toGroupDto(group), members: seen.map(toMemberDto) };
    },

    async update(actor: Actor, groupId: string, input: UpdateGroupInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const group = await load(actor, groupId);
      const patch: { name?: string; description?: string | null; updated_at: number } = { updated_at: now() };
      if (input.name !== undefined) patch.name = cleanName(input.name);
      if (input.description !== undefined) patch.description = cleanText(input.description) ?? null;
      try {
        await repo.update(db, scopeOf(actor), groupId, patch);
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken();
        throw err;
      }
      await audit(actor, group.org_id, 'group.update', groupId, ip, { fields: Object.keys(input) });
      return toGroupDto(await load(actor, groupId));
    },

    async remove(actor: Actor, groupId: string, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const group = await load(actor, groupId);
      const inUse = () =>
        conflict('CONFLICT', 'Attendance sessions target this group; move or delete them before deleting it');
      if (await repo.isUsedBySessions(db, groupId)) throw inUse();
      try {
        // A session created since the check makes the delete fail on its foreign key: same answer.
        await db.transaction().execute((tx) => repo.delete(tx, scopeOf(actor), groupId));
      } catch (err) {
        if (isForeignKeyViolation(err)) throw inUse();
        throw err;
      }
      await audit(actor, group.org_id, 'group.delete', groupId, ip, { name: group.name });
    },

    async addMembers(actor: Actor, groupId: string, input: AddMembersInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const group = await load(actor, groupId);
      const ids = [...new Set(input.user_ids.map((id) => id.toLowerCase()))];
      const inOrg = await repo.usersInOrg(db, group.org_id, ids);
      const missing = ids.filter((id) => !inOrg.has(id));
      // One answer for "no such user" and "another organization's user": nothing leaks across tenants.
      if (missing.length)
        throw new AppError(404, 'NOT_FOUND', 'Some users were not found in this organization', {
          details: { missing_user_ids: missing },
        });
      const t = now();
      const existing = await repo.memberIds(db, groupId, ids);
      const rows = ids
        .filter((id) => !existing.has(id))
        .map((user_id) => ({ group_id: groupId, user_id, org_id: group.org_id, added_at: t }));
      let added = rows.length;
      try {
        await repo.addMembers(db, rows);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw notFound('Group');
        if (!isUniqueViolation(err)) throw err;
        // Someone added some of them at the same time: insert one by one, skipping those.
        added = 0;
        for (const row of rows) {
          try {
            await repo.addMembers(db, [row]);
            added++;
          } catch (e) {
            if (!isUniqueViolation(e)) throw e;
          }
        }
      }
      await audit(actor, group.org_id, 'group.add_members', groupId, ip, { added });
      return { ...toGroupDto(await load(actor, groupId)), added };
    },

    async removeMember(actor: Actor, groupId: string, userId: string, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const group = await load(actor, groupId);
      if (!(await repo.removeMember(db, group.org_id, groupId, userId))) throw notFound('Member');
      await audit(actor, group.org_id, 'group.remove_member', groupId, ip, { user_id: userId });
      return toGroupDto(await load(actor, groupId));
    },
  };
}
export type GroupsService = ReturnType<typeof createGroupsService>;
