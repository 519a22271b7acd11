/**
 * Stored live events. `append` runs inside the transaction of the change, as its last write: it
 * takes the session's counter row (an upsert), which holds that row's lock until the commit, so
 * two transactions touching one session number their events in the order they commit and a number
 * is never skipped (a rolled-back transaction gives its numbers back). A reader that saw event n
 * therefore finds every event ≤ n committed: replay is `seq > n`, exact, with nothing missed.
 * Cost on the check-in path: one upsert and one insert on primary keys. Writers take the counter
 * last (after their other row locks), so it adds no lock-order cycle.
 */
import { sql } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import { preparedInsert } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import type { LiveEventKind, LiveEventRow } from './live.table.js';

export interface NewLiveEvent {
  sessionId: string;
  kind: LiveEventKind;
  refId: string;
  state: string;
}

/** Rows per INSERT (6 parameters each). */
const CHUNK = 500;

// A check-in stores one event: that insert is built once (src/db/prepared.ts).
const insertOne = preparedInsert<LiveEventRow>(
  ['session_id', 'seq', 'kind', 'ref_id', 'state', 'created_at'],
  (db, row) => db.insertInto('live_events').values(row),
);

/** Takes `n` numbers for the session; returns the last one (the first is last - n + 1). */
async function allocate(db: Db, dialect: DialectName, sessionId: string, n: number): Promise<number> {
  if (dialect === 'mysql') {
    // LAST_INSERT_ID(expr) hands the new value back on this connection without a second lookup.
    await sql`insert into live_session_seq (session_id, seq) values (${sessionId}, last_insert_id(${n}))
      on duplicate key update seq = last_insert_id(seq + ${n})`.execute(db);
    const r = await sql<{ v: number | string }>`select last_insert_id() as v`.execute(db);
    return Number(r.rows[0]!.v);
  }
  const r = await sql<{ seq: number | string }>`insert into live_session_seq (session_id, seq)
    values (${sessionId}, ${n})
    on conflict (session_id) do update set seq = live_session_seq.seq + excluded.seq
    returning seq`.execute(db);
  return Number(r.rows[0]!.seq);
}

export const liveEventsRepository = {
  /** Numbers and stores the events (any sessions; counters taken in session-id order). */
  async append(db: Db, dialect: DialectName, events: readonly NewLiveEvent[], now: number): Promise<void> {
    const bySession = new Map<string, NewLiveEvent[]>();
    for (const e of events) {
      const list = bySession.get(e.sessionId);
      if (list) list.push(e);
      else bySession.set(e.sessionId, [e]);
    }
    for (const sessionId of [...bySession.keys()].sort()) {
      const list = bySession.get(sessionId)!;
      const last = await allocate(db, dialect, sessionId, list.length);
      const first = last - list.length + 1;
      const rows = list.map((e, i) => ({
        session_id: sessionId,
        seq: first + i,
        kind: e.kind,
        ref_id: e.refId,
        state: e.state,
        created_at: now,
      }));
      if (rows.length === 1) await insertOne.run(db, rows[0]!);
      else
        for (let i = 0; i < rows.length; i += CHUNK)
          await db
            .insertInto('live_events')
            .values(rows.slice(i, i + CHUNK))
            .execute();
    }
  },

  /** The last number given in the session (0: none yet). */
  async lastSeq(db: Db, sessionId: string): Promise<number> {
    const r = await db
      .selectFrom('live_session_seq')
      .select('seq')
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return r ? Number(r.seq) : 0;
  },

  /** Events after `after`, oldest first, at most `limit`. */
  async after(db: Db, sessionId: string, after: number, limit: number): Promise<LiveEventRow[]> {
    const rows = await db
      .selectFrom('live_events')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  },

  /** The oldest number still stored (events older than the retention are pruned). */
  async firstSeq(db: Db, sessionId: string): Promise<number | null> {
    const r = await db
      .selectFrom('live_events')
      .select((eb) => eb.fn.min('seq').as('s'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return r?.s === null || r?.s === undefined ? null : Number(r.s);
  },

  /** Deletes events older than `before` (the scheduler's clean-up). */
  async prune(db: Db, before: number): Promise<number> {
    const res = await db.deleteFrom('live_events').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  },
};
