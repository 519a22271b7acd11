/**
 * Per-user attendance counts per UTC month of session start (migration 0012), read by the
 * organization summary's lowest-attendance list. A record counts in its user's month row while its
 * session is closed and active; the report subtracts the few closed sessions not yet ended.
 *
 * Kept by increments, not recounts: every change that can move a record in or out of a month row
 * (a close, a force check-in, a correction or review of a closed session's record, a cancel, a
 * start_time edit) runs under its session's row lock and calls `contribute(-1)` before the change and
 * `contribute(+1)` after it, in the same transaction. The lock makes "before" exact for that session's
 * records; the increments commute, so changes of different sessions landing on the same user's month
 * need no lock of their own (a recount would: two recounts racing on PostgreSQL or MariaDB each miss
 * the other's uncommitted records, and a recount reads all of a user's records of the month, ~100 users
 * per close). Rows are upserted in user order, so two closes lock shared rows in the same order.
 *
 * Organizations counted before this existed, or written by other tools (closed sessions without their
 * per-session counts), are rebuilt from their records by the scheduler (`catchUp`); until an org is
 * built, the report reads its records (`isBuilt`).
 */
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import type { Db, Tx } from '../../db/types.js';
import { nextUtcMonthStart, utcMonthStart } from '../../lib/utc-months.js';

const attended = sql<number>`case when r.status in ('present', 'late') then 1 else 0 end`;

export const userCountsRepository = {
  /**
   * Adds (1) or takes away (-1) what the records of a session (or one user's record of it) count in
   * the users' month rows, as the session stands now: nothing unless it is closed and active. Call
   * under the session's lock, with -1 before a change and 1 after it.
   */
  async contribute(tx: Tx, dialect: DialectName, sessionId: string, sign: 1 | -1, userId?: string) {
    const s = await tx
      .selectFrom('attendance_sessions')
      .select(['start_time', 'closed_at', 'is_active'])
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    if (!s || s.closed_at === null || !s.is_active) return;
    const month = utcMonthStart(Number(s.start_time));
    const rows = tx
      .selectFrom('attendance_records as r')
      .select([
        'r.org_id',
        'r.user_id',
        sql<number>`${sql.lit(month)}`.as('month_start'),
        sql<number>`${sql.lit(sign)}`.as('sessions'),
        sql<number>`${sql.lit(sign)} * ${attended}`.as('attended'),
      ])
      .where('r.session_id', '=', sessionId)
      .$if(userId !== undefined, (qb) => qb.where('r.user_id', '=', userId!))
      .orderBy('r.user_id');
    const insert = tx
      .insertInto('user_attendance_months')
      .columns(['org_id', 'user_id', 'month_start', 'sessions', 'attended'])
      .expression(rows);
    if (dialect === 'mysql')
      await insert
        .onDuplicateKeyUpdate({
          sessions: sql`sessions + values(sessions)`,
          attended: sql`attended + values(attended)`,
        })
        .execute();
    else
      await insert
        .onConflict((oc) =>
          oc.columns(['org_id', 'user_id', 'month_start']).doUpdateSet({
            sessions: sql`user_attendance_months.sessions + excluded.sessions`,
            attended: sql`user_attendance_months.attended + excluded.attended`,
          }),
        )
        .execute();
  },

  /** Whether the org's month rows were built in full (else the report reads its records). */
  async isBuilt(db: Db, orgId: string): Promise<boolean> {
    const row = await db
      .selectFrom('user_attendance_orgs')
      .select('built_at')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row?.built_at != null;
  },

  /** Recomputes every month row of an org from its records, in one transaction, and marks it built. */
  async rebuild(db: Kysely<Database>, orgId: string, now: number): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('user_attendance_orgs').where('org_id', '=', orgId).execute();
      await tx.deleteFrom('user_attendance_months').where('org_id', '=', orgId).execute();
      const counted = tx
        .selectFrom('attendance_sessions as s')
        .where('s.org_id', '=', orgId)
        .where('s.is_active', '=', 1)
        .where('s.closed_at', 'is not', null);
      const starts = await counted.select('s.start_time').execute();
      const months = [...new Set(starts.map((s) => utcMonthStart(Number(s.start_time))))].sort(
        (a, b) => a - b,
      );
      for (const month of months) {
        const rows = counted
          .innerJoin('attendance_records as r', 'r.session_id', 's.session_id')
          .where('s.start_time', '>=', month)
          .where('s.start_time', '<', nextUtcMonthStart(month))
          .select([
            's.org_id',
            'r.user_id',
            sql<number>`${sql.lit(month)}`.as('month_start'),
            sql<number>`count(*)`.as('sessions'),
            sql<number>`sum(${attended})`.as('attended'),
          ])
          .groupBy(['s.org_id', 'r.user_id']);
        await tx
          .insertInto('user_attendance_months')
          .columns(['org_id', 'user_id', 'month_start', 'sessions', 'attended'])
          .expression(rows)
          .execute();
      }
      await tx.insertInto('user_attendance_orgs').values({ org_id: orgId, built_at: now }).execute();
    });
  },

  /**
   * Builds the orgs never built, and rebuilds those with closed sessions never counted (rows written
   * by other tools: call before `sessionCountsRepository.fillMissing` counts them). Returns how many.
   */
  async catchUp(db: Kysely<Database>, now: number): Promise<number> {
    const [stale, unbuilt] = await Promise.all([
      db
        .selectFrom('attendance_sessions')
        .select('org_id')
        .distinct()
        .where('closed_at', 'is not', null)
        .where('present_count', 'is', null)
        .execute(),
      db
        .selectFrom('organizations as o')
        .leftJoin('user_attendance_orgs as u', 'u.org_id', 'o.org_id')
        .select('o.org_id')
        .where('u.built_at', 'is', null)
        .execute(),
    ]);
    const orgs = new Set([...stale, ...unbuilt].map((r) => r.org_id));
    for (const orgId of orgs) await userCountsRepository.rebuild(db, orgId, now);
    return orgs.size;
  },
};
