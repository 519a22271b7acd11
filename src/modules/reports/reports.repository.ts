/**
 * Report aggregations, computed by GROUP BY in the database and always scoped to one organization.
 * "Held" sessions are active sessions whose end_time has passed; callers close them first, so
 * every expected attendee of a held session has a record (absent at worst).
 */
import { type AliasedSelectQueryBuilder, sql } from 'kysely';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import type { Actor } from '../../lib/tenancy.js';
import { planMonths, type Span } from '../../lib/utc-months.js';
import { onlyUsersSeenBy, seesEveryUser } from '../../lib/visibility.js';
import { userCountsRepository } from '../sessions/user-counts.repository.js';
import { sessionCountSums, statusCountSelections, toCounts } from './status-counts.js';

export interface Range {
  fromMs?: number;
  toMs?: number;
}

/** Held sessions of the org whose start lies in the range. */
const heldSessions = (db: Db, orgId: string, range: Range, now: number) =>
  db
    .selectFrom('attendance_sessions as s')
    .where('s.org_id', '=', orgId)
    .where('s.is_active', '=', 1)
    .where('s.end_time', '<=', now)
    .where('s.closed_at', 'is not', null) // closed, hence counted (callers close ended sessions first)
    .$if(range.fromMs !== undefined, (qb) => qb.where('s.start_time', '>=', range.fromMs!))
    .$if(range.toMs !== undefined, (qb) => qb.where('s.start_time', '<', range.toMs!));

const heldRecords = (db: Db, orgId: string, range: Range, now: number) =>
  heldSessions(db, orgId, range, now).innerJoin('attendance_records as r', 'r.session_id', 's.session_id');

const ATTENDED = sql<number>`case when r.status in ('present', 'late') then 1 else 0 end`;

/**
 * Keeps the rows of users `seenBy` may see (lib/visibility.ts), before the list is ranked and cut, so
 * a teacher's ten lowest are ten students. No filter for callers who see everyone (or none named).
 */
const seenOnly =
  (db: Db, orgId: string, userIdColumn: string, seenBy: Actor | undefined) =>
  <QB extends { where: (...a: never[]) => QB }>(qb: QB): QB => {
    if (!seenBy || seesEveryUser(seenBy)) return qb;
    const seen = onlyUsersSeenBy(
      db.selectFrom('users as u').select('u.user_id').where('u.org_id', '=', orgId),
      seenBy,
      { userId: 'u.user_id', role: 'u.role' },
    );
    return (qb.where as unknown as (c: string, op: 'in', v: typeof seen) => QB)(userIdColumn, 'in', seen);
  };

/** The lowest-attendance rows (user_id, sessions, attended) with names, in the list's order and rounding. */
async function withNames(
  db: Db,
  worst: AliasedSelectQueryBuilder<{ user_id: string; sessions: number; attended: number }, 't'>,
) {
  const rows = await db
    .selectFrom(worst)
    .innerJoin('users as u', 'u.user_id', 't.user_id')
    .select(['t.user_id', 'u.name', 'u.email', 't.sessions', 't.attended'])
    .orderBy(sql`t.attended * 1.0 / t.sessions`)
    .orderBy('t.sessions', 'desc')
    .orderBy('t.user_id')
    .execute();
  return rows.map((r) => {
    const sessions = Number(r.sessions);
    const att = Number(r.attended);
    return {
      user_id: r.user_id,
      name: r.name,
      email: r.email,
      sessions,
      attended: att,
      attendance_rate: sessions ? Math.round((att / sessions) * 10_000) / 10_000 : null,
    };
  });
}

