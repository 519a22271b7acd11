/**
 * The outbox as a scheduler job (API.md Part 2 "Scheduler": the server drives the outbox). One process
 * at a time holds its lease and delivers; a pass takes up to 50 due rows, and the job keeps passing
 * while there is work and its lease holds, so a backlog drains without waiting for the next tick.
 * The row claims inside `deliverDue` stay: a holder that stalled past its lease may still be sending
 * when the next one starts, and a claimed row is never sent by both.
 */
import type { JobDefinition } from '../../lib/jobs.js';
import type { Outbox } from './outbox.js';

/** Passes per run at most: a run ends now and then so the lease renewals and the log stay regular. */
const MAX_PASSES = 20;

export function outboxJob(outbox: Outbox, intervalMs: number): JobDefinition {
  return {
    name: 'outbox',
    intervalMs,
    async run(ctx) {
      const total = { delivered: 0, retried: 0, failed: 0, skipped: 0 };
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const stats = await outbox.deliverDue(ctx.now());
        total.delivered += stats.delivered;
        total.retried += stats.retried;
        total.failed += stats.failed;
        total.skipped += stats.skipped;
        const worked = stats.delivered + stats.retried + stats.failed + stats.skipped;
        if (worked === 0 || !(await ctx.renew())) break;
      }
      return total;
    },
  };
}
