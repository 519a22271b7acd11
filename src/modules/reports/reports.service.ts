/**
 * Reports for teachers and admins of an organization (super_admin names the org with `org_id`).
 * Reads never write: the scheduler closes ended sessions (within 60 s, recording the absent), and
 * the organization-wide figures count closed sessions. A session's own report counts expected
 * attendees without a record as absent once it has ended, closed or not.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fieldError, notFound, validationError } from '../../lib/errors.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, requireRole } from '../../lib/tenancy.js';
import {
  addDays,
  formatLocalDate,
  type LocalDate,
  localDateOf,
  parseLocalDate,
  startOfLocalDayMs,
  toIso,
} from '../../lib/time.js';
import { canSeeUser } from '../../lib/visibility.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { usersRepository } from '../users/users.repository.js';
import { reportsRepository } from './reports.repository.js';
import { sumCounts, withRate } from './status-counts.js';
import { bucketCount, bucketsInZone, type Interval } from './trend-buckets.js';

/** What reports need from the attendance module (the roster of a session). */
export interface AttendanceForReports {
  sessionAttendees(orgId: string, sessionId: string, now: number): Promise<SessionAttendees | null>;
}
export interface SessionAttendees {
  session: {
    session_id: string;
    session_name: string;
    start_time: number;
    end_time: number;
    group_id: string | null;
    closed: boolean;
  };
  attendees: {
    user_id: string;
    name: string;
    email: string;
    role: string;
    record_id: string | null;
    status: string | null;
    check_in_time: number | null;
    check_out_time: number | null;
    distance_m: number | null;
    /** Comma-separated flag names ('' = none); null without a record. */
    flags: string | null;
    review_state: string | null;
  }[];
}

const MAX_BUCKETS: Record<Interval, number> = { day: 400, week: 260, month: 120 };
const DEFAULT_DAYS = 30;

interface RangeQuery {
  start_date?: string;
  end_date?: string;
  org_id?: string;
}

