/**
 * Group commit for SQLite. SQLite has one writer and, with synchronous=FULL, one fsync per
 * transaction: a check-in per transaction caps a school at a few hundred check-ins a second on this
 * machine (measured: 270/s, p99 1.1 s). Inserts that arrive together are written in one transaction
 * instead — one fsync for the batch — and each caller still learns whether its own row went in or
 * hit the unique constraint. Nothing is acknowledged before the batch commits.
 * Batches form by themselves: the first insert waits one event-loop turn; inserts arriving while a
 * batch is being written make up the next one.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Table = keyof Database;
interface Pending {
  row: Record<string, unknown>;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 256;

export function createInsertBatcher<T extends Table>(
  db: Kysely<Database>,
  table: T,
  conflictColumns: string[],
) {
  const queue: Pending[] = [];
  let running = false;

  // biome-ignore lint/suspicious/noExplicitAny: one generic insert over the table's row type
  const insertOne = async (executor: Kysely<any>, row: Record<string, unknown>): Promise<boolean> => {
    const res = await executor
      .insertInto(table)
      .values(row)
      .onConflict((oc) => oc.columns(conflictColumns).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  };

  async function drain(): Promise<void> {
    running = true;
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const results = await db.transaction().execute(async (tx) => {
          const out: boolean[] = [];
          for (const p of batch) out.push(await insertOne(tx, p.row));
          return out;
        });
        for (const [i, p] of batch.entries()) p.resolve(results[i]!);
      } catch {
        // One bad row (a foreign key, say) must not fail its neighbours: write them one by one.
        for (const p of batch) {
          try {
            p.resolve(await insertOne(db, p.row));
          } catch (err) {
            p.reject(err);
          }
        }
      }
    }
    running = false;
  }

  return {
    /** Resolves true once the row is committed, false when the conflict columns already had a row. */
    insert(row: Database[T] extends never ? never : Record<string, unknown>): Promise<boolean> {
      return new Promise((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
