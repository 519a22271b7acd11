/**
 * Test harness: a fresh database per test file (SQLite in memory unless TEST_DATABASE_URL names
 * another engine), the real app on top of it, and factories that write rows directly.
 */
import type { Kysely } from 'kysely';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import type { ChangeBus } from '../../src/lib/change-events.js';
import { createPasswordHasher, type PasswordHasher } from '../../src/lib/passwords.js';
import type { RateLimitStore } from '../../src/lib/rate-limiter.js';
import type { LiveOptions } from '../../src/modules/live/index.js';
import type { OrganizationRow } from '../../src/modules/organizations/organizations.table.js';
import type { Role, UserRow } from '../../src/modules/users/users.table.js';
import type { WebhookRow } from '../../src/modules/webhooks/webhooks.table.js';
import { freshDatabaseUrl } from './databases.js';
import { orgRow, userRow, webhookRow } from './rows.js';

export const PASSWORD = 'Passw0rd!test';
// Cheap parameters: tests hash thousands of passwords; production uses OWASP's.
export const hasher = createPasswordHasher({ memoryKib: 1024, timeCost: 1 });

export interface TestUser {
  user_id: string;
  org_id: string | null;
  email: string;
  role: Role;
  name: string;
}

export async function createTestApp(
  env: Record<string, string> = {},
  opts: {
    hasher?: PasswordHasher;
    limits?: RateLimitStore;
    changes?: ChangeBus;
    logStream?: { write(line: string): void };
    live?: LiveOptions;
  } = {},
) {
  const { url, drop } = await freshDatabaseUrl();
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    JWT_SECRET_KEY: 'test-jwt-secret-test-jwt-secret-0123456789',
    SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    LOG_LEVEL: 'silent',
    // Tests drive the outbox by hand (app.outbox.deliverDue) unless they ask for the worker.
    OUTBOX_POLL_MS: '0',
    ...env,
  });
  const database = await openDatabase(config.databaseUrl, { poolSize: 20 });
  await migrateToLatest(database);
  const app = await buildApp({
    config,
    database,
    hasher: opts.hasher ?? hasher,
    limits: opts.limits,
    changes: opts.changes,
    live: opts.live,
    ...(opts.logStream ? { logStream: opts.logStream } : { logger: false }),
  });
  await app.ready();
  const db: Kysely<Database> = database.db;
  let seq = 0;

  const factory = {
    async org(patch: Partial<OrganizationRow> = {}) {
      const row = orgRow({ name: `Org ${++seq}`, ...patch });
      await db.insertInto('organizations').values(row).execute();
      return row;
    },
    async user(role: Role, orgId: string | null, patch: Partial<UserRow> = {}): Promise<TestUser> {
      const n = ++seq;
      const row = userRow(orgId, {
        name: `${role} ${n}`,
        email: `${role}${n}.${Math.random().toString(36).slice(2, 8)}@example.test`,
        password_hash: await hasher.hash(PASSWORD),
        role,
        ...patch,
      });
      await db.insertInto('users').values(row).execute();
      return { user_id: row.user_id, org_id: row.org_id, email: row.email, role: row.role, name: row.name };
    },
    /** A webhook subscribed to `events`: the outbox then stores those events of the org (webhookRow). */
    async webhook(orgId: string, events: string[], patch: Partial<WebhookRow> = {}) {
      const row = webhookRow(orgId, events, patch);
      await db.insertInto('webhooks').values(row).execute();
      return row;
    },
  };

  /** Logs the user in through the API and returns its tokens and a header helper. */
  async function login(user: { email: string }, password = PASSWORD) {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: user.email, password },
    });
    if (res.statusCode !== 200)
      throw new Error(`login failed for ${user.email}: ${res.statusCode} ${res.body}`);
    const data = res.json().data;
    return {
      token: data.jwt_token as string,
      refresh: data.refresh_token as string,
      sessionId: data.session.session_id as string,
      headers: { authorization: `Bearer ${data.jwt_token}` },
    };
  }

  /** A fresh org with one user of each role, logged in. */
  async function world() {
    const org = await factory.org();
    const users = {
      admin: await factory.user('admin', org.org_id),
      teacher: await factory.user('teacher', org.org_id),
      student: await factory.user('student', org.org_id),
    };
    const auth = {
      admin: (await login(users.admin)).headers,
      teacher: (await login(users.teacher)).headers,
      student: (await login(users.student)).headers,
    };
    return { org, users, auth };
  }

  return {
    app,
    db,
    config,
    dialect: database.dialect,
    factory,
    login,
    world,
    async close() {
      await app.close();
      await database.close();
      await drop();
    },
  };
}
export type TestContext = Awaited<ReturnType<typeof createTestApp>>;
