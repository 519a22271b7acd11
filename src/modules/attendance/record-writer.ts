/**
 * The one writer of attendance records (STYLE.md "One writer per aggregate"). Check-in, force
 * check-in, correction, review, check-out and session close all write here. It owns the row shape,
 * writes the record history (attendance_record_changes) and the session's counts in the transaction
 * of the change, and announces every change on the ChangeBus: `write` inside that transaction (the
 * outbox), `committed` after the commit (the live feed).
 * Records of a cancelled session are frozen: every change of one answers 409 here, whichever path
 * asks (API.md: one rule for correction, check-out, force check-in and review).
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import { isUniqueViolation } from '../../db/errors.js';
import { createGroupBatcher } from '../../db/group-batcher.js';
import { createTransactionBatcher } from '../../db/insert-batcher.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/types.js';
import type { ChangeBus, ChangeEvent, RecordChangeKind } from '../../lib/change-events.js';
import { conflict } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { OrgScope } from '../../lib/tenancy.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import { userCountsRepository } from '../sessions/user-counts.repository.js';
import type { AttendanceRecordRow, AttendanceRecordUpdate, NewRecordChangeRow } from './attendance.table.js';
import { type CheckInItem, writeCheckInBatch } from './checkin-batch.js';
import { recordChangesRepository } from './record-changes.repository.js';
import { joinFlags, parseFlags, reviewStateFor } from './record-flags.js';
import { recordsRepository } from './records.repository.js';
import { closeInTransaction } from './session-close.js';

export interface RecordWriterDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  changes: ChangeBus;
}

/** Who changes a record, why (the history's `action`, the event's `cause`) and when. */
export interface ChangeBy {
  actorId: string | null;
  action: string;
  cause: string;
  at: number;
}

export type CheckInWrite =
  | { kind: 'created'; row: AttendanceRecordRow }
  | { kind: 'duplicate' }
  | { kind: 'ticket_used' };

type Patch = Pick<
  AttendanceRecordUpdate,
  'status' | 'notes' | 'marked_by' | 'check_in_time' | 'flags' | 'review_state'
>;

const recordEvent = (
  r: Pick<AttendanceRecordRow, 'org_id' | 'session_id' | 'record_id' | 'user_id'>,
  kind: RecordChangeKind,
  by: Pick<ChangeBy, 'cause' | 'actorId' | 'at'>,
): ChangeEvent => ({
  type: 'record',
  kind,
  orgId: r.org_id,
  sessionId: r.session_id,
  recordId: r.record_id,
  userId: r.user_id,
  cause: by.cause,
  actorId: by.actorId,
  at: new Date(by.at),
});

function historyRow(
  rec: Pick<AttendanceRecordRow, 'record_id' | 'org_id'>,
  by: ChangeBy,
  before: Pick<AttendanceRecordRow, 'status' | 'notes'> | null,
  after: Pick<AttendanceRecordRow, 'status' | 'notes'>,
): NewRecordChangeRow {
  return {
    change_id: newId(),
    record_id: rec.record_id,
    org_id: rec.org_id,
    changed_by: by.actorId,
    changed_at: by.at,
    action: by.action,
    old_status: before?.status ?? null,
    new_status: after.status,
    old_notes: before?.notes ?? null,
    new_notes: after.notes,
  };
}

/** PostgreSQL check-in batches in flight at once (each holds a pooled connection while it runs). */
const PG_CHECKIN_BATCHES = 2;

const cancelled = () => conflict('CONFLICT', 'The session is cancelled; its attendance can no longer change');

