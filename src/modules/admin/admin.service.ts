/** The admin dashboard and maintenance jobs (also run from the CLI for cron). */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { type Actor, requireRole } from '../../lib/tenancy.js';
import { addDays, localDateOf, startOfLocalDayMs, toIso } from '../../lib/time.js';
import { idempotencyRepository } from '../../plugins/idempotency.repository.js';
import { recordAudit } from '../audit/audit.repository.js';
import { userSessionsRepository } from '../auth/user-sessions.repository.js';
import type { AttendanceForReports, ReportsService } from '../reports/reports.service.js';
import { attendanceRate } from '../reports/status-counts.js';
import { dashboardRepository } from './dashboard.repository.js';

const DAY_MS = 86_400_000;

export function createAdminService(deps: {
  db: Kysely<Database>;
  reports: ReportsService;
  attendance: AttendanceForReports;
  now?: () => number;
}) {
  const { db, reports, attendance } = deps;
  const now = deps.now ?? Date.now;

  return {
    async dashboard(actor: Actor, q: { org_id?: string }) {
      requireRole(actor, 'admin', 'super_admin');
      const org = await reports.orgFor(actor, q.org_id);
      const t = now();
      const today = localDateOf(t, org.timezone);
      const dayStart = startOfLocalDayMs(today, org.timezone);
      const dayEnd = startOfLocalDayMs(addDays(today, 1), org.timezone);
      await attendance.closeEndedSessions(org.org_id, t);
      const [users, sessions, checkIns, last7, last30, next] = await Promise.all([
        dashboardRepository.usersByRole(db, org.org_id),
        dashboardRepository.sessionsToday(db, org.org_id, dayStart, dayEnd, t),
        dashboardRepository.checkInsBetween(db, org.org_id, dayStart, dayEnd),
        dashboardRepository.heldCountsSince(db, org.org_id, t - 7 * DAY_MS, t),
        dashboardRepository.heldCountsSince(db, org.org_id, t - 30 * DAY_MS, t),
        dashboardRepository.nextSessions(db, org.org_id, t, 5),
      ]);
      return {
        org_id: org.org_id,
        timezone: org.timezone,
        users,
        sessions: { today: sessions.today, open_now: sessions.open_now },
        check_ins_today: checkIns,
        attendance_rate_7d: attendanceRate(last7),
        attendance_rate_30d: attendanceRate(last30),
        next_sessions: next.map((s) => ({
          ...s,
          start_time: toIso(s.start_time),
          end_time: toIso(s.end_time),
        })),
      };
    },

    /** Deletes login sessions that expired, or were revoked, more than `olderThanDays` ago. `actor` null: the platform (cron). */
    async cleanupSessions(actor: Actor | null, olderThanDays: number, ip?: string) {
      if (actor) requireRole(actor, 'admin', 'super_admin');
      const before = now() - olderThanDays * DAY_MS;
      const orgId = actor && actor.role !== 'super_admin' ? actor.orgId : null;
      const deleted = await userSessionsRepository.deleteStale(db, before, orgId ?? undefined);
      // Idempotency keys belong to no organization's admin: only the platform (super_admin, cron) clears them.
      const idempotencyKeys =
        orgId === null ? await idempotencyRepository.deleteOlderThan(db, now() - DAY_MS) : 0;
      await recordAudit(db, {
        orgId,
        actorId: actor?.userId ?? null,
        action: 'maintenance.cleanup_sessions',
        details: { older_than_days: olderThanDays, deleted, idempotency_keys_deleted: idempotencyKeys },
        ip,
      });
      return { deleted, idempotency_keys_deleted: idempotencyKeys };
    },
  };
}
export type AdminService = ReturnType<typeof createAdminService>;
