/** The teachers of sessions (table session_teachers): read with the sessions, replaced as a whole. */
import type { Db } from '../../db/types.js';

export const sessionTeachersRepository = {
  async forSession(db: Db, sessionId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('session_teachers')
      .select('user_id')
      .where('session_id', '=', sessionId)
      .orderBy('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  },

  /** Teacher ids per session, for a page of sessions (one query). Every asked id is in the map. */
  async forSessions(db: Db, sessionIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(sessionIds.map((id) => [id, []]));
    if (sessionIds.length === 0) return out;
    const rows = await db
      .selectFrom('session_teachers')
      .select(['session_id', 'user_id'])
      .where('session_id', 'in', [...sessionIds])
      .orderBy('user_id')
      .execute();
    for (const r of rows) out.get(r.session_id)?.push(r.user_id);
    return out;
  },

  /** Sets the teachers of one session (of `orgId`) to exactly `userIds`. */
  async replace(db: Db, orgId: string, sessionId: string, userIds: readonly string[]): Promise<void> {
    await db.deleteFrom('session_teachers').where('session_id', '=', sessionId).execute();
    await sessionTeachersRepository.insert(db, orgId, [sessionId], userIds);
  },

  /** Adds the same teachers to several new sessions (a series). */
  async insert(
    db: Db,
    orgId: string,
    sessionIds: readonly string[],
    userIds: readonly string[],
  ): Promise<void> {
    const rows = sessionIds.flatMap((session_id) =>
      userIds.map((user_id) => ({ session_id, user_id, org_id: orgId })),
    );
    // A few hundred rows per statement keeps under every engine's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 300)
      await db
        .insertInto('session_teachers')
        .values(rows.slice(i, i + 300))
        .execute();
  },

  /** Which of `userIds` are active teachers of the organization. */
  async activeTeachersOf(db: Db, orgId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('users')
      .select('user_id')
      .where('org_id', '=', orgId)
      .where('role', '=', 'teacher')
      .where('is_active', '=', 1)
      .where('user_id', 'in', [...userIds])
      .execute();
    return new Set(rows.map((r) => r.user_id));
  },
};
