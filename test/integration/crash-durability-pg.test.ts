/**
 * Crash durability of PostgreSQL check-ins, which are written in batches (checkin-batch.ts): the
 * real server under concurrent check-ins, SIGKILL in the middle — every check-in answered 2xx is
 * stored (a batch's promises resolve only after its COMMIT). Runs when TEST_DATABASE_URL is postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSessions, SECRETS, seedBase } from '../../bench/lib/dataset.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { driveCheckIns } from '../helpers/check-in-load.js';
import { freshDatabaseUrl } from '../helpers/databases.js';
import { startServer } from '../helpers/server-process.js';

const onPostgres = process.env.TEST_DATABASE_URL?.startsWith('postgres') ?? false;
let handle: DatabaseHandle;
let drop: () => Promise<void>;
let env: Record<string, string>;
let base: Awaited<ReturnType<typeof seedBase>>;
let sessionId: string;

beforeAll(async () => {
  if (!onPostgres) return;
  const fresh = await freshDatabaseUrl();
  drop = fresh.drop;
  env = {
    ...SECRETS,
    DATABASE_URL: fresh.url,
    BOOTSTRAP_ADMIN_PASSWORD: 'Crash-Passw0rd',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
  };
  handle = await openDatabase(fresh.url);
  await migrateToLatest(handle);
  base = await seedBase(handle.db, 400);
  [sessionId] = (await openSessions(handle.db, base, 1)) as [string];
}, 120_000);
afterAll(async () => {
  if (!onPostgres) return;
  await handle.close();
  await drop();
});

describe.skipIf(!onPostgres)('crash durability (PostgreSQL, batched check-ins)', () => {
  it('keeps every acknowledged check-in across SIGKILL', async () => {
    const server = await startServer(env);
    const load = driveCheckIns(server, base.students, sessionId, 32);
    while (load.acknowledged.length < 60) await new Promise((r) => setTimeout(r, 5));
    server.child.kill('SIGKILL');
    load.stop();
    await load.done;
    const { acknowledged } = load;
    const stored = new Set(
      (
        await handle.db
          .selectFrom('attendance_records')
          .select('record_id')
          .where('session_id', '=', sessionId)
          .execute()
      ).map((r) => r.record_id),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);
  }, 120_000);
});
