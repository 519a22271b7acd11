/**
 * What the live feed says (API.md Part 2 "Live feed"): who may open it, the snapshot, and the body
 * of each stored event. Bodies are read fresh when sent and shaped by the REST serializers
 * (toRecordDto, toStaffSessionDto), so a record in the feed is the record of GET …/attendance.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Db } from '../../db/types.js';
import { notFound } from '../../lib/errors.js';
import { type Actor, ALL_ORGS, scopeOf } from '../../lib/tenancy.js';
import { toRecordDto } from '../attendance/attendance.mapper.js';
import type { AttendanceRecordRow } from '../attendance/attendance.table.js';
import { expectedAttendeesRepository } from '../attendance/expected-attendees.repository.js';
import { recordsRepository } from '../attendance/records.repository.js';
import { reviewRepository } from '../attendance/review.repository.js';
import { assertCanManageSession, canManageSession } from '../sessions/session-access.js';
import { toStaffSessionDto } from '../sessions/sessions.mapper.js';
import { type SessionWithTeachers, sessionsRepository } from '../sessions/sessions.repository.js';
import type { LiveEventRow } from './live.table.js';

export type LiveRecord = ReturnType<typeof toRecordDto> & { user: { user_id: string; name: string } };

/** Records of a session with their user's name: all of them, or those named. */
async function recordsWithUsers(db: Db, sessionId: string, recordIds?: string[]) {
  if (recordIds && recordIds.length === 0) return [];
  return db
    .selectFrom('attendance_records as r')
    .innerJoin('users as u', 'u.user_id', 'r.user_id')
    .selectAll('r')
    .select('u.name as user_name')
    .where('r.session_id', '=', sessionId)
    .$if(recordIds !== undefined, (qb) => qb.where('r.record_id', 'in', recordIds!))
    .orderBy('u.name')
    .orderBy('r.record_id')
    .execute();
}

const liveRecord = (r: AttendanceRecordRow & { user_name: string }): LiveRecord => {
  const { user_name, ...row } = r;
  return Object.assign(toRecordDto(row), { user: { user_id: row.user_id, name: user_name } });
};

export interface LiveServiceDeps {
  db: Kysely<Database>;
  now?: () => number;
}

export function createLiveService(deps: LiveServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  return {
    /** The session, if the actor may watch it: other org → 404, not among its runners → 403. */
    async access(actor: Actor, sessionId: string): Promise<SessionWithTeachers> {
      const s = await sessionsRepository.findById(db, scopeOf(actor), sessionId);
      if (!s) throw notFound('Session');
      assertCanManageSession(actor, s);
      return s;
    },

    /** Whether the actor still may watch (teachers can be taken off a session while watching). */
    async stillAllowed(actor: Actor, sessionId: string): Promise<boolean> {
      const s = await sessionsRepository.findById(db, scopeOf(actor), sessionId);
      return s !== undefined && canManageSession(actor, s);
    },

    /** The snapshot: the session, counts as the session report counts them, every record with its user. */
    async snapshot(sessionId: string) {
      const s = await sessionsRepository.findById(db, ALL_ORGS, sessionId);
      if (!s) return null;
      // As the session report: an ended session not yet closed counts its missing attendees absent.
      const endedUnclosed = s.is_active === 1 && s.closed_at === null && s.end_time <= now();
      const [expected, byStatus, review, missing, rows] = await Promise.all([
        expectedAttendeesRepository.count(db, s),
        recordsRepository.countByStatus(db, sessionId),
        reviewRepository.counts(db, sessionId),
        endedUnclosed ? expectedAttendeesRepository.listWithoutRecord(db, s) : Promise.resolve([]),
        recordsWithUsers(db, sessionId),
      ]);
      return {
        session: toStaffSessionDto(s, { withCode: true }),
        counts: {
          present: byStatus.present ?? 0,
          late: byStatus.late ?? 0,
          absent: (byStatus.absent ?? 0) + missing.length,
          excused: byStatus.excused ?? 0,
        },
        expected,
        pending_review: review.pending_review,
        records: rows.map(liveRecord),
      };
    },

    /**
     * The bodies of stored events, in their order: `record` → the record + user as it is now,
     * `session` → {session_id, state, session}. An event whose row is gone is skipped.
     */
    async bodies(sessionId: string, events: readonly LiveEventRow[]) {
      const recordIds = [...new Set(events.filter((e) => e.kind === 'record').map((e) => e.ref_id))];
      const [records, session] = await Promise.all([
        recordsWithUsers(db, sessionId, recordIds),
        events.some((e) => e.kind === 'session')
          ? sessionsRepository.findById(db, ALL_ORGS, sessionId)
          : Promise.resolve(undefined),
      ]);
      const byId = new Map(records.map((r) => [r.record_id, liveRecord(r)]));
      const sessionDto = session ? toStaffSessionDto(session, { withCode: true }) : undefined;
      const out: { seq: number; event: 'record' | 'session'; data: unknown }[] = [];
      for (const e of events) {
        if (e.kind === 'record') {
          const r = byId.get(e.ref_id);
          if (r) out.push({ seq: e.seq, event: 'record', data: r });
        } else if (sessionDto) {
          out.push({
            seq: e.seq,
            event: 'session',
            data: { session_id: sessionId, state: e.state, session: sessionDto },
          });
        }
      }
      return out;
    },
  };
}
export type LiveService = ReturnType<typeof createLiveService>;
