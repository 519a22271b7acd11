/**
 * Clean-ups the scheduler runs (API.md Part 2 "Scheduler"); `npm run cli -- cleanup-sessions` stays
 * for operators. Login sessions go a day after they expired or were revoked (a revoked token still
 * meets "Session has ended" meanwhile); idempotency keys after a day, their replay window.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobDefinition } from '../../lib/jobs.js';
import { idempotencyRepository } from '../../plugins/idempotency.repository.js';
import { userSessionsRepository } from '../auth/user-sessions.repository.js';

const DAY_MS = 86_400_000;

export function cleanupJob(db: Kysely<Database>): JobDefinition {
  return {
    name: 'cleanup-login-sessions-and-idempotency-keys',
    intervalMs: 10 * 60_000,
    async run(ctx) {
      const before = ctx.now() - DAY_MS;
      const loginSessions = await userSessionsRepository.deleteStale(db, before);
      const idempotencyKeys = await idempotencyRepository.deleteOlderThan(db, before);
      return { login_sessions_deleted: loginSessions, idempotency_keys_deleted: idempotencyKeys };
    },
  };
}
