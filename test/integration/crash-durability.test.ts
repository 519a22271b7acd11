/**
 * Crash durability on the embedded default (SQLite file): concurrent check-ins against the real
 * server process, SIGKILL in the middle, restart on the same file — every check-in that got a 2xx
 * is there and the database passes its integrity check. Then SIGTERM under load: requests in flight
 * finish, later ones are refused cleanly, exit code 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSessions, SECRETS, seedBase } from '../../bench/lib/dataset.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { driveCheckIns } from '../helpers/check-in-load.js';
import { startServer } from '../helpers/server-process.js';

const STUDENTS = 400;
const dir = mkdtempSync(join(tmpdir(), 'att-crash-'));
const file = join(dir, 'crash.db');
const env = {
  ...SECRETS,
  DATABASE_URL: `sqlite:///${file}`,
  BOOTSTRAP_ADMIN_PASSWORD: 'Crash-Passw0rd',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
};
let base: Awaited<ReturnType<typeof seedBase>>;
let sessionIds: string[];

beforeAll(async () => {
  const handle = await openDatabase(env.DATABASE_URL);
  await migrateToLatest(handle);
  base = await seedBase(handle.db, STUDENTS);
  sessionIds = await openSessions(handle.db, base, 2);
  await handle.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crash durability (SQLite file)', () => {
  it('keeps every acknowledged check-in across SIGKILL, and the file passes integrity_check', async () => {
    const server = await startServer(env);
    const load = driveCheckIns(server, base.students, sessionIds[0]!, 16);
    while (load.acknowledged.length < 60) await new Promise((r) => setTimeout(r, 5));
    server.child.kill('SIGKILL');
    load.stop();
    await load.done;
    expect(load.acknowledged.length).toBeGreaterThanOrEqual(60);

    const restarted = await startServer(env);
    try {
      const db = new SqliteDriver(file, { readonly: true });
      const stored = new Set(
        (
          db.prepare('select record_id from attendance_records where session_id = ?').all(sessionIds[0]) as {
            record_id: string;
          }[]
        ).map((r) => r.record_id),
      );
      const lost = load.acknowledged.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      console.log(
        `crash: SIGKILL after ${load.acknowledged.length} acknowledged check-ins; ${stored.size} stored, ${lost.length} lost, integrity ok`,
      );
      // The restarted service works on the same file.
      expect((await fetch(`${restarted.url}/health`)).status).toBe(200);
    } finally {
      await restarted.stop('SIGKILL');
    }
  }, 120_000);

  it('SIGTERM under load: requests in flight finish, new ones are refused cleanly, exit 0', async () => {
    const server = await startServer(env);
    const load = driveCheckIns(server, base.students, sessionIds[1]!, 16);
    while (load.acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    const exit = server.stop('SIGTERM');
    const code = await exit;
    load.stop();
    await load.done;
    expect(code).toBe(0);
    // Every answer was a 201, a clean 503 while closing, or a refused connection — never a 500.
    expect(load.statuses.filter((s) => s !== 201 && s !== 503 && s !== 0)).toEqual([]);
    const db = new SqliteDriver(file, { readonly: true });
    const stored = new Set(
      (
        db.prepare('select record_id from attendance_records where session_id = ?').all(sessionIds[1]) as {
          record_id: string;
        }[]
      ).map((r) => r.record_id),
    );
    expect(load.acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    db.close();
  }, 120_000);
});
