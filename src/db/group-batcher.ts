/**
 * Group commit for a server database (PostgreSQL): items that arrive together are written by one
 * `runBatch` call — the caller's set-based transaction, a handful of multi-row statements and one
 * commit — instead of one transaction each. On PostgreSQL a check-in alone cost ~10 round trips and
 * a WAL flush; the service's CPU per check-in followed the round trips (BENCHMARKS.md, round two).
 *
 * The guarantee is the one-by-one path's: each promise resolves only after `runBatch` returned, and
 * `runBatch` returns after its COMMIT, so a 2xx sent on it means committed. Each item gets its own
 * outcome (`runBatch` returns one per item, in order). When `runBatch` throws (a foreign key, a
 * throwing change subscriber, a deadlock), nothing of the batch was committed and every item runs
 * again through `runOne`, alone and one after the other, so one bad item fails alone.
 *
 * Batches form by themselves: the first item waits one event-loop turn; while `concurrency` batches
 * are in flight, new items queue for the next one. `concurrency` must leave connections in the pool
 * for the reads of the same requests.
 */

interface Pending<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export interface GroupBatcherOptions<I, O> {
  /** Writes the items in one transaction; returns one outcome per item, in order. */
  runBatch: (items: I[]) => Promise<O[]>;
  /** Writes one item in a transaction of its own (the fallback of a failed batch). */
  runOne: (item: I) => Promise<O>;
  maxBatch?: number;
  concurrency?: number;
}

export interface GroupBatcher<I, O> {
  run(item: I): Promise<O>;
  /** Batches written, items in them, batches that fell back to one by one (tests read them). */
  stats(): { batches: number; items: number; fallbacks: number };
}

export function createGroupBatcher<I, O>(opts: GroupBatcherOptions<I, O>): GroupBatcher<I, O> {
  const maxBatch = opts.maxBatch ?? 256;
  const concurrency = opts.concurrency ?? 2;
  const queue: Pending<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;
  const stats = { batches: 0, items: 0, fallbacks: 0 };

  async function write(batch: Pending<I, O>[]): Promise<void> {
    let outs: O[];
    try {
      outs = await opts.runBatch(batch.map((p) => p.item));
      if (outs.length !== batch.length) throw new Error('group batcher: one outcome per item expected');
    } catch {
      stats.fallbacks++;
      for (const p of batch) {
        try {
          p.resolve(await opts.runOne(p.item));
        } catch (err) {
          p.reject(err);
        }
      }
      return;
    }
    stats.batches++;
    stats.items += batch.length;
    for (const [i, p] of batch.entries()) p.resolve(outs[i]!);
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
    run(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!scheduled && inFlight < concurrency) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    stats: () => ({ ...stats }),
  };
}
