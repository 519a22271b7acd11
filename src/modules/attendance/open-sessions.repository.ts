/** Sessions open for check-in at an instant, with the caller's own record beside each. */
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import type { AttendanceStatus } from './attendance.table.js';

/** checkin_opens_minutes is at most 1440: sessions starting later than a day from now cannot be open. */
const MAX_OPENS_EARLY_MS = 1440 * 60_000;

export type OpenSessionRow = AttendanceSessionRow & {
  record_id: string | null;
  record_status: AttendanceStatus | null;
};

export const openSessionsRepository = {
  /**
   * Active, unclosed sessions with start - checkin_opens_minutes <= now <= end. With `onlyExpectedOf`
   * (a student), only sessions that student is expected at: org-wide ones and those of their groups.
   */
  async list(
    db: Db,
    scope: OrgScope,
    userId: string,
    now: number,
    onlyExpectedOf: boolean,
    page: PageRequest,
  ): Promise<{ rows: OpenSessionRow[]; total: number }> {
    const base = inScope(
      db
        .selectFrom('attendance_sessions as s')
        .leftJoin('attendance_records as r', (join) =>
          join.onRef('r.session_id', '=', 's.session_id').on('r.user_id', '=', userId),
        )
        .where('s.is_active', '=', 1)
        .where('s.closed_at', 'is', null)
        .where('s.end_time', '>=', now)
        // The indexable bound first, then the exact per-session opening time.
        .where('s.start_time', '<=', now + MAX_OPENS_EARLY_MS)
        .where((eb) => eb(eb('s.start_time', '-', eb('s.checkin_opens_minutes', '*', 60_000)), '<=', now))
        .$if(onlyExpectedOf, (qb) =>
          qb.where((eb) =>
            eb.or([
              eb('s.group_id', 'is', null),
              eb.exists(
                eb
                  .selectFrom('group_members as gm')
                  .select('gm.user_id')
                  .whereRef('gm.group_id', '=', 's.group_id')
                  .where('gm.user_id', '=', userId),
              ),
            ]),
          ),
        ),
      's.org_id',
      scope,
    );
    const [rows, count] = await Promise.all([
      base
        .selectAll('s')
        .select(['r.record_id as record_id', 'r.status as record_status'])
        .orderBy('s.start_time')
        .orderBy('s.session_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
};
