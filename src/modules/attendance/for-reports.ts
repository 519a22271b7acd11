/**
 * What the reports need from attendance: the roster of one session with each attendee's record
 * (read only: an ended session nobody has closed yet lists its missing attendees as absent, as the
 * scheduler's close will write them), and for the CLI the close of every ended session.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ALL_ORGS } from '../../lib/tenancy.js';
import type { AttendanceForReports, SessionAttendees } from '../reports/reports.service.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { userCountsRepository } from '../sessions/user-counts.repository.js';
import { expectedAttendeesRepository } from './expected-attendees.repository.js';
import type { RecordWriter } from './record-writer.js';

/** Called after each unit of a long job (the CLI prints it on stderr). */
export type Progress = (done: number, total: number) => void;

export function createAttendanceForReports(
  db: Kysely<Database>,
  writer: RecordWriter,
): AttendanceForReports & {
  closeAllEnded(now: number, onProgress?: Progress): Promise<number>;
} {
  return {
    /** For cron (`npm run cli -- close-ended`): every organization, ended sessions of any kind. */
    async closeAllEnded(now, onProgress) {
      const ended = await sessionsRepository.listEndedUnclosed(db, ALL_ORGS, now);
      for (const [i, s] of ended.entries()) {
        await writer.closeIfEnded(s, now);
        onProgress?.(i + 1, ended.length);
      }
      // Sessions closed before counting existed (or written by other tools) are counted once here,
      // their orgs' per-user months first (user-counts.repository.ts).
      await userCountsRepository.catchUp(db, now);
      await sessionCountsRepository.fillMissing(db, ALL_ORGS);
      return ended.length;
    },

    async sessionAttendees(orgId, sessionId, now): Promise<SessionAttendees | null> {
      const session = await sessionsRepository.findById(db, orgId, sessionId);
      if (!session) return null;
      const ended = session.end_time <= now && session.is_active === 1;
      const records = await db
        .selectFrom('attendance_records as r')
        .innerJoin('users as u', 'u.user_id', 'r.user_id')
        .select([
          'u.user_id',
          'u.name',
          'u.email',
          'u.role',
          'r.record_id',
          'r.status',
          'r.check_in_time',
          'r.check_out_time',
          'r.distance_m',
          'r.flags',
          'r.review_state',
        ])
        // The session is known to be of this org; an org_id predicate here only tempts the planner
        // into the (org_id, created_at) index instead of the session's.
        .where('r.session_id', '=', sessionId)
        .orderBy('u.name')
        .orderBy('u.user_id')
        .execute();
      // Once closed, the records are the roster; while open, expected attendees without one are listed too.
      const pending =
        session.closed_at === null ? await expectedAttendeesRepository.listPendingWithUsers(db, session) : [];
      return {
        session: {
          session_id: session.session_id,
          session_name: session.session_name,
          start_time: session.start_time,
          end_time: session.end_time,
          group_id: session.group_id,
          closed: session.closed_at !== null,
        },
        attendees: [
          ...records,
          ...pending.map((u) => ({
            ...u,
            record_id: null,
            // Ended, not closed yet: the close will record them absent; the report says so already.
            status: ended ? 'absent' : null,
            check_in_time: null,
            check_out_time: null,
            distance_m: null,
            flags: null,
            review_state: null,
          })),
        ],
      };
    },
  };
}
