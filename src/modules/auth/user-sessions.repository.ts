/** Login sessions. Lookups go by session id and user id together: a token names both. */
import { prepared } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import type { NewUserSessionRow, UserSessionRow } from './user-sessions.table.js';

export interface ActiveSessionWithUser {
  session_id: string;
  user_id: string;
  org_id: string | null;
  role: import('../users/users.table.js').Role;
  name: string;
  email: string;
  last_seen_at: number;
  expires_at: number;
  /** The user row's own times: with name, email, role and org they are the whole profile (GET /auth/profile). */
  user_created_at: number;
  user_updated_at: number;
  last_login_at: number | null;
}

const activeWithUser = prepared((db: Db, sessionId: string, userId: string, now: number) =>
  db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.user_id', 's.user_id')
    .select([
      's.session_id',
      's.user_id',
      'u.org_id',
      'u.role',
      'u.name',
      'u.email',
      's.last_seen_at',
      's.expires_at',
      'u.created_at as user_created_at',
      'u.updated_at as user_updated_at',
      'u.last_login_at',
    ])
    .where('s.session_id', '=', sessionId)
    .where('s.user_id', '=', userId)
    .where('s.is_active', '=', 1)
    .where('s.expires_at', '>', now)
    .where('u.is_active', '=', 1)
    // Issued under the user's current credentials (a change since then ends it, whatever raced).
    .whereRef('s.credentials_version', '=', 'u.credentials_version'),
);

export const userSessionsRepository = {
  async insert(db: Db, row: NewUserSessionRow): Promise<void> {
    await db.insertInto('user_sessions').values(row).execute();
  },

  /**
   * The session, if active and unexpired, joined with its user, if active: the check of every
   * authenticated request, prepared (src/db/prepared.ts).
   */
  findActiveWithUser(
    db: Db,
    sessionId: string,
    userId: string,
    now: number,
  ): Promise<ActiveSessionWithUser | undefined> {
    return activeWithUser.first(db, sessionId, userId, now);
  },

  findById(db: Db, sessionId: string): Promise<UserSessionRow | undefined> {
    return db.selectFrom('user_sessions').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
  },

  /** Whether a login of this user succeeded from this address since `since` (any session, even ended). */
  async hasLoggedInFrom(db: Db, userId: string, ip: string, since: number): Promise<boolean> {
    const row = await db
      .selectFrom('user_sessions')
      .select('session_id')
      .where('user_id', '=', userId)
      .where('ip_address', '=', ip)
      .where('created_at', '>', since)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },

  listActiveForUser(db: Db, userId: string, now: number): Promise<UserSessionRow[]> {
    return db
      .selectFrom('user_sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('is_active', '=', 1)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
  },

  /** Advances the refresh generation only if nobody else did first: of two concurrent refreshes, one wins. */
  async rotate(db: Db, sessionId: string, fromGen: number, now: number): Promise<boolean> {
    const res = await db
      .updateTable('user_sessions')
      .set({ refresh_gen: fromGen + 1, last_seen_at: now, rotated_at: now })
      .where('session_id', '=', sessionId)
      .where('refresh_gen', '=', fromGen)
      .where('is_active', '=', 1)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  /** The session the caller changed their own password from stays valid under the new version. */
  async adoptCredentialsVersion(db: Db, sessionId: string, version: number): Promise<void> {
    await db
      .updateTable('user_sessions')
      .set({ credentials_version: version })
      .where('session_id', '=', sessionId)
      .execute();
  },

  async touch(db: Db, sessionId: string, now: number): Promise<void> {
    await db
      .updateTable('user_sessions')
      .set({ last_seen_at: now })
      .where('session_id', '=', sessionId)
      .execute();
  },

  async revoke(db: Db, sessionId: string, userId: string, reason: string, now: number): Promise<boolean> {
    const res = await db
      .updateTable('user_sessions')
      .set({ is_active: 0, revoked_at: now, revoked_reason: reason })
      .where('session_id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('is_active', '=', 1)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  /** Revokes every active session of the user, except `keepSessionId` when given. Returns the count. */
  async revokeAllForUser(
    db: Db,
    userId: string,
    reason: string,
    now: number,
    keepSessionId?: string,
  ): Promise<number> {
    const res = await db
      .updateTable('user_sessions')
      .set({ is_active: 0, revoked_at: now, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('is_active', '=', 1)
      .$if(keepSessionId !== undefined, (qb) => qb.where('session_id', '<>', keepSessionId!))
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  },

  /** Maintenance: deletes sessions that expired or were revoked before `before` (of one org, or all). */
  async deleteStale(db: Db, before: number, orgId?: string): Promise<number> {
    const res = await db
      .deleteFrom('user_sessions')
      .$if(orgId !== undefined, (qb) => qb.where('org_id', '=', orgId!))
      .where((eb) =>
        eb.or([
          eb('expires_at', '<', before),
          eb.and([eb('is_active', '=', 0), eb('revoked_at', '<', before)]),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  },
};
