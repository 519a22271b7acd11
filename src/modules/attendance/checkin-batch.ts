/**
 * Several self check-ins in one transaction with set-based statements (PostgreSQL; the record
 * writer's group batcher calls it). The outcome of each check-in is the one it would have had
 * alone, in queue order:
 *   - one multi-row `INSERT … ON CONFLICT (session_id, user_id) DO NOTHING RETURNING record_id`:
 *     a row already stored, or queued earlier in the batch, is a duplicate (PostgreSQL skips the
 *     second of two equal keys in one statement with DO NOTHING);
 *   - one multi-row insert of the scan-ticket uses of the rows that went in, `ON CONFLICT
 *     (ticket_id) DO NOTHING RETURNING ticket_id`; the rows whose ticket was already spent (stored,
 *     or by an earlier row of the batch) are deleted again with one statement: ticket_used;
 *   - the shared-device flags row by row (only rows that carry a device), after all inserts, so a
 *     device seen twice in one batch flags both as it would across two transactions;
 *   - one ChangeBus.write for every event of the batch (one outbox insert, one live counter upsert
 *     and one live-event insert per session).
 * Rows are inserted in (session_id, user_id) order (a stable sort: equal keys keep queue order),
 * so two batches in flight take the unique index's locks in one order and cannot deadlock on them.
 */

import type { Tx } from '../../db/types.js';
import type { ChangeEvent } from '../../lib/change-events.js';
import type { AttendanceRecordRow } from './attendance.table.js';
import type { CheckInWrite } from './record-writer.js';

export interface CheckInItem {
  row: AttendanceRecordRow;
  ticketId?: string;
}

export interface CheckInBatchDeps {
  /** The `created` event of a new record. */
  createdEvent(row: AttendanceRecordRow): ChangeEvent;
  /** Flags the other records of the session from the same device (and the row); returns the row. */
  flagSharedDevice(tx: Tx, row: AttendanceRecordRow, events: ChangeEvent[]): Promise<AttendanceRecordRow>;
  /** ChangeBus.write: the outbox and live events, in this transaction. */
  write(tx: Tx, events: readonly ChangeEvent[]): Promise<void>;
}

/** Thrown when the batch cannot give each check-in its one-by-one outcome; the batcher runs each alone. */
export class BatchOrderError extends Error {}

/** Rows per INSERT: 200 rows of 20 columns stay far below PostgreSQL's 65,535 parameters. */
const CHUNK = 200;

const byKey = (a: CheckInItem, b: CheckInItem) =>
  a.row.session_id < b.row.session_id
    ? -1
    : a.row.session_id > b.row.session_id
      ? 1
      : a.row.user_id < b.row.user_id
        ? -1
        : a.row.user_id > b.row.user_id
          ? 1
          : 0;

export async function writeCheckInBatch(
  tx: Tx,
  items: readonly CheckInItem[],
  deps: CheckInBatchDeps,
): Promise<{ results: CheckInWrite[]; events: ChangeEvent[] }> {
  const sorted = [...items].sort(byKey);
  const inserted = new Set<string>();
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const rows = await tx
      .insertInto('attendance_records')
      .values(sorted.slice(i, i + CHUNK).map((it) => it.row))
      .onConflict((oc) => oc.columns(['session_id', 'user_id']).doNothing())
      .returning('record_id')
      .execute();
    for (const r of rows) inserted.add(r.record_id);
  }

  // Tickets of the rows that went in; of two rows with one ticket, the first in queue order wins.
  const spent = new Set<string>();
  const withTicket = items.filter((it) => it.ticketId !== undefined && inserted.has(it.row.record_id));
  if (withTicket.length) {
    const uses = [...withTicket].sort(byKey).map((it) => ({
      ticket_id: it.ticketId!,
      session_id: it.row.session_id,
      used_at: it.row.created_at,
    }));
    const stored = new Set<string>();
    for (let i = 0; i < uses.length; i += CHUNK) {
      const rows = await tx
        .insertInto('scan_ticket_uses')
        .values(uses.slice(i, i + CHUNK))
        .onConflict((oc) => oc.column('ticket_id').doNothing())
        .returning('ticket_id')
        .execute();
      for (const r of rows) stored.add(r.ticket_id);
    }
    const claimed = new Set<string>();
    for (const it of withTicket) {
      const t = it.ticketId!;
      if (stored.has(t) && !claimed.has(t)) claimed.add(t);
      else spent.add(it.row.record_id);
    }
    // Alone, a later request of the same student and session would go in once this row is undone;
    // here it already met this row's key. Rare (one student, two requests, a spent ticket): let
    // the batcher roll back and run each alone.
    if (spent.size) {
      const keys = new Map<string, number>();
      for (const it of items) {
        const k = `${it.row.session_id}|${it.row.user_id}`;
        keys.set(k, (keys.get(k) ?? 0) + 1);
      }
      for (const it of withTicket)
        if (spent.has(it.row.record_id) && keys.get(`${it.row.session_id}|${it.row.user_id}`)! > 1)
          throw new BatchOrderError();
    }
    if (spent.size)
      await tx
        .deleteFrom('attendance_records')
        .where('record_id', 'in', [...spent])
        .execute();
  }

  const events: ChangeEvent[] = [];
  const results: CheckInWrite[] = [];
  for (const it of items) {
    const id = it.row.record_id;
    if (!inserted.has(id)) results.push({ kind: 'duplicate' });
    else if (spent.has(id)) results.push({ kind: 'ticket_used' });
    else {
      events.push(deps.createdEvent(it.row));
      const row = it.row.device_hash !== null ? await deps.flagSharedDevice(tx, it.row, events) : it.row;
      results.push({ kind: 'created', row });
    }
  }
  await deps.write(tx, events);
  return { results, events };
}
