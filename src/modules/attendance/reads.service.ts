/** Attendance reads: histories, sessions open now, a session's records and its report. */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SessionChangeGuard } from '../../db/sqlite-statements.js';
import { fieldError, forbidden, notFound } from '../../lib/errors.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, ALL_ORGS, isStaff, type OrgScope, scopeOf } from '../../lib/tenancy.js';
import { localDateRangeMs, parseLocalDate, toIso } from '../../lib/time.js';
import { canSeeUser } from '../../lib/visibility.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { canManageSession } from '../sessions/session-access.js';
import { toSessionDto, toStaffSessionDto } from '../sessions/sessions.mapper.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { usersRepository } from '../users/users.repository.js';
import { toRecordDto } from './attendance.mapper.js';
import type { HistoryFilter } from './attendance.schemas.js';
import { expectedAttendeesRepository } from './expected-attendees.repository.js';
import { openSessionsRepository } from './open-sessions.repository.js';
import { createOpenSessionsCache } from './open-sessions-cache.js';
import { recordsRepository } from './records.repository.js';
import { reviewRepository } from './review.repository.js';

type PageQuery = { page?: number; per_page?: number; limit?: number };

export interface ReadsDeps {
  db: Kysely<Database>;
  now?: () => number;
  /** SQLite: the open-sessions list is served from a cache checked against this guard. */
  openSessionsGuard?: SessionChangeGuard;
}

export function createReadsService(deps: ReadsDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const openCache = deps.openSessionsGuard ? createOpenSessionsCache(db, deps.openSessionsGuard) : undefined;

  async function history(scope: OrgScope, userId: string, orgId: string | null, q: HistoryFilter) {
    for (const field of ['start_date', 'end_date'] as const) {
      const v = q[field];
      if (v !== undefined && !parseLocalDate(v)) throw fieldError(field, 'must be a real date (YYYY-MM-DD)');
    }
    // Dates are days of the user's organization.
    const org =
      orgId && (q.start_date || q.end_date)
        ? await organizationsRepository.findById(db, scope, orgId)
        : undefined;
    const range = localDateRangeMs(q.start_date, q.end_date, org?.timezone ?? 'UTC');
    const page = pageRequest(q);
    const { rows, total } = await recordsRepository.listForUser(db, scope, userId, range, page);
    const items = rows.map(({ session_name, session_start_time, session_end_time, ...r }) => ({
      ...toRecordDto(r),
      session_name,
      session_start_time: toIso(session_start_time),
      session_end_time: toIso(session_end_time),
    }));
    return { items, pagination: pagination(page, total) };
  }

  async function staffSession(actor: Actor, sessionId: string) {
    if (!isStaff(actor.role)) throw forbidden();
    const s = await sessionsRepository.findById(db, scopeOf(actor), sessionId);
    if (!s) throw notFound('Session');
    return s;
  }

  return {
    myHistory(actor: Actor, q: HistoryFilter) {
      return history(scopeOf(actor), actor.userId, actor.orgId, q);
    },

    /**
     * Self, or a user the caller may see (lib/visibility.ts). Anyone else — another org's user, a
     * fellow student, an id that does not exist — is the same 404, so a student cannot probe ids.
     */
    async userHistory(actor: Actor, userId: string, q: HistoryFilter) {
      if (userId === actor.userId) return history(scopeOf(actor), userId, actor.orgId, q);
      const user = await usersRepository.findById(db, scopeOf(actor), userId);
      if (!user || !canSeeUser(actor, user)) throw notFound('User');
      return history(scopeOf(actor), userId, user.org_id, q);
    },

    async activeSessions(actor: Actor, q: PageQuery) {
      const page = pageRequest(q);
      const scope = scopeOf(actor);
      // A super_admin's all-orgs view is rare: it keeps the query.
      if (openCache && scope !== ALL_ORGS) {
        const { itemsJson, total } = await openCache.list(
          scope,
          actor.userId,
          now(),
          actor.role === 'student',
          page,
        );
        return { itemsJson, pagination: pagination(page, total) };
      }
      const { rows, total } = await openSessionsRepository.list(
        db,
        scope,
        actor.userId,
        now(),
        actor.role === 'student',
        page,
      );
      // No rest/spread copies: this list is the hot read of a 9:00 rush (BENCHMARKS.md).
      const items = rows.map((row) =>
        Object.assign(toSessionDto(row, { withCode: false }), {
          checked_in: row.record_id !== null,
          record_id: row.record_id,
          status: row.record_status,
        }),
      );
      return { items, pagination: pagination(page, total) };
    },

    async sessionAttendance(actor: Actor, sessionId: string, q: PageQuery) {
      const s = await staffSession(actor, sessionId);
      const page = pageRequest(q);
      const { rows, total } = await recordsRepository.listForSession(
        db,
        scopeOf(actor),
        s.session_id,
        page,
        actor,
      );
      const items = rows.map(({ user_name, user_email, ...r }) => ({
        ...toRecordDto(r),
        user_name,
        user_email,
      }));
      return { items, pagination: pagination(page, total) };
    },

    /**
     * Reads only: an ended session the scheduler has not closed yet (it does within 60 s) counts its
     * expected attendees without a record as absent, as the close will record them.
     */
    async report(actor: Actor, sessionId: string) {
      const s = await staffSession(actor, sessionId);
      // An ended session the scheduler has not closed yet: its missing attendees count as absent here,
      // without writing (reads do not write; the close follows within the scheduler's interval).
      const endedUnclosed = s.is_active === 1 && s.closed_at === null && s.end_time <= now();
      const [expected, byStatus, review, missing] = await Promise.all([
        expectedAttendeesRepository.count(db, s),
        recordsRepository.countByStatus(db, s.session_id),
        reviewRepository.counts(db, s.session_id),
        endedUnclosed ? expectedAttendeesRepository.listWithoutRecord(db, s) : Promise.resolve([]),
      ]);
      const counts = {
        present: byStatus.present ?? 0,
        late: byStatus.late ?? 0,
        absent: (byStatus.absent ?? 0) + missing.length,
        excused: byStatus.excused ?? 0,
      };
      const checkedIn = counts.present + counts.late;
      return {
        session: toStaffSessionDto(s, { withCode: canManageSession(actor, s) }),
        expected,
        counts,
        checked_in: checkedIn,
        not_checked_in: Math.max(0, expected - checkedIn),
        ...review,
        // Force check-ins of users outside the roster could push the ratio past 1; the contract says [0, 1].
        attendance_rate:
          expected === 0 ? null : Math.min(1, Math.round((checkedIn / expected) * 10_000) / 10_000),
      };
    },
  };
}
export type ReadsService = ReturnType<typeof createReadsService>;
