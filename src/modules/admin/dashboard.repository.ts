/** Dashboard figures for one organization, each one GROUP BY or COUNT in the database. */
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { sessionCountSums, toCounts } from '../reports/status-counts.js';

export const dashboardRepository = {
  async usersByRole(db: Db, orgId: string) {
    const rows = await db
      .selectFrom('users')
      .select(['role', 'is_active'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .groupBy(['role', 'is_active'])
      .execute();
    const out: Record<string, { active: number; inactive: number; total: number }> = {};
    for (const role of ['admin', 'teacher', 'student']) out[role] = { active: 0, inactive: 0, total: 0 };
    for (const r of rows) {
      out[r.role] ??= { active: 0, inactive: 0, total: 0 };
      const slot = out[r.role]!;
      const n = Number(r.n);
      if (r.is_active) slot.active += n;
      else slot.inactive += n;
      slot.total += n;
    }
    return out;
  },

  async sessionsToday(db: Db, orgId: string, dayStart: number, dayEnd: number, now: number) {
    const row = await db
      .selectFrom('attendance_sessions')
      .select([
        sql<number>`sum(case when start_time >= ${dayStart} and start_time < ${dayEnd} then 1 else 0 end)`.as(
          'today',
        ),
        sql<number>`sum(case when start_time - checkin_opens_minutes * 60000 <= ${now} and end_time >= ${now} and closed_at is null then 1 else 0 end)`.as(
          'open_now',
        ),
      ])
      .where('org_id', '=', orgId)
      .where('is_active', '=', 1)
      // Only sessions touching today or now can count: the index on (org_id, end_time) bounds the scan.
      .where('end_time', '>=', Math.min(dayStart, now))
      .executeTakeFirst();
    return { today: Number(row?.today ?? 0), open_now: Number(row?.open_now ?? 0) };
  },

  async checkInsBetween(db: Db, orgId: string, from: number, to: number) {
    const row = await db
      .selectFrom('attendance_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('created_at', '>=', from - 86_400_000) // index-friendly bound; check_in_time decides below
      .where('check_in_time', '>=', from)
      .where('check_in_time', '<', to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /**
   * Counts over sessions held (ended, active, closed) whose end lies in [from, now], summed from their
   * per-session counts (the caller closes ended sessions first, so every held session has them).
   */
  async heldCountsSince(db: Db, orgId: string, from: number, now: number) {
    const row = await db
      .selectFrom('attendance_sessions as s')
      .select(sessionCountSums)
      .where('s.org_id', '=', orgId)
      .where('s.is_active', '=', 1)
      .where('s.closed_at', 'is not', null)
      .where('s.end_time', '>=', from)
      .where('s.end_time', '<=', now)
      .executeTakeFirst();
    return toCounts(row);
  },

  nextSessions(db: Db, orgId: string, now: number, limit: number) {
    return db
      .selectFrom('attendance_sessions')
      .select(['session_id', 'session_name', 'start_time', 'end_time', 'group_id'])
      .where('org_id', '=', orgId)
      .where('is_active', '=', 1)
      .where('start_time', '>', now)
      .orderBy('start_time')
      .limit(limit)
      .execute();
  },
};