export function createRecordWriter(deps: RecordWriterDeps) {
  const { db, dialect, changes } = deps;
  // On SQLite, check-ins arriving together share one transaction and one fsync (decision 003).
  // PostgreSQL: the group batcher below; MariaDB: a transaction each. The unique constraint decides duplicates.
  const batcher = dialect === 'sqlite' ? createTransactionBatcher(db) : null;
  const checkInTransaction = <T>(work: (tx: Tx) => Promise<T>): Promise<T> =>
    batcher ? batcher.run(work) : db.transaction().execute(work);

  /** Spends a scan ticket: false when it was spent already. Never aborts the surrounding transaction. */
  async function spendTicket(tx: Tx, use: { ticket_id: string; session_id: string; used_at: number }) {
    if (dialect === 'mysql') {
      // InnoDB rolls back only the failed statement; the transaction goes on.
      try {
        await tx.insertInto('scan_ticket_uses').values(use).execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    }
    const res = await tx
      .insertInto('scan_ticket_uses')
      .values(use)
      .onConflict((oc) => oc.column('ticket_id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The other accounts' records of this session made from the same device get `shared_device`. */
  async function flagSharedDevice(tx: Tx, row: AttendanceRecordRow, events: ChangeEvent[]) {
    const others = await tx
      .selectFrom('attendance_records')
      .select(['record_id', 'org_id', 'session_id', 'user_id', 'flags', 'review_state'])
      .where('session_id', '=', row.session_id)
      .where('device_hash', '=', row.device_hash)
      .where('user_id', '<>', row.user_id)
      .execute();
    if (!others.length) return row;
    for (const o of others) {
      const flags = joinFlags([...parseFlags(o.flags), 'shared_device']);
      if (flags === o.flags) continue;
      await recordsRepository.update(tx, o.record_id, {
        flags,
        review_state: reviewStateFor(flags, o.review_state),
      });
      events.push(recordEvent(o, 'changed', { cause: 'flag', actorId: null, at: row.created_at }));
    }
    const flags = joinFlags([...parseFlags(row.flags), 'shared_device']);
    const flagged = { ...row, flags, review_state: reviewStateFor(flags, row.review_state) };
    await recordsRepository.update(tx, row.record_id, { flags, review_state: flagged.review_state });
    return flagged;
  }

  // On PostgreSQL, check-ins arriving together are written by one transaction of set-based
  // statements (checkin-batch.ts): alone, each cost ~10 round trips and a WAL flush. A failed batch
  // runs each check-in alone (checkIn with `alone`), so one bad check-in fails alone.
  const pgBatcher =
    dialect === 'postgres'
      ? createGroupBatcher<CheckInItem, CheckInWrite>({
          runBatch: async (items) => {
            const out = await db.transaction().execute((tx) =>
              writeCheckInBatch(tx, items, {
                createdEvent: (r) =>
                  recordEvent(r, 'created', { cause: 'check_in', actorId: null, at: r.created_at }),
                flagSharedDevice,
                write: (trx, events) => changes.write(trx, events),
              }),
            );
            changes.committed(out.events);
            return out.results;
          },
          runOne: (item) => writer.checkIn(item.row, { ticketId: item.ticketId, alone: true }),
          concurrency: PG_CHECKIN_BATCHES,
        })
      : null;

  /** Runs a change of a record under its session's lock and announces it after the commit. */
  async function changeLocked<T>(
    sessionId: string,
    work: (tx: Tx, events: ChangeEvent[]) => Promise<T>,
  ): Promise<T> {
    let events: ChangeEvent[] = [];
    const out = await db.transaction().execute(async (tx) => {
      events = [];
      // The session row first (the order a close takes too), then the record, then the counts.
      const state = await sessionsRepository.lockForClose(tx, dialect, sessionId);
      if (state && !state.is_active) throw cancelled();
      const result = await work(tx, events);
      await changes.write(tx, events);
      return result;
    });
    changes.committed(events);
    return out;
  }

  /**
   * Closes a session: an `absent` record (with its history entry) for every expected attendee
   * without one, closed_at set, one `session` event (closed) and one `record` event per absence.
   * Returns how many absences this call recorded (0 when another close got there first).
   */
  async function closeSession(session: AttendanceSessionRow, actorId: string | null, now: number) {
    const { created, events } = await closeInTransaction(db, dialect, changes, session, actorId, now);
    changes.committed(events);
    return created;
  }

  const writer = {
    /**
     * A self check-in. With a scan ticket, the ticket is spent in the same transaction (its primary
     * key makes it single-use under concurrency); a ticket already spent undoes the insert. A device
     * seen on another account of the session flags both records.
     */
    async checkIn(
      row: AttendanceRecordRow,
      /** `alone`: in a transaction of its own, not batched (the PostgreSQL batcher's fallback). */
      opts: { ticketId?: string; alone?: boolean } = {},
    ): Promise<CheckInWrite> {
      if (pgBatcher && !opts.alone) return pgBatcher.run({ row, ticketId: opts.ticketId });
      const out = await checkInTransaction(async (tx) => {
        const events: ChangeEvent[] = [];
        if (!(await recordsRepository.insertUnlessTaken(tx, dialect, row)))
          return { result: { kind: 'duplicate' } as CheckInWrite, events };
        if (opts.ticketId !== undefined) {
          const use = { ticket_id: opts.ticketId, session_id: row.session_id, used_at: row.created_at };
          if (!(await spendTicket(tx, use))) {
            await tx.deleteFrom('attendance_records').where('record_id', '=', row.record_id).execute();
            return { result: { kind: 'ticket_used' } as CheckInWrite, events };
          }
        }
        events.push(recordEvent(row, 'created', { cause: 'check_in', actorId: null, at: row.created_at }));
        const written = row.device_hash !== null ? await flagSharedDevice(tx, row, events) : row;
        await changes.write(tx, events);
        return { result: { kind: 'created', row: written } as CheckInWrite, events };
      });
      changes.committed(out.events);
      return out.result;
    },

    /** A record made by staff (force check-in). A record that exists already: the unique violation is thrown. */
    async insertMarked(row: AttendanceRecordRow, by: ChangeBy): Promise<AttendanceRecordRow> {
      return changeLocked(row.session_id, async (tx, events) => {
        await recordsRepository.insert(tx, row);
        await recordChangesRepository.insert(tx, [historyRow(row, by, null, row)]);
        await sessionCountsRepository.refresh(tx, row.session_id);
        await userCountsRepository.contribute(tx, dialect, row.session_id, 1, row.user_id);
        events.push(recordEvent(row, 'created', by));
        return row;
      });
    },

    /**
     * Changes one record of a session: `decide` gets the locked current row and returns the patch
     * (it may throw to refuse). Undefined when the record does not exist.
     */
    async change(
      sessionId: string,
      locate: { recordId: string } | { userId: string },
      decide: (current: AttendanceRecordRow) => Patch,
      by: ChangeBy,
    ): Promise<AttendanceRecordRow | undefined> {
      return changeLocked(sessionId, async (tx, events) => {
        const rec =
          'recordId' in locate
            ? await recordsRepository.findForUpdate(tx, dialect, locate.recordId)
            : await recordsRepository.findBySessionAndUser(tx, dialect, sessionId, locate.userId, true);
        if (!rec || rec.session_id !== sessionId) return undefined;
        const patch = decide(rec);
        const next: AttendanceRecordRow = { ...rec, ...patch, updated_at: by.at } as AttendanceRecordRow;
        // The user's month row (user-counts.repository.ts): the record's share out, changed, back in.
        await userCountsRepository.contribute(tx, dialect, sessionId, -1, rec.user_id);
        await recordsRepository.update(tx, rec.record_id, { ...patch, updated_at: by.at });
        await userCountsRepository.contribute(tx, dialect, sessionId, 1, rec.user_id);
        await recordChangesRepository.insert(tx, [historyRow(rec, by, rec, next)]);
        await sessionCountsRepository.refresh(tx, sessionId);
        events.push(recordEvent(next, 'changed', by));
        return next;
      });
    },

    /**
     * Sets the check-out only if there is a check-in and none yet: of two concurrent check-outs
     * exactly one changes the row. `done` says whether this call did; `row` is the record after it.
     */
    async checkOut(
      scope: OrgScope,
      recordId: string,
      userId: string,
      patch: { check_out_time: number; check_out_lat: number | null; check_out_lon: number | null },
    ): Promise<{ done: boolean; row: AttendanceRecordRow } | undefined> {
      const found = await recordsRepository.findById(db, scope, recordId);
      if (!found || found.user_id !== userId) return undefined;
      return changeLocked(found.session_id, async (tx, events) => {
        const done = await recordsRepository.checkOut(tx, scope, recordId, userId, patch);
        const row = (await recordsRepository.findById(tx, scope, recordId)) ?? found;
        if (done)
          events.push(
            recordEvent(row, 'changed', { cause: 'check_out', actorId: userId, at: patch.check_out_time }),
          );
        return { done, row };
      });
    },

    closeSession,

    /** The automatic close of a session past its end_time that nobody closed. */
    async closeIfEnded(session: AttendanceSessionRow, now: number): Promise<boolean> {
      if (!session.is_active || session.closed_at !== null || session.end_time > now) return false;
      await closeSession(session, null, now);
      return true;
    },
  };
  return writer;
}
export type RecordWriter = ReturnType<typeof createRecordWriter>;
