/**
 * Staff overrides: force check-in and corrections, written through the record writer (each change
 * and its history entry in one transaction), then entered in the audit log.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import { conflict, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, isStaff, scopeOf } from '../../lib/tenancy.js';
import { canSeeUser } from '../../lib/visibility.js';
import { recordAudit } from '../audit/audit.repository.js';
import { assertCanManageSession } from '../sessions/session-access.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { usersRepository } from '../users/users.repository.js';
import { toRecordChangeDto, toRecordDto } from './attendance.mapper.js';
import type { ForceCheckInInput, UpdateRecordInput } from './attendance.schemas.js';
import type { AttendanceRecordRow, AttendanceStatus } from './attendance.table.js';
import { recordChangesRepository } from './record-changes.repository.js';
import { assertSeesRecordOwner } from './record-visibility.js';
import type { RecordWriter } from './record-writer.js';
import { recordsRepository } from './records.repository.js';

export interface OverridesDeps {
  db: Kysely<Database>;
  writer: RecordWriter;
  now?: () => number;
}

const arrived = (s: AttendanceStatus) => s === 'present' || s === 'late';

/** Status/notes applied by staff to the current row. */
export function staffPatch(
  actorId: string,
  rec: AttendanceRecordRow,
  patch: { status?: AttendanceStatus; notes?: string | null },
  t: number,
) {
  const status = patch.status ?? rec.status;
  return {
    status,
    notes: patch.notes !== undefined ? patch.notes : rec.notes,
    marked_by: actorId,
    // Marked as arrived without a check-in (e.g. after being absent): the marking is the arrival.
    check_in_time: rec.check_in_time ?? (patch.status && arrived(patch.status) ? t : null),
  };
}

export function createOverridesService(deps: OverridesDeps) {
  const { db, writer } = deps;
  const now = deps.now ?? Date.now;

  return {
    /**
     * Marks a user of the session's org (expected or not) without window or fence checks. When the
     * user already has a record it is updated (and the change logged) rather than refused.
     */
    async forceCheckIn(actor: Actor, input: ForceCheckInInput) {
      const session = await sessionsRepository.findById(db, scopeOf(actor), input.session_id);
      if (!session) throw notFound('Session');
      assertCanManageSession(actor, session);
      if (!session.is_active) throw conflict('CONFLICT', 'The session is cancelled');
      const user = await usersRepository.findById(db, session.org_id, input.user_id);
      // A user the caller may not see (a teacher naming staff) is unknown here too (lib/visibility.ts).
      if (!user || !canSeeUser(actor, user)) throw notFound('User');
      const status = input.status ?? 'present';
      const t = now();
      const row: AttendanceRecordRow = {
        record_id: newId(),
        org_id: session.org_id,
        session_id: session.session_id,
        user_id: user.user_id,
        check_in_time: arrived(status) ? t : null,
        check_out_time: null,
        check_in_lat: null,
        check_in_lon: null,
        check_in_accuracy: null,
        check_out_lat: null,
        check_out_lon: null,
        distance_m: null,
        status,
        notes: input.notes ?? null,
        marked_by: actor.userId,
        created_at: t,
        updated_at: t,
        flags: '',
        review_state: 'none',
        device_hash: null,
      };
      let result: { record: AttendanceRecordRow; created: boolean };
      try {
        const by = { actorId: actor.userId, action: 'force_check_in', cause: 'force_check_in', at: t };
        result = { record: await writer.insertMarked(row, by), created: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // The user has a record already (checked in, or marked before): update it instead.
        const updated = await writer.change(
          session.session_id,
          { userId: user.user_id },
          (rec) => staffPatch(actor.userId, rec, { status, notes: input.notes }, t),
          { actorId: actor.userId, action: 'force_update', cause: 'force_check_in', at: t },
        );
        if (!updated) throw conflict('CONFLICT', 'The record changed meanwhile; retry');
        result = { record: updated, created: false };
      }
      await recordAudit(db, {
        orgId: session.org_id,
        actorId: actor.userId,
        action: result.created ? 'attendance.force_check_in' : 'attendance.force_update',
        targetType: 'attendance_record',
        targetId: result.record.record_id,
        details: { user_id: user.user_id, status },
      });
      return { record: toRecordDto(result.record), created: result.created };
    },

    /** A correction by the session's teacher or an admin (e.g. to `excused`). */
    async correct(actor: Actor, recordId: string, input: UpdateRecordInput) {
      const found = await recordsRepository.findWithSessionOwner(db, scopeOf(actor), recordId);
      if (!found) throw notFound('Attendance record');
      // Before the session check: a staff member's record must not answer 403 (which confirms it exists).
      await assertSeesRecordOwner(db, actor, found);
      assertCanManageSession(actor, { org_id: found.org_id, teacher_ids: found.session_teacher_ids });
      const t = now();
      const updated = await writer.change(
        found.session_id,
        { recordId },
        (rec) => staffPatch(actor.userId, rec, input, t),
        { actorId: actor.userId, action: 'correction', cause: 'correction', at: t },
      );
      if (!updated) throw notFound('Attendance record');
      await recordAudit(db, {
        orgId: updated.org_id,
        actorId: actor.userId,
        action: 'attendance.correct',
        targetType: 'attendance_record',
        targetId: recordId,
        details: { status: updated.status },
      });
      return toRecordDto(updated);
    },

    /** The audit trail of a record: staff of its org who see its owner (lib/visibility.ts), and the owner. */
    async history(actor: Actor, recordId: string, q: { page?: number; per_page?: number; limit?: number }) {
      const rec = await recordsRepository.findById(db, scopeOf(actor), recordId);
      if (!rec || (!isStaff(actor.role) && rec.user_id !== actor.userId)) throw notFound('Attendance record');
      await assertSeesRecordOwner(db, actor, rec);
      const page = pageRequest(q);
      const { rows, total } = await recordChangesRepository.listForRecord(db, recordId, page);
      return { items: rows.map(toRecordChangeDto), pagination: pagination(page, total) };
    },
  };
}
export type OverridesService = ReturnType<typeof createOverridesService>;
