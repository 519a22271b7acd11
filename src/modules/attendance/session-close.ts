/**
 * The transaction of a session close (called by the record writer, record-writer.ts): every expected
 * attendee without a record gets an `absent` record, with its history entry, and closed_at is set.
 * Two closes may race (a teacher's button and the scheduler at end time): the UNIQUE(session_id,
 * user_id) constraint arbitrates, each insert skips rows that exist, and only the rows this
 * transaction really inserted get a history entry and an event. The session row is locked first, so
 * racing closes queue and the later ones find it closed.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import type { ChangeBus, ChangeEvent } from '../../lib/change-events.js';
import { newId } from '../../lib/ids.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import { userCountsRepository } from '../sessions/user-counts.repository.js';
import type { NewAttendanceRecordRow } from './attendance.table.js';
import { expectedAttendeesRepository } from './expected-attendees.repository.js';
import { recordChangesRepository } from './record-changes.repository.js';
import { recordsRepository } from './records.repository.js';

/** Rows per INSERT: 20 parameters each stays far below every engine's bind-parameter limit. */
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

/** `actorId` null: closed automatically. The events are for ChangeBus.committed once this returns. */
export async function closeInTransaction(
  db: Kysely<Database>,
  dialect: DialectName,
  changes: ChangeBus,
  session: AttendanceSessionRow,
  actorId: string | null,
  now: number,
): Promise<{ created: number; events: ChangeEvent[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (tx) => {
        const events: ChangeEvent[] = [];
        const state = await sessionsRepository.lockForClose(tx, dialect, session.session_id);
        // Another close got here first (or the session was cancelled meanwhile): nothing left to do.
        if (!state?.is_active || state.closed_at !== null) return { created: 0, events };
        const missing = await expectedAttendeesRepository.listWithoutRecord(tx, session);
        let created = 0;
        const at = new Date(now);
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
            flags: '',
            review_state: 'none',
            device_hash: null,
          }));
          await recordsRepository.insertSkippingDuplicates(tx, dialect, rows);
          const inserted = new Set(
            await recordsRepository.existingIds(
              tx,
              rows.map((r) => r.record_id),
            ),
          );
          const mine = rows.filter((r) => inserted.has(r.record_id));
          await recordChangesRepository.insert(
            tx,
            mine.map((r) => ({
              change_id: newId(),
              record_id: r.record_id,
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
          for (const r of mine)
            events.push({
              type: 'record',
              kind: 'created',
              orgId: r.org_id,
              sessionId: r.session_id,
              recordId: r.record_id,
              userId: r.user_id,
              cause: 'close',
              actorId,
              at,
            });
          created += mine.length;
        }
        await sessionCountsRepository.refresh(tx, session.session_id);
        await sessionsRepository.markClosed(tx, session.session_id, now);
        // Closed: its records now count in their users' month rows.
        await userCountsRepository.contribute(tx, dialect, session.session_id, 1);
        events.push({
          type: 'session',
          state: 'closed',
          orgId: session.org_id,
          sessionId: session.session_id,
          actorId,
          at,
        });
        await changes.write(tx, events);
        return { created, events };
      });
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
    }
  }
}
