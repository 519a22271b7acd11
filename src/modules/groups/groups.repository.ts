/** Groups (rosters) and their members, always within an OrgScope. */
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { likeContains } from '../../lib/strings.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { Role } from '../users/users.table.js';
import type { GroupRow, NewGroupRow } from './groups.table.js';

export type GroupWithCount = GroupRow & { member_count: number | string | bigint };

export interface MemberRow {
  user_id: string;
  name: string;
  email: string;
  role: Role;
  is_active: number;
}

/** Rows per multi-row insert of memberships (4 columns): far below every engine's parameter limit. */
const MEMBER_CHUNK = 500;

const withCount = (db: Db, scope: OrgScope) =>
  inScope(db.selectFrom('groups as g'), 'g.org_id', scope).select((eb) => [
    'g.group_id',
    'g.org_id',
    'g.name',
    'g.description',
    'g.created_at',
    'g.updated_at',
    eb
      .selectFrom('group_members as m')
      .select(eb.fn.countAll<number>().as('c'))
      .whereRef('m.group_id', '=', 'g.group_id')
      .as('member_count'),
  ]);

export const groupsRepository = {
  findById(db: Db, scope: OrgScope, groupId: string): Promise<GroupWithCount | undefined> {
    return withCount(db, scope).where('g.group_id', '=', groupId).executeTakeFirst() as Promise<
      GroupWithCount | undefined
    >;
  },

  async list(
    db: Db,
    scope: OrgScope,
    f: { q?: string },
    page: PageRequest,
  ): Promise<{ rows: GroupWithCount[]; total: number }> {
    const byName = sql`lower(g.name)`;
    const [rows, count] = await Promise.all([
      withCount(db, scope)
        .$if(Boolean(f.q), (qb) => qb.where(byName, 'like', likeContains(f.q!)))
        .orderBy(byName)
        .orderBy('g.group_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      inScope(db.selectFrom('groups as g'), 'g.org_id', scope)
        .$if(Boolean(f.q), (qb) => qb.where(byName, 'like', likeContains(f.q!)))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows: rows as GroupWithCount[], total: Number(count.n) };
  },

  members(db: Db, groupId: string): Promise<MemberRow[]> {
    return db
      .selectFrom('group_members as m')
      .innerJoin('users as u', 'u.user_id', 'm.user_id')
      .select(['u.user_id', 'u.name', 'u.email', 'u.role', 'u.is_active'])
      .where('m.group_id', '=', groupId)
      .orderBy(sql`lower(u.name)`)
      .orderBy('u.user_id')
      .execute();
  },

  async insert(db: Db, row: NewGroupRow): Promise<void> {
    await db.insertInto('groups').values(row).execute();
  },

  async update(
    db: Db,
    scope: OrgScope,
    groupId: string,
    patch: { name?: string; description?: string | null; updated_at: number },
  ): Promise<boolean> {
    const res = await inScope(
      db.updateTable('groups').set(patch).where('group_id', '=', groupId),
      'org_id',
      scope,
    ).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  async isUsedBySessions(db: Db, groupId: string): Promise<boolean> {
    const row = await db
      .selectFrom('attendance_sessions')
      .select('session_id')
      .where('group_id', '=', groupId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },

  /** The group and its memberships, together. */
  async delete(tx: Tx, scope: OrgScope, groupId: string): Promise<boolean> {
    await inScope(tx.deleteFrom('group_members').where('group_id', '=', groupId), 'org_id', scope).execute();
    const res = await inScope(
      tx.deleteFrom('groups').where('group_id', '=', groupId),
      'org_id',
      scope,
    ).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },

  /** Which of these ids are users of the organization. */
  async usersInOrg(db: Db, orgId: string, userIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < userIds.length; i += MEMBER_CHUNK) {
      const rows = await db
        .selectFrom('users')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('user_id', 'in', userIds.slice(i, i + MEMBER_CHUNK))
        .execute();
      for (const r of rows) found.add(r.user_id);
    }
    return found;
  },

  async memberIds(db: Db, groupId: string, userIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < userIds.length; i += MEMBER_CHUNK) {
      const rows = await db
        .selectFrom('group_members')
        .select('user_id')
        .where('group_id', '=', groupId)
        .where('user_id', 'in', userIds.slice(i, i + MEMBER_CHUNK))
        .execute();
      for (const r of rows) found.add(r.user_id);
    }
    return found;
  },

  async addMembers(
    db: Db,
    rows: readonly { group_id: string; user_id: string; org_id: string; added_at: number }[],
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += MEMBER_CHUNK) {
      await db
        .insertInto('group_members')
        .values(rows.slice(i, i + MEMBER_CHUNK))
        .execute();
    }
  },

  async removeMember(db: Db, orgId: string, groupId: string, userId: string): Promise<boolean> {
    const res = await db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },
};
