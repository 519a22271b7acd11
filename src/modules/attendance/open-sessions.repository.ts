/** Sessions open for check-in at an instant, with the caller's own record beside each. */
import { prepared } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import { type PageRequest, totalFromPage } from '../../lib/pagination.js';
import { ALL_ORGS, type OrgScope } from '../../lib/tenancy.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import type { AttendanceStatus } from './attendance.table.js';

/** checkin_opens_minutes is at most 1440: sessions starting later than a day from now cannot be open. */
const MAX_OPENS_EARLY_MS = 1440 * 60_000;

export type OpenSessionRow = AttendanceSessionRow & {
  record_id: string | null;
  record_status: AttendanceStatus | null;
};

/**
 * Active, unclosed sessions with start - checkin_opens_minutes <= now <= end, in one org or (orgId
 * null) in all. With `onlyExpected`, only those the user is expected at: org-wide ones and those of
 * their groups. `latestStart` is now + MAX_OPENS_EARLY_MS, the indexable bound.
 */
function openSessions(
  db: Db,
  orgId: string | null,
  userId: string,
  now: number,
  latestStart: number,
  onlyExpected: boolean,
) {
  return (
    db
      .selectFrom('attendance_sessions as s')
      .leftJoin('attendance_records as r', (join) =>
        join.onRef('r.session_id', '=', 's.session_id').on('r.user_id', '=', userId),
      )
      .$if(orgId !== null, (qb) => qb.where('s.org_id', '=', orgId!))
      .where('s.is_active', '=', 1)
      .where('s.closed_at', 'is', null)
      .where('s.end_time', '>=', now)
      // The indexable bound first, then the exact per-session opening time.
      .where('s.start_time', '<=', latestStart)
      .where((eb) => eb(eb('s.start_time', '-', eb('s.checkin_opens_minutes', '*', 60_000)), '<=', now))
      .$if(onlyExpected, (qb) =>
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
      )
  );
}

type OpenSessionsArgs = Parameters<typeof openSessions>;

const pageQuery = (...args: OpenSessionsArgs) =>
  openSessions(...args)
    .selectAll('s')
    .select(['r.record_id as record_id', 'r.status as record_status'])
    .orderBy('s.start_time')
    .orderBy('s.session_id');

const countQuery = (...args: OpenSessionsArgs) =>
  openSessions(...args).select((eb) => eb.fn.countAll<number>().as('n'));

/**
 * The org-scoped shapes are prepared (src/db/prepared.ts): a 9:00 rush of students asks for them
 * thousands of times a minute. A super_admin's all-orgs view is built per call.
 */
const preparedInOrg = (onlyExpected: boolean) => ({
  page: prepared(
    (
      db: Db,
      orgId: string,
      userId: string,
      now: number,
      latestStart: number,
      limit: number,
      offset: number,
    ) => pageQuery(db, orgId, userId, now, latestStart, onlyExpected).limit(limit).offset(offset),
  ),
  count: prepared((db: Db, orgId: string, userId: string, now: number, latestStart: number) =>
    countQuery(db, orgId, userId, now, latestStart, onlyExpected),
  ),
});
const inOrg = { expected: preparedInOrg(true), all: preparedInOrg(false) };

export const openSessionsRepository = {
  /** Open sessions at `now`; with `onlyExpectedOf` (a student), only those that user is expected at. */
  async list(
    db: Db,
    scope: OrgScope,
    userId: string,
    now: number,
    onlyExpectedOf: boolean,
    page: PageRequest,
  ): Promise<{ rows: OpenSessionRow[]; total: number }> {
    const latestStart = now + MAX_OPENS_EARLY_MS;
    // A 9:00 rush asks for the first page of a few open sessions: that page gives its own total.
    if (scope === ALL_ORGS) {
      const rows = await pageQuery(db, null, userId, now, latestStart, onlyExpectedOf)
        .limit(page.perPage)
        .offset(page.offset)
        .execute();
      const total =
        totalFromPage(page, rows.length) ??
        (await countQuery(db, null, userId, now, latestStart, onlyExpectedOf).executeTakeFirstOrThrow()).n;
      return { rows, total: Number(total) };
    }
    const q = onlyExpectedOf ? inOrg.expected : inOrg.all;
    const rows = await q.page.all(db, scope, userId, now, latestStart, page.perPage, page.offset);
    const total =
      totalFromPage(page, rows.length) ?? (await q.count.first(db, scope, userId, now, latestStart))?.n ?? 0;
    return { rows, total: Number(total) };
  },
};
