/** Users, always read and written within an OrgScope. */
import { sql } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { likeContains } from '../../lib/strings.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { NewUserRow, Role, UserRow, UserUpdate } from './users.table.js';

export interface UserFilter {
  role?: Role;
  is_active?: boolean;
  q?: string;
  /** Only members of this group (the caller checks the group is in scope). */
  group_id?: string;
  /** 'recent' (default): newest first; 'name': alphabetical, for rosters. */
  order?: 'recent' | 'name';
}

/** Rows per multi-row statement: 10 columns × 500 stays under every engine's bound-parameter limit. */
export const INSERT_CHUNK = 500;
/** Values per `in (...)` list. */
const IN_CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The caller's own row (profile, verify): prepared (src/db/prepared.ts). */
const self = prepared((db: Db, userId: string) =>
  db.selectFrom('users').selectAll().where('user_id', '=', userId),
);

export const usersRepository = {
  /** Login precedes tenancy: the email is unique across the platform, so this lookup is global. */
  findByEmailForLogin(db: Db, email: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  },

  /** The caller's own row (authenticated user id, or a session's owner): no tenant to cross. */
  findSelf(db: Db, userId: string): Promise<UserRow | undefined> {
    return self.first(db, userId);
  },

  async updateSelf(db: Db, userId: string, patch: UserUpdate): Promise<void> {
    await db.updateTable('users').set(patch).where('user_id', '=', userId).execute();
  },

  /**
   * The login's claim (and a password change's), in the transaction of the write: applies `patch` only if the
   * account is active and its credentials version is still the one read before the password was
   * verified. The row lock this UPDATE takes orders it against a concurrent password change (which
   * bumps the version in its own UPDATE of the row): whichever commits second sees the other.
   */
  async updateIfCurrent(db: Db, userId: string, version: number, patch: UserUpdate): Promise<boolean> {
    const res = await db
      .updateTable('users')
      .set(patch)
      .where('user_id', '=', userId)
      .where('credentials_version', '=', version)
      .where('is_active', '=', 1)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  /**
   * Ends the validity of every session issued so far (they carry the old version) and of every login
   * still verifying a password: call it in the transaction of the change. Returns the new version.
   */
  async bumpCredentialsVersion(db: Db, userId: string): Promise<number> {
    await db
      .updateTable('users')
      .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
      .where('user_id', '=', userId)
      .execute();
    const row = await db
      .selectFrom('users')
      .select('credentials_version')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.credentials_version);
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
      )
      .$if(f.group_id !== undefined, (qb) =>
        qb.where('user_id', 'in', (eb) =>
          eb.selectFrom('group_members').select('group_members.user_id').where('group_id', '=', f.group_id!),
        ),
      );
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .$if(f.order === 'name', (qb) => qb.orderBy(sql`lower(name)`).orderBy('user_id'))
        .$if(f.order !== 'name', (qb) => qb.orderBy('created_at', 'desc').orderBy('user_id'))
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

  /** Which of these (normalised) emails already have an account, anywhere: email is unique platform-wide. */
  async findTakenEmails(db: Db, emails: readonly string[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const part of chunks(emails, IN_CHUNK)) {
      const rows = await db.selectFrom('users').select('email').where('email', 'in', part).execute();
      for (const r of rows) taken.add(r.email);
    }
    return taken;
  },

  /** One multi-row INSERT: all rows or none (a unique violation refuses the whole statement). */
  async insertMany(db: Db, rows: readonly NewUserRow[]): Promise<void> {
    if (rows.length)
      await db
        .insertInto('users')
        .values([...rows])
        .execute();
  },

  /**
   * Active non-super_admin users whose last login (or creation, if they never logged in) is older than
   * `cutoff`, except `exceptUserId` (the caller).
   */
  async listIdleIds(db: Db, scope: OrgScope, cutoff: number, exceptUserId: string): Promise<string[]> {
    const rows = await inScope(db.selectFrom('users').select('user_id'), 'org_id', scope)
      .where('is_active', '=', 1)
      .where('role', '<>', 'super_admin')
      .where('user_id', '<>', exceptUserId)
      .where((eb) => eb(eb.fn.coalesce('last_login_at', 'created_at'), '<', cutoff))
      .orderBy('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  },

  /** Deactivates the users still idle at `cutoff`; returns the ids it changed. */
  async deactivateIdle(db: Db, scope: OrgScope, userIds: readonly string[], cutoff: number, now: number) {
    for (const part of chunks(userIds, IN_CHUNK)) {
      await inScope(db.updateTable('users'), 'org_id', scope)
        .set((eb) => ({
          is_active: 0,
          updated_at: now,
          credentials_version: eb('credentials_version', '+', 1),
        }))
        .where('user_id', 'in', part)
        .where('is_active', '=', 1)
        .where((eb) => eb(eb.fn.coalesce('last_login_at', 'created_at'), '<', cutoff))
        .execute();
    }
  },

  /** Ends every active login session of these users (deactivation must take effect at once). */
  async revokeSessionsOf(db: Db, userIds: readonly string[], reason: string, now: number): Promise<number> {
    let n = 0;
    for (const part of chunks(userIds, IN_CHUNK)) {
      const res = await db
        .updateTable('user_sessions')
        .set({ is_active: 0, revoked_at: now, revoked_reason: reason })
        .where('user_id', 'in', part)
        .where('is_active', '=', 1)
        .executeTakeFirst();
      n += Number(res.numUpdatedRows);
    }
    return n;
  },
};
