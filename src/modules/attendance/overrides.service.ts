/**
 * Staff overrides: force check-in and corrections. Each change and its entry in the record's audit
 * trail (attendance_record_changes) are written in one transaction.
 */
import { isUniqueViolation } from '../../db/errors.js';
import type { Tx } from '../../db/types.js';
import { conflict, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, isStaff, scopeOf } from '../../lib/tenancy.js';
import { recordAudit } from '../audit/audit.repository.js';
import { assertCanManageSession } from '../sessions/session-access.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { usersRepository } from '../users/users.repository.js';
import { toRecordChangeDto, toRecordDto } from './attendance.mapper.js';
import type { ForceCheckInInput, UpdateRecordInput } from './attendance.schemas.js';
import type { AttendanceRecordRow, AttendanceStatus } from './attendance.table.js';
import type { AttendanceDeps } from './checkin.service.js';
import { recordChangesRepository } from './record-changes.repository.js';
import { recordsRepository } from './records.repository.js';

const arrived = (s: AttendanceStatus) => s === 'present' || s === 'late';

export function createOverridesService(deps: AttendanceDeps) {
  const { db, dialect } = deps;
  const now = deps.now ?? Date.now;

  /** Applies status/notes to a locked record and logs the change; returns the new row. */
  async function change(
    tx: Tx,
    actor: Actor,
    rec: AttendanceRecordRow,
    patch: { status?: AttendanceStatus; notes?: string | null },
    action: string,
    t: number,
  ): Promise<AttendanceRecordRow> {
    const next: AttendanceRecordRow = {
      ...rec,
      status: patch.status ?? rec.status,
      notes: patch.notes !== undefined ? patch.notes : rec.notes,
      marked_by: actor.userId,
      updated_at: t,
      // Marked as arrived without a check-in (e.g. after being absent): the marking is the arrival.
      check_in_time: rec.check_in_time ?? (patch.status && arrived(patch.status) ? t : null),
    };
    await recordsRepository.update(tx, rec.record_id, {
      status: next.status,
      notes: next.notes,
      marked_by: next.marked_by,
      updated_at: t,
      check_in_time: next.check_in_time,
    });
    await recordChangesRepository.insert(tx, [
      {
        change_id: newId(),
        record_id: rec.record_id,
        org_id: rec.org_id,
        changed_by: actor.userId,
        changed_at: t,
        action,
        old_status: rec.status,
        new_status: next.status,
        old_notes: rec.notes,
        new_notes: next.notes,
      },
    ]);
    return next;
  }

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
      if (!user) throw notFound('User');
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
      };
      let result: { record: AttendanceRecordRow; created: boolean };
      try {
        await db.transaction().execute(async (tx) => {
          // The session row first (the order a close takes too), then the record, then the counts.
          await sessionsRepository.lockForClose(tx, dialect, session.session_id);
          await recordsRepository.insert(tx, row);
          await recordChangesRepository.insert(tx, [
            {
              change_id: newId(),
              record_id: row.record_id,
              org_id: row.org_id,
              changed_by: actor.userId,
              changed_at: t,
              action: 'force_check_in',
              old_status: null,
              new_status: status,
              old_notes: null,
              new_notes: row.notes,
            },
          ]);
          await sessionCountsRepository.refresh(tx, session.session_id);
        });
        result = { record: row, created: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // The user has a record already (checked in, or marked before): update it instead.
        const updated = await db.transaction().execute(async (tx) => {
          await sessionsRepository.lockForClose(tx, dialect, session.session_id);
          const rec = await recordsRepository.findBySessionAndUser(
            tx,
            dialect,
            session.session_id,
            user.user_id,
            true,
          );
          if (!rec) throw conflict('CONFLICT', 'The record changed meanwhile; retry');
          const changed = await change(tx, actor, rec, { status, notes: input.notes }, 'force_update', t);
          await sessionCountsRepository.refresh(tx, session.session_id);
          return changed;
        });
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
      assertCanManageSession(actor, { org_id: found.org_id, created_by: found.session_created_by });
      const t = now();
      const updated = await db.transaction().execute(async (tx) => {
        await sessionsRepository.lockForClose(tx, dialect, found.session_id);
        // Locked re-read: the logged old values are the ones this change replaces.
        const rec = await recordsRepository.findForUpdate(tx, dialect, recordId);
        if (!rec) throw notFound('Attendance record');
        const changed = await change(tx, actor, rec, input, 'correction', t);
        await sessionCountsRepository.refresh(tx, found.session_id);
        return changed;
      });
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

    /** The audit trail of a record: staff of its org, and the record's owner. */
    async history(actor: Actor, recordId: string, q: { page?: number; per_page?: number; limit?: number }) {
      const rec = await recordsRepository.findById(db, scopeOf(actor), recordId);
      if (!rec || (!isStaff(actor.role) && rec.user_id !== actor.userId)) throw notFound('Attendance record');
      const page = pageRequest(q);
      const { rows, total } = await recordChangesRepository.listForRecord(db, recordId, page);
      return { items: rows.map(toRecordChangeDto), pagination: pagination(page, total) };
    },
  };
}
export type OverridesService = ReturnType<typeof createOverridesService>;
