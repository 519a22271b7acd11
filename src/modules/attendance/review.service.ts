/**
 * The review of flagged check-ins (API.md Part 2): the session's teachers and the org's admins list
 * the queue and decide. accept keeps the status; reject sets `absent`. The decision is written by
 * the record writer (record history, change event) and entered in the audit log.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { conflict, fieldError, notFound } from '../../lib/errors.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, requireRole, scopeOf } from '../../lib/tenancy.js';
import { recordAudit } from '../audit/audit.repository.js';
import { assertCanManageSession } from '../sessions/session-access.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { toRecordDto } from './attendance.mapper.js';
import type { ReviewDecisionInput, ReviewQueryInput } from './attendance.schemas.js';
import { assertSeesRecordOwner } from './record-visibility.js';
import type { RecordWriter } from './record-writer.js';
import { recordsRepository } from './records.repository.js';
import { reviewRepository } from './review.repository.js';

export interface ReviewDeps {
  db: Kysely<Database>;
  writer: RecordWriter;
  now?: () => number;
}

export function createReviewService(deps: ReviewDeps) {
  const { db, writer } = deps;
  const now = deps.now ?? Date.now;

  async function managedSession(actor: Actor, sessionId: string) {
    const s = await sessionsRepository.findById(db, scopeOf(actor), sessionId);
    if (!s) throw notFound('Session');
    assertCanManageSession(actor, s);
    return s;
  }

  return {
    async list(actor: Actor, q: ReviewQueryInput) {
      requireRole(actor, 'teacher', 'admin', 'super_admin');
      let orgId = actor.orgId;
      if (q.session_id !== undefined) {
        orgId = (await managedSession(actor, q.session_id)).org_id;
      } else if (actor.role !== 'admin') {
        // A teacher's queue is per session (those they run); a super_admin names the session too.
        throw fieldError('session_id', 'is required (the queue of one session)');
      }
      const page = pageRequest(q);
      const { rows, total } = await reviewRepository.list(
        db,
        orgId ?? '',
        { sessionId: q.session_id, state: q.state ?? 'pending' },
        page,
        actor,
      );
      const items = rows.map(({ user_name, user_email, session_name, ...r }) => ({
        ...toRecordDto(r),
        user_name,
        user_email,
        session_name,
      }));
      return { items, pagination: pagination(page, total) };
    },

    async decide(actor: Actor, recordId: string, input: ReviewDecisionInput) {
      const found = await recordsRepository.findById(db, scopeOf(actor), recordId);
      if (!found) throw notFound('Attendance record');
      // Before the session check: a staff member's record must not answer 403 (which confirms it exists).
      await assertSeesRecordOwner(db, actor, found);
      await managedSession(actor, found.session_id);
      const t = now();
      const decided = await writer.change(
        found.session_id,
        { recordId },
        (rec) => {
          if (rec.review_state !== 'pending')
            throw conflict(
              'CONFLICT',
              `This record is not awaiting review (review_state ${rec.review_state})`,
            );
          return {
            review_state: input.decision === 'accept' ? 'accepted' : 'rejected',
            status: input.decision === 'accept' ? rec.status : 'absent',
            notes: input.notes !== undefined ? input.notes : rec.notes,
            marked_by: actor.userId,
          };
        },
        { actorId: actor.userId, action: `review_${input.decision}`, cause: 'review', at: t },
      );
      if (!decided) throw notFound('Attendance record');
      await recordAudit(db, {
        orgId: decided.org_id,
        actorId: actor.userId,
        action: `attendance.review_${input.decision}`,
        targetType: 'attendance_record',
        targetId: recordId,
        details: { decision: input.decision, status: decided.status, flags: decided.flags.split(',') },
      });
      return toRecordDto(decided);
    },
  };
}
export type ReviewService = ReturnType<typeof createReviewService>;
