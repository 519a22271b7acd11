/**
 * What the reports and the dashboard need from attendance: ended sessions closed before counting
 * (so absentees are counted), and the roster of one session with each attendee's record.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ALL_ORGS } from '../../lib/tenancy.js';
import type { AttendanceForReports, SessionAttendees } from '../reports/reports.service.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
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
  const closeEnded = async (orgId: string | typeof ALL_ORGS, now: number, onProgress?: Progress) => {
    const ended = await sessionsRepository.listEndedUnclosed(db, orgId, now);
    for (const [i, s] of ended.entries()) {
      await writer.closeIfEnded(s, now);
      onProgress?.(i + 1, ended.length);
    }
    // Sessions closed before counting existed (or written by other tools) are counted once here.
    await sessionCountsRepository.fillMissing(db, orgId);
    return ended.length;
  };

  return {
    closeEndedSessions: (orgId, now) => closeEnded(orgId, now),
    /** For cron (`npm run cli -- close-ended`): every organization. */
    closeAllEnded: (now, onProgress) => closeEnded(ALL_ORGS, now, onProgress),

    async sessionAttendees(orgId, sessionId, now): Promise<SessionAttendees | null> {
      let session = await sessionsRepository.findById(db, orgId, sessionId);
      if (!session) return null;
      if (await writer.closeIfEnded(session, now))
        session = (await sessionsRepository.findById(db, orgId, sessionId)) ?? session;
      const records = await db
        .selectFrom('attendance_records as r')
        .innerJoin('users as u', 'u.user_id', 'r.user_id')
        .select([
          'u.user_id',
          'u.name',
          'u.email',
          'r.record_id',
          'r.status',
          'r.check_in_time',
          'r.check_out_time',
          'r.distance_m',
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
            status: null,
            check_in_time: null,
            check_out_time: null,
            distance_m: null,
          })),
        ],
      };
    },
  };
}