export function createReportsService(deps: {
  db: Kysely<Database>;
  attendance: AttendanceForReports;
  now?: () => number;
}) {
  const { db, attendance } = deps;
  const now = deps.now ?? Date.now;

  /** The organization reported on: the caller's own, or for super_admin the one named by org_id. */
  async function orgFor(actor: Actor, orgId: string | undefined) {
    requireRole(actor, 'teacher', 'admin', 'super_admin');
    const target = actor.role === 'super_admin' ? orgId : actor.orgId;
    if (!target) throw fieldError('org_id', 'is required for a super_admin');
    if (actor.role !== 'super_admin' && orgId !== undefined && orgId !== actor.orgId)
      throw notFound('Organization');
    const org = await organizationsRepository.findById(db, target, target);
    if (!org) throw notFound('Organization');
    return org;
  }

  /** start_date/end_date in the org's zone; defaults to the last 30 days up to today. */
  function localRange(q: RangeQuery, tz: string, t: number): { from: LocalDate; to: LocalDate } {
    const to = q.end_date ? parseLocalDate(q.end_date) : localDateOf(t, tz);
    if (!to) throw fieldError('end_date', 'must be a real date YYYY-MM-DD');
    const from = q.start_date ? parseLocalDate(q.start_date) : addDays(to, -(DEFAULT_DAYS - 1));
    if (!from) throw fieldError('start_date', 'must be a real date YYYY-MM-DD');
    if (formatLocalDate(from) > formatLocalDate(to))
      throw validationError([{ field: 'end_date', message: 'must not be before start_date' }]);
    return { from, to };
  }

  const msRange = (r: { from: LocalDate; to: LocalDate }, tz: string) => ({
    fromMs: startOfLocalDayMs(r.from, tz),
    toMs: startOfLocalDayMs(addDays(r.to, 1), tz),
  });

  return {
    async organizationSummary(actor: Actor, q: RangeQuery) {
      const org = await orgFor(actor, q.org_id);
      const t = now();
      const local = localRange(q, org.timezone, t);
      const range = msRange(local, org.timezone);
      const [sessions_held, groups, lowest] = await Promise.all([
        reportsRepository.sessionsHeld(db, org.org_id, range, t),
        reportsRepository.perGroup(db, org.org_id, range, t),
        reportsRepository.lowestAttendance(db, org.org_id, range, t, 10, actor),
      ]);
      // Every held session is in exactly one group row (or the no-group row): the totals are their sum.
      const counts = sumCounts(groups);
      return {
        org_id: org.org_id,
        start_date: formatLocalDate(local.from),
        end_date: formatLocalDate(local.to),
        sessions_held,
        ...withRate(counts),
        groups: groups.map(({ group_id, group_name, sessions, ...c }) => ({
          group_id,
          group_name,
          sessions,
          ...withRate(c),
        })),
        lowest_attendance: lowest,
      };
    },

    async userDetailed(
      actor: Actor,
      userId: string,
      q: RangeQuery & { page?: number; per_page?: number; limit?: number },
    ) {
      const org = await orgFor(actor, q.org_id);
      const user = await usersRepository.findById(db, org.org_id, userId);
      // The same rule as GET /admin/users/{id}: a teacher does not learn an admin's name and email here.
      if (!user || !canSeeUser(actor, user)) throw notFound('User');
      const t = now();
      // Without dates the whole history counts; with them, the local calendar range.
      const local = q.start_date || q.end_date ? localRange(q, org.timezone, t) : null;
      const range = local ? msRange(local, org.timezone) : {};
      const page = pageRequest(q);
      const [totals, list] = await Promise.all([
        reportsRepository.userTotals(db, org.org_id, userId, range, t),
        reportsRepository.userSessions(db, org.org_id, userId, range, t, page),
      ]);
      return {
        user: { user_id: user.user_id, name: user.name, email: user.email, role: user.role },
        start_date: local ? formatLocalDate(local.from) : null,
        end_date: local ? formatLocalDate(local.to) : null,
        ...withRate(totals.counts),
        lateness: {
          count: totals.counts.late,
          average_minutes:
            totals.avgLateMs === null ? null : Math.round((totals.avgLateMs / 60_000) * 10) / 10,
        },
        sessions: list.rows.map((r) => ({
          session_id: r.session_id,
          session_name: r.session_name,
          start_time: toIso(r.start_time),
          end_time: toIso(r.end_time),
          record_id: r.record_id,
          status: r.status,
          check_in_time: r.check_in_time === null ? null : toIso(r.check_in_time),
          check_out_time: r.check_out_time === null ? null : toIso(r.check_out_time),
          minutes_late:
            r.status === 'late' && r.check_in_time !== null
              ? Math.round((r.check_in_time - r.start_time) / 6_000) / 10
              : null,
          distance_m: r.distance_m,
          notes: r.notes,
        })),
        pagination: pagination(page, list.total),
      };
    },

    async trends(actor: Actor, q: RangeQuery & { interval?: Interval }) {
      const org = await orgFor(actor, q.org_id);
      const interval = q.interval ?? 'day';
      const t = now();
      const local = localRange(q, org.timezone, t);
      // The cap is checked on the count, computed without building anything (issue 17.1).
      const count = bucketCount(local.from, local.to, interval);
      if (count > MAX_BUCKETS[interval]) {
        throw fieldError(
          'interval',
          `gives ${count} points; at most ${MAX_BUCKETS[interval]} — use a wider interval or a shorter range`,
        );
      }
      const buckets = bucketsInZone(local.from, local.to, interval, org.timezone);
      // The first bucket may start before start_date (weeks start on Monday, months on the 1st);
      // sessions before start_date are not counted, so the first point covers only part of its period.
      const rangeStart = startOfLocalDayMs(local.from, org.timezone);
      const starts = buckets.starts.map((s, i) => (i === 0 ? Math.max(s, rangeStart) : s));
      const rows = await reportsRepository.trendBuckets(db, org.org_id, starts, buckets.endMs, t);
      const byBucket = new Map(rows.map((r) => [r.bucket, r]));
      return {
        org_id: org.org_id,
        interval,
        timezone: org.timezone,
        start_date: formatLocalDate(local.from),
        end_date: formatLocalDate(local.to),
        points: buckets.labels.map((label, i) => {
          const r = byBucket.get(i);
          const c = {
            expected: r?.expected ?? 0,
            present: r?.present ?? 0,
            late: r?.late ?? 0,
            absent: r?.absent ?? 0,
            excused: r?.excused ?? 0,
          };
          return { period_start: label, sessions: r?.sessions ?? 0, ...withRate(c) };
        }),
      };
    },

    async sessionDetailed(actor: Actor, sessionId: string, q: { org_id?: string } = {}) {
      const org = await orgFor(actor, q.org_id);
      const data = await attendance.sessionAttendees(org.org_id, sessionId, now());
      if (!data) throw notFound('Session');
      const c = { expected: data.attendees.length, present: 0, late: 0, absent: 0, excused: 0 };
      let delaySum = 0;
      let delayCount = 0;
      for (const a of data.attendees) {
        if (a.status && a.status in c) c[a.status as 'present' | 'late' | 'absent' | 'excused']++;
        if (a.check_in_time !== null) {
          delaySum += a.check_in_time - data.session.start_time;
          delayCount++;
        }
      }
      return {
        session: {
          ...data.session,
          start_time: toIso(data.session.start_time),
          end_time: toIso(data.session.end_time),
        },
        ...withRate(c),
        not_checked_in: data.attendees.filter((a) => a.status === null).length,
        average_check_in_delay_minutes: delayCount
          ? Math.round((delaySum / delayCount / 60_000) * 10) / 10
          : null,
        flagged: data.attendees.filter((a) => a.flags).length,
        pending_review: data.attendees.filter((a) => a.flags && a.review_state === 'pending').length,
        // Counted above over the whole roster; listed, only those the caller may see (lib/visibility.ts).
        attendees: data.attendees
          .filter((a) => canSeeUser(actor, a))
          .map((a) => ({
            user_id: a.user_id,
            name: a.name,
            email: a.email,
            record_id: a.record_id,
            status: a.status ?? 'not_checked_in',
            check_in_time: a.check_in_time === null ? null : toIso(a.check_in_time),
            check_out_time: a.check_out_time === null ? null : toIso(a.check_out_time),
            distance_m: a.distance_m,
            minutes_after_start:
              a.check_in_time === null
                ? null
                : Math.round((a.check_in_time - data.session.start_time) / 6_000) / 10,
            flags: a.flags ? a.flags.split(',') : [],
            review_state: a.review_state,
          })),
      };
    },

    orgFor,
    localRange,
    msRange,
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;
