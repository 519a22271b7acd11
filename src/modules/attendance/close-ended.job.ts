/**
 * The scheduler's job that closes ended sessions (API.md Part 2 "Scheduler"): every 15 s, in
 * batches, renewing its lease between batches, so each session is closed within 60 s of its end
 * even when the lease holder dies (30 s lease + 15 s interval). Closing is idempotent under the
 * session row's lock (session-close.ts): a teacher's close racing this one still closes once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobDefinition } from '../../lib/jobs.js';
import { ALL_ORGS } from '../../lib/tenancy.js';
import { sessionCountsRepository } from '../sessions/session-counts.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { userCountsRepository } from '../sessions/user-counts.repository.js';
import type { RecordWriter } from './record-writer.js';

export const CLOSE_ENDED_JOB = 'close-ended-sessions';
const BATCH = 50;

export function closeEndedSessionsJob(deps: {
  db: Kysely<Database>;
  /** The record writer's close (absentees, counts and change events in one transaction). */
  closeIfEnded: RecordWriter['closeIfEnded'];
  log?: { error(obj: object, msg: string): void };
  intervalMs?: number;
}): JobDefinition {
  const { db, closeIfEnded } = deps;
  return {
    name: CLOSE_ENDED_JOB,
    intervalMs: deps.intervalMs ?? 15_000,
    async run(ctx) {
      let closed = 0;
      let failed = 0;
      for (;;) {
        const batch = await sessionsRepository.listToAutoClose(db, ctx.now(), BATCH);
        for (const s of batch) {
          try {
            if (await closeIfEnded(s, ctx.now())) closed++;
          } catch (err) {
            // One session that cannot be closed must not hold up the others; it is retried next run.
            failed++;
            deps.log?.error({ err, session_id: s.session_id }, 'closing an ended session failed');
          }
        }
        // A failure would list the same session again: stop, and let the next run retry it.
        if (batch.length < BATCH || failed > 0) break;
        if (!(await ctx.renew())) break; // the lease went to another process: it continues
      }
      // Orgs whose per-user months were never built, or that hold closed sessions written by other
      // tools, are built from their records (before the fill below makes those sessions look counted).
      const built = await userCountsRepository.catchUp(db, ctx.now());
      // Sessions closed before per-session counts existed (or by other tools) are counted once.
      const counted = await sessionCountsRepository.fillMissing(db, ALL_ORGS);
      return { closed, failed, counted, built };
    },
  };
}
