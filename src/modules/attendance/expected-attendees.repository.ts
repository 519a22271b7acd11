/**
 * Expected attendees of a session: the active student members of its group, or every active student
 * of its organization when it has none. Read straight from users and group_members (owned by the
 * users and groups modules) so that attendance does not depend on those modules' services.
 */
import type { Db } from '../../db/types.js';

type SessionRef = { session_id: string; org_id: string; group_id: string | null };

function expectedUsers(db: Db, s: SessionRef) {
  return db
    .selectFrom('users as u')
    .where('u.org_id', '=', s.org_id)
    .where('u.role', '=', 'student')
    .where('u.is_active', '=', 1)
    .$if(s.group_id !== null, (qb) =>
      qb.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('group_members as gm')
            .select('gm.user_id')
            .where('gm.group_id', '=', s.group_id!)
            .whereRef('gm.user_id', '=', 'u.user_id'),
        ),
      ),
    );
}

export const expectedAttendeesRepository = {
  /**
   * Group membership of one user (a primary-key lookup). The check-in path calls this only for group
   * sessions: being an active student of the org is already known from the authenticated actor.
   */
  async isGroupMember(db: Db, orgId: string, groupId: string, userId: string): Promise<boolean> {
    const row = await db
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row !== undefined;
  },

  async count(db: Db, s: SessionRef): Promise<number> {
    const row = await expectedUsers(db, s)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Expected attendees without any record for the session, in user_id order (a stable lock order). */
  async listWithoutRecord(db: Db, s: SessionRef): Promise<string[]> {
    const rows = await expectedUsers(db, s)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('attendance_records as r')
              .select('r.record_id')
              .where('r.session_id', '=', s.session_id)
              .whereRef('r.user_id', '=', 'u.user_id'),
          ),
        ),
      )
      .select('u.user_id')
      .orderBy('u.user_id')
      .execute();
    return rows.map((r) => r.user_id);
  },

  /** Expected attendees who have no record yet, with their names (the open part of a session roster). */
  listPendingWithUsers(
    db: Db,
    s: SessionRef,
  ): Promise<{ user_id: string; name: string; email: string; role: string }[]> {
    return expectedUsers(db, s)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('attendance_records as r')
              .select('r.record_id')
              .where('r.session_id', '=', s.session_id)
              .whereRef('r.user_id', '=', 'u.user_id'),
          ),
        ),
      )
      .select(['u.user_id', 'u.name', 'u.email', 'u.role'])
      .orderBy('u.name')
      .orderBy('u.user_id')
      .execute();
  },
};
