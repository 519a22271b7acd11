/**
 * The per-session status counts that reports sum (migration 0004). Written in the same transaction
 * as the change they reflect — the close, a force check-in, a correction — after that transaction has
 * locked the session row, so two writers cannot leave counts that miss each other's change.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { ALL_ORGS, type OrgScope } from '../../lib/tenancy.js';

const countOf = (status: string) =>
  sql<number>`(select count(*) from attendance_records r where r.session_id = attendance_sessions.session_id and r.status = ${status})`;

const COUNTS = {
  present_count: countOf('present'),
  late_count: countOf('late'),
  absent_count: countOf('absent'),
  excused_count: countOf('excused'),
};

export const sessionCountsRepository = {
  /** Recounts one session from its records. */
  async refresh(db: Db, sessionId: string): Promise<void> {
    await db.updateTable('attendance_sessions').set(COUNTS).where('session_id', '=', sessionId).execute();
  },

  /** Counts the closed sessions that have never been counted (data from before counting existed). */
  async fillMissing(db: Db, scope: OrgScope): Promise<number> {
    const res = await db
      .updateTable('attendance_sessions')
      .set(COUNTS)
      .where('closed_at', 'is not', null)
      .where('present_count', 'is', null)
      .$if(scope !== ALL_ORGS, (qb) => qb.where('org_id', '=', scope as string))
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  },
};
