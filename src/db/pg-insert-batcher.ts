/**
 * Group insert for PostgreSQL, the counterpart of the SQLite batcher (src/db/insert-batcher.ts).
 *
 * PostgreSQL commits each check-in on its own: one round trip for the insert and one WAL flush per
 * commit, on a server that shares the machine's cores (PostgreSQL check-in at 3% of the POST floor,
 * BENCHMARKS.md). Here inserts that arrive together become one multi-row
 * `INSERT … ON CONFLICT (…) DO NOTHING RETURNING key` — one statement, one commit, one flush — and
 * each caller learns from RETURNING whether its own row went in or met the unique constraint (of
 * two rows with the same conflict key in one batch, the first one queued is stored).
 *
 * Same guarantee as the SQLite batcher: a promise resolves only after the batch has committed, so a
 * 2xx sent on it means the row is durable. `inTransaction`, when given, runs inside the batch's
 * transaction with the rows that went in (an outbox write, a counter): a throw there rolls the
 * batch back. A failing batch (a foreign key, a constraint other than the conflict target, a throw
 * in `inTransaction`) is retried row by row, so one bad row fails alone.
 *
 * Batches form by themselves: the first insert waits one event-loop turn; while `concurrency`
 * batches are in flight, new inserts queue up for the next one. `concurrency` must leave
 * connections in the pool for the reads of the same requests.
 */
import type { Kysely, Transaction } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: one generic insert over any table's row type
type AnyDb = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyTx = Transaction<any>;
type Row = Record<string, unknown>;

interface Pending {
  row: Row;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

export interface PgInsertBatcherOptions {
  table: string;
  /** The unique constraint that decides duplicates (`ON CONFLICT (…) DO NOTHING`). */
  conflictColumns: string[];
  /** A column whose value each row brings and that identifies it (the primary key). */
  keyColumn: string;
  /** Rows per statement: 256 rows of 20 columns stay far below PostgreSQL's 65,535 parameters. */
  maxBatch?: number;
  /** Batches in flight at once (each holds one pooled connection while it runs). */
  concurrency?: number;
  /** Runs in the batch's transaction with the rows that were inserted. */
  inTransaction?: (trx: AnyTx, inserted: Row[]) => Promise<void>;
}

export interface PgInsertBatcher {
  /** Resolves true once the row is committed, false when the conflict columns already had a row. */
  insert(row: Row): Promise<boolean>;
  /** Statements and rows written so far (tests and the bench read them). */
  stats(): { batches: number; rows: number; fallbacks: number };
}

export function createPgInsertBatcher(db: AnyDb, opts: PgInsertBatcherOptions): PgInsertBatcher {
  const maxBatch = opts.maxBatch ?? 256;
  const concurrency = opts.concurrency ?? 2;
  const queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  const stats = { batches: 0, rows: 0, fallbacks: 0 };

  /** Inserts rows in one statement inside `trx`; returns the keys that went in. */
  async function insertRows(trx: AnyTx, rows: Row[]): Promise<Set<unknown>> {
    const returned = await trx
      .insertInto(opts.table)
      .values(rows)
      .onConflict((oc) => oc.columns(opts.conflictColumns).doNothing())
      .returning(opts.keyColumn)
      .execute();
    const keys = new Set(returned.map((r: Row) => r[opts.keyColumn]));
    if (opts.inTransaction) {
      const inserted = rows.filter((r) => keys.has(r[opts.keyColumn]));
      if (inserted.length) await opts.inTransaction(trx, inserted);
    }
    return keys;
  }

  async function write(batch: Pending[]): Promise<void> {
    try {
      const keys = await db.transaction().execute((trx) =>
        insertRows(
          trx,
          batch.map((p) => p.row),
        ),
      );
      stats.batches++;
      stats.rows += batch.length;
      for (const p of batch) p.resolve(keys.has(p.row[opts.keyColumn]));
    } catch {
      // One bad row must not fail its neighbours: each on its own, in its own transaction, one
      // after the other (a batch's worth at once would queue past the pool's connection timeout).
      stats.fallbacks++;
      for (const p of batch) {
        try {
          const keys = await db.transaction().execute((trx) => insertRows(trx, [p.row]));
          p.resolve(keys.has(p.row[opts.keyColumn]));
        } catch (err) {
          p.reject(err);
        }
      }
    }
  }

  function pump(): void {
    scheduled = false;
    while (queue.length && inFlight < concurrency) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void write(batch).finally(() => {
        inFlight--;
        if (queue.length && !scheduled) pump();
      });
    }
  }

  return {
    insert(row) {
      if (row[opts.keyColumn] === undefined || row[opts.keyColumn] === null)
        return Promise.reject(new Error(`pg insert batcher: the row has no ${opts.keyColumn}`));
      return new Promise((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (!scheduled && inFlight < concurrency) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    stats: () => ({ ...stats }),
  };
}
