/** The review queue: flagged records of one session, or of a whole organization (admins). */
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import type { Actor } from '../../lib/tenancy.js';
import { onlyUsersSeenBy } from '../../lib/visibility.js';
import type { AttendanceRecordRow, ReviewState } from './attendance.table.js';

export type ReviewRow = AttendanceRecordRow & { user_name: string; user_email: string; session_name: string };

export const reviewRepository = {
  async list(
    db: Db,
    orgId: string,
    f: { sessionId?: string; state: ReviewState },
    page: PageRequest,
    seenBy: Actor,
  ): Promise<{ rows: ReviewRow[]; total: number }> {
    const query = db
      .selectFrom('attendance_records as r')
      .innerJoin('users as u', 'u.user_id', 'r.user_id')
      .innerJoin('attendance_sessions as s', 's.session_id', 'r.session_id')
      .where('r.org_id', '=', orgId)
      .where('r.review_state', '=', f.state)
      .where('r.flags', '<>', '')
      .$if(f.sessionId !== undefined, (qb) => qb.where('r.session_id', '=', f.sessionId!));
    // Only records of users the caller may see (lib/visibility.ts).
    const base = onlyUsersSeenBy(query, seenBy, { userId: 'u.user_id', role: 'u.role' });
    const [rows, count] = await Promise.all([
      base
        .selectAll('r')
        .select(['u.name as user_name', 'u.email as user_email', 's.session_name as session_name'])
        .orderBy('r.created_at')
        .orderBy('r.record_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  /** flagged = records with any flag; pending_review = those still awaiting a decision. */
  async counts(db: Db, sessionId: string): Promise<{ flagged: number; pending_review: number }> {
    const rows = await db
      .selectFrom('attendance_records')
      .select(['review_state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('session_id', '=', sessionId)
      .where('flags', '<>', '')
      .groupBy('review_state')
      .execute();
    let flagged = 0;
    let pending = 0;
    for (const r of rows) {
      flagged += Number(r.n);
      if (r.review_state === 'pending') pending += Number(r.n);
    }
    return { flagged, pending_review: pending };
  },
};
