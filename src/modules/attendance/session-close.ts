/**
 * Closing a session: every expected attendee without a record gets an `absent` record, with its
 * audit entry, and closed_at is set — all in one transaction. Two closes may race (a teacher's button
 * and a report read at end time): the UNIQUE(session_id, user_id) constraint arbitrates, each insert
 * skips rows that exist, and only the rows this transaction really inserted get an audit entry.
 * The session row is locked first, so racing closes queue and the later ones find it closed.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import type { ChangeBus, ChangeEvent } from '../../lib/change-events.js';
import { newId } from '../../lib/ids.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import type { NewAttendanceRecordRow } from './attendance.table.js';
import { expectedAttendeesRepository } from './expected-attendees.repository.js';
import { recordChangesRepository } from './record-changes.repository.js';
import { recordsRepository } from './records.repository.js';

/** Rows per INSERT: 17 parameters each stays far below every engine's bind-parameter limit. */
const CHUNK = 500;
const MAX_ATTEMPTS = 4;

/** Deadlock or serialization failure: the transaction was rolled back and may simply run again. */
function isRetryable(err: unknown): boolean {
  const e = err as { code?: string | number; errno?: number } | null;
  return (
    !!e &&
    typeof e === 'object' &&
    (e.code === '40P01' ||
      e.code === '40001' ||
      e.errno === 1213 ||
      e.errno === 1205 ||
      e.code === 'SQLITE_BUSY')
  );
}

/**
 * Returns how many absent records this call created. `actorId` null: closed automatically. With
 * `changes`, the close announces one `session closed` event and a `record created` event per absent
 * record, in the transaction and after its commit — only the close that really closed does.
 */
export async function closeSession(
  db: Kysely<Database>,
  dialect: DialectName,
  session: AttendanceSessionRow,
  actorId: string | null,
  now: number,
  changes?: ChangeBus,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const events: ChangeEvent[] = [];
    try {
      const created = await db.transaction().execute(async (tx) => {
        const state = await sessionsRepository.lockForClose(tx, dialect, session.session_id);
        // Another close got here first (or the session was cancelled meanwhile): nothing left to do.
        if (!state?.is_active || state.closed_at !== null) return 0;
        const missing = await expectedAttendeesRepository.listWithoutRecord(tx, session);
        let created = 0;
        for (let i = 0; i < missing.length; i += CHUNK) {
          const rows: NewAttendanceRecordRow[] = missing.slice(i, i + CHUNK).map((userId) => ({
            record_id: newId(),
            org_id: session.org_id,
            session_id: session.session_id,
            user_id: userId,
            check_in_time: null,
            check_out_time: null,
            check_in_lat: null,
            check_in_lon: null,
            check_in_accuracy: null,
            check_out_lat: null,
            check_out_lon: null,
            distance_m: null,
            status: 'absent',
            notes: null,
            marked_by: actorId,
            created_at: now,
            updated_at: now,
          }));
          await recordsRepository.insertSkippingDuplicates(tx, dialect, rows);
          const inserted = await recordsRepository.existingIds(
            tx,
            rows.map((r) => r.record_id),
          );
          await recordChangesRepository.insert(
            tx,
            inserted.map((recordId) => ({
              change_id: newId(),
              record_id: recordId,
              org_id: session.org_id,
              changed_by: actorId,
              changed_at: now,
              action: 'absent_on_close',
              old_status: null,
              new_status: 'absent',
              old_notes: null,
              new_notes: null,
            })),
          );
          created += inserted.length;
          const userOf = new Map(rows.map((r) => [r.record_id, r.user_id]));
          for (const recordId of inserted)
            events.push({
              type: 'record',
              kind: 'created',
              orgId: session.org_id,
              sessionId: session.session_id,
              recordId,
              userId: userOf.get(recordId)!,
              cause: 'close',
              actorId,
              at: new Date(now),
            });
        }
        await sessionCountsRepository.refresh(tx, session.session_id);
        if (await sessionsRepository.markClosed(tx, session.session_id, now))
          events.push({
            type: 'session',
            state: 'closed',
            orgId: session.org_id,
            sessionId: session.session_id,
            actorId,
            at: new Date(now),
          });
        await changes?.write(tx, events);
        return created;
      });
      changes?.committed(events);
      return created;
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
    }
  }
}

/** The automatic close: a session past its end_time, active and not yet closed, is closed now. */
export async function closeIfEnded(
  db: Kysely<Database>,
  dialect: DialectName,
  session: AttendanceSessionRow,
  now: number,
  changes?: ChangeBus,
): Promise<boolean> {
  if (!session.is_active || session.closed_at !== null || session.end_time > now) return false;
  await closeSession(db, dialect, session, null, now, changes);
  return true;
}