export const reportsRepository = {
  async sessionsHeld(db: Db, orgId: string, range: Range, now: number): Promise<number> {
    const row = await heldSessions(db, orgId, range, now)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Per group (null: sessions for the whole org), summed from the sessions' counts (migration 0004). */
  async perGroup(db: Db, orgId: string, range: Range, now: number) {
    const rows = await heldSessions(db, orgId, range, now)
      .leftJoin('groups as g', 'g.group_id', 's.group_id')
      .select(['s.group_id', 'g.name as group_name'])
      .select((eb) => eb.fn.countAll<number>().as('sessions'))
      .select(sessionCountSums)
      .groupBy(['s.group_id', 'g.name'])
      .orderBy('g.name')
      .execute();
    return rows.map((r) => ({
      group_id: r.group_id,
      group_name: r.group_name ?? null,
      sessions: Number(r.sessions),
      ...toCounts(r),
    }));
  },

  /**
   * Users with the lowest rate: aggregated per user id first, names joined for the few that are kept.
   * For an org whose per-user months are built (migration 0012): the month rows of the range, plus the
   * held records of the parts of its end months left out, less the counted records of the parts taken
   * in that lie outside it (planMonths), less the records of closed sessions in the range that have not
   * ended (counted in the rows, not held yet). Otherwise, and for an open range, every record of the
   * range (`lowestAttendanceFromRecords`). Each part is aggregated per user before they are added up:
   * on SQLite the month rows are then read in user order, without a sort.
   */
  async lowestAttendance(db: Db, orgId: string, range: Range, now: number, limit: number, seenBy?: Actor) {
    const { fromMs, toMs } = range;
    if (fromMs === undefined || toMs === undefined || !(await userCountsRepository.isBuilt(db, orgId)))
      return reportsRepository.lowestAttendanceFromRecords(db, orgId, range, now, limit, seenBy);
    const counted = () =>
      db
        .selectFrom('attendance_sessions as s')
        .where('s.org_id', '=', orgId)
        .where('s.is_active', '=', 1)
        .where('s.closed_at', 'is not', null);
    const plan = await planMonths(fromMs, toMs, async ([a, b]) => {
      const row = await counted()
        .where('s.start_time', '>=', a)
        .where('s.start_time', '<', b)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    });
    const inSpans = (spans: Span[]) =>
      sql<boolean>`(${sql.join(
        spans.map(([a, b]) => sql`(s.start_time >= ${a} and s.start_time < ${b})`),
        sql` or `,
      )})`;
    const perUser = (sign: '' | '-') =>
      [
        'r.user_id',
        sql<number>`${sql.raw(sign)}count(*)`.as('sessions'),
        sql<number>`${sql.raw(sign)}sum(${ATTENDED})`.as('attended'),
      ] as const;
    const [mFrom, mTo] = plan.months;
    const months = db
      .selectFrom('user_attendance_months as m')
      .select([
        'm.user_id',
        sql<number>`sum(m.sessions)`.as('sessions'),
        sql<number>`sum(m.attended)`.as('attended'),
      ])
      .where('m.org_id', '=', orgId)
      .where('m.month_start', '>=', mFrom)
      .where('m.month_start', '<', mTo)
      .groupBy('m.user_id');
    const added = heldRecords(db, orgId, {}, now)
      .where(inSpans(plan.add))
      .select(perUser(''))
      .groupBy('r.user_id');
    // In the rows but not in the answer: outside the range, or in it and not ended yet.
    const notEnded = sql<boolean>`(s.end_time > ${now} and s.start_time >= ${Math.max(fromMs, mFrom)} and s.start_time < ${Math.min(toMs, mTo)})`;
    const taken = counted()
      .innerJoin('attendance_records as r', 'r.session_id', 's.session_id')
      .where(plan.subtract.length ? sql<boolean>`(${inSpans(plan.subtract)} or ${notEnded})` : notEnded)
      .select(perUser('-'))
      .groupBy('r.user_id');
    const union = (plan.add.length ? months.unionAll(added) : months).unionAll(taken);
    const sessions = sql<number>`sum(x.sessions)`;
    const attended = sql<number>`sum(x.attended)`;
    const worst = db
      .selectFrom(union.as('x'))
      .select(['x.user_id', sessions.as('sessions'), attended.as('attended')])
      .$call(seenOnly(db, orgId, 'x.user_id', seenBy))
      .groupBy('x.user_id')
      .having(sessions, '>', 0)
      // The reference's expressions over the same integers: the same ordering on every engine.
      .orderBy(sql`${attended} * 1.0 / ${sessions}`)
      .orderBy(sessions, 'desc')
      .orderBy('x.user_id')
      .limit(limit)
      .as('t');
    return withNames(db, worst);
  },

  /** The reference: every held record of the range grouped by user (the test compares with it). */
  async lowestAttendanceFromRecords(
    db: Db,
    orgId: string,
    range: Range,
    now: number,
    limit: number,
    seenBy?: Actor,
  ) {
    const worst = heldRecords(db, orgId, range, now)
      .$call(seenOnly(db, orgId, 'r.user_id', seenBy))
      .select([
        'r.user_id',
        sql<number>`count(r.status)`.as('sessions'),
        sql<number>`sum(${ATTENDED})`.as('attended'),
      ])
      .groupBy('r.user_id')
      .orderBy(sql`sum(${ATTENDED}) * 1.0 / count(r.status)`)
      .orderBy(sql`count(r.status)`, 'desc')
      .orderBy('r.user_id')
      .limit(limit)
      .as('t');
    return withNames(db, worst);
  },

  async userTotals(db: Db, orgId: string, userId: string, range: Range, now: number) {
    const row = await heldRecords(db, orgId, range, now)
      .where('r.user_id', '=', userId)
      .select(statusCountSelections())
      .select([
        sql<
          number | null
        >`avg(case when r.status = 'late' and r.check_in_time is not null then r.check_in_time - s.start_time end)`.as(
          'avg_late_ms',
        ),
      ])
      .executeTakeFirst();
    return { counts: toCounts(row), avgLateMs: row?.avg_late_ms == null ? null : Number(row.avg_late_ms) };
  },

  async userSessions(db: Db, orgId: string, userId: string, range: Range, now: number, page: PageRequest) {
    const base = heldRecords(db, orgId, range, now).where('r.user_id', '=', userId);
    const [rows, total] = await Promise.all([
      base
        .select([
          's.session_id',
          's.session_name',
          's.start_time',
          's.end_time',
          'r.record_id',
          'r.status',
          'r.check_in_time',
          'r.check_out_time',
          'r.distance_m',
          'r.notes',
        ])
        .orderBy('s.start_time', 'desc')
        .orderBy('s.session_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  },

  /** Per-bucket figures: a CASE over the bucket starts (computed in the org's zone) on the sessions' counts. */
  async trendBuckets(db: Db, orgId: string, bucketStarts: number[], endMs: number, now: number) {
    if (bucketStarts.length === 0) return [];
    // Buckets are searched from the latest start down: the first start <= start_time is the bucket.
    const whens = bucketStarts
      .map((start, i) => ({ start, i }))
      .reverse()
      .map(({ start, i }) => sql`when s.start_time >= ${start} then ${sql.lit(i)}`);
    const bucket = sql<number>`case ${sql.join(whens, sql` `)} end`;
    const rows = await heldSessions(db, orgId, { fromMs: bucketStarts[0], toMs: endMs }, now)
      .select([bucket.as('bucket'), sql<number>`count(*)`.as('sessions')])
      .select(sessionCountSums)
      .groupBy(sql`1`) // by position: repeating the CASE would bind its parameters twice
      .execute();
    return rows.map((r) => ({ bucket: Number(r.bucket), sessions: Number(r.sessions), ...toCounts(r) }));
  },
};
