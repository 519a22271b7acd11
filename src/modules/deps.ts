import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { SessionChangeGuard } from '../db/sqlite-statements.js';
import type { ChangeBus } from '../lib/change-events.js';
import type { JobRegistry } from '../lib/jobs.js';
import type { PasswordHasher } from '../lib/passwords.js';
import type { RateLimitStore } from '../lib/rate-limiter.js';

/** What a feature module may use. Services take the narrowed parts they need. */
export interface ModuleDeps {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres' | 'mysql';
  config: Config;
  hasher: PasswordHasher;
  limits: RateLimitStore;
  /** Announces committed changes (src/lib/change-events.ts): the outbox and the live feed subscribe. */
  changes: ChangeBus;
  /** Background jobs (src/lib/jobs.ts): register here; the scheduler runs each in one process at a time. */
  jobs: JobRegistry;
  /** SQLite: moves when open sessions or group memberships may have changed (open-sessions-cache.ts). */
  openSessionsGuard?: SessionChangeGuard;
}
