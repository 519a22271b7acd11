/**
 * Figures for GET /admin/organizations/{org_id}/stats. Each is one GROUP BY or conditional-sum
 * query in the database, so the cost does not grow with what the service would otherwise load.
 * Callers pass an org id they have already checked against the actor's scope.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/types.js';
import type { AttendanceStatus } from '../attendance/attendance.table.js';
import type { Role } from '../users/users.table.js';

const sumWhen = (cond: RawBuilder<unknown>) =>
  sql<number>`coalesce(sum(case when ${cond} then 1 else 0 end), 0)`;

export const orgStatsRepository = {
  usersByRole(db: Db, orgId: string): Promise<{ role: Role; is_active: number; n: number | string }[]> {
    return db
      .selectFrom('users')
      .select(['role', 'is_active', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy(['role', 'is_active'])
      .execute();
  },

  async groupCount(db: Db, orgId: string): Promise<number> {
    const row = await db
      .selectFrom('groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async sessionCounts(db: Db, orgId: string, now: number) {
    const active = sql`is_active = 1`;
    const open = sql`is_active = 1 and closed_at is null`;
    const row = await db
      .selectFrom('attendance_sessions')
      .select([
        (eb) => eb.fn.countAll<number>().as('total'),
        sumWhen(sql`${open} and start_time > ${now}`).as('upcoming'),
        sumWhen(sql`${open} and start_time <= ${now} and end_time > ${now}`).as('ongoing'),
        sumWhen(sql`${active} and (closed_at is not null or end_time <= ${now})`).as('past'),
        sumWhen(sql`is_active = 0`).as('cancelled'),
      ])
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return {
      total: Number(row.total),
      upcoming: Number(row.upcoming),
      ongoing: Number(row.ongoing),
      past: Number(row.past),
      cancelled: Number(row.cancelled),
    };
  },

  recordsByStatus(db: Db, orgId: string): Promise<{ status: AttendanceStatus; n: number | string }[]> {
    return db
      .selectFrom('attendance_records')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('status')
      .execute();
  },
};
