/** Users, always read and written within an OrgScope. */
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { likeContains } from '../../lib/strings.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { NewUserRow, Role, UserRow, UserUpdate } from './users.table.js';

export interface UserFilter {
  role?: Role;
  is_active?: boolean;
  q?: string;
}

export const usersRepository = {
  /** Login precedes tenancy: the email is unique across the platform, so this lookup is global. */
  findByEmailForLogin(db: Db, email: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  },

  /** The caller's own row (authenticated user id, or a session's owner): no tenant to cross. */
  findSelf(db: Db, userId: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('user_id', '=', userId).executeTakeFirst();
  },

  async updateSelf(db: Db, userId: string, patch: UserUpdate): Promise<void> {
    await db.updateTable('users').set(patch).where('user_id', '=', userId).execute();
  },

  findById(db: Db, scope: OrgScope, userId: string): Promise<UserRow | undefined> {
    return inScope(
      db.selectFrom('users').selectAll().where('user_id', '=', userId),
      'org_id',
      scope,
    ).executeTakeFirst();
  },

  async list(
    db: Db,
    scope: OrgScope,
    f: UserFilter,
    page: PageRequest,
  ): Promise<{ rows: UserRow[]; total: number }> {
    const base = inScope(db.selectFrom('users'), 'org_id', scope)
      .$if(f.role !== undefined, (qb) => qb.where('role', '=', f.role!))
      .$if(f.is_active !== undefined, (qb) => qb.where('is_active', '=', f.is_active ? 1 : 0))
      .$if(Boolean(f.q), (qb) =>
        qb.where((eb) =>
          eb.or([eb(sql`lower(name)`, 'like', likeContains(f.q!)), eb('email', 'like', likeContains(f.q!))]),
        ),
      );
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('user_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async insert(db: Db, row: NewUserRow): Promise<void> {
    await db.insertInto('users').values(row).execute();
  },

  async update(db: Db, scope: OrgScope, userId: string, patch: UserUpdate): Promise<boolean> {
    const res = await inScope(
      db.updateTable('users').set(patch).where('user_id', '=', userId),
      'org_id',
      scope,
    ).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  countByOrg(db: Db): Promise<{ n: number }> {
    return db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
  },
};
