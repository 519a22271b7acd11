/** `npm run cli -- …`: the maintenance jobs cron runs, against a real SQLite file. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSessions, SECRETS, seedBase } from '../../bench/lib/dataset.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'att-cli-'));
const url = `sqlite:///${join(dir, 'cli.db')}`;
const env = {
  ...process.env,
  ...SECRETS,
  DATABASE_URL: url,
  BOOTSTRAP_ADMIN_PASSWORD: 'Cli-Passw0rd',
  LOG_LEVEL: 'silent',
};
const cli = (...args: string[]) =>
  exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env });
let handle: Awaited<ReturnType<typeof openDatabase>>;
let sessionId: string;

beforeAll(async () => {
  handle = await openDatabase(url);
  await migrateToLatest(handle);
  const base = await seedBase(handle.db, 5);
  sessionId = (await openSessions(handle.db, base, 1))[0]!;
  // The session ended an hour ago and nobody closed it.
  await handle.db
    .updateTable('attendance_sessions')
    .set({ start_time: Date.now() - 3 * 3_600_000, end_time: Date.now() - 3_600_000 })
    .where('session_id', '=', sessionId!)
    .execute();
  await handle.db
    .updateTable('users')
    .set({ last_login_at: Date.now() - 100 * 86_400_000 })
    .where('email', '=', 'student0@bench.example')
    .execute();
  await handle.db
    .updateTable('user_sessions')
    .set({ is_active: 0, revoked_at: Date.now() - 60 * 86_400_000 })
    .where(
      'user_id',
      'in',
      handle.db.selectFrom('users').select('user_id').where('email', '=', 'student1@bench.example'),
    )
    .execute();
}, 60_000);
afterAll(async () => {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('maintenance CLI', () => {
  it('close-ended marks every expected attendee absent, once', async () => {
    const first = JSON.parse((await cli('close-ended')).stdout.trim().split('\n').at(-1)!);
    expect(first).toEqual({ command: 'close-ended', closed: 1 });
    const absent = await handle.db
      .selectFrom('attendance_records')
      .select('status')
      .where('session_id', '=', sessionId)
      .execute();
    expect(absent).toHaveLength(5);
    expect(new Set(absent.map((r) => r.status))).toEqual(new Set(['absent']));
    expect(JSON.parse((await cli('close-ended')).stdout.trim().split('\n').at(-1)!).closed).toBe(0);
  }, 60_000);

  it('cleanup-sessions deletes sessions revoked long ago', async () => {
    const out = JSON.parse(
      (await cli('cleanup-sessions', '--older-than-days', '30')).stdout.trim().split('\n').at(-1)!,
    );
    expect(out).toEqual({ command: 'cleanup-sessions', deleted: 1, idempotency_keys_deleted: 0 });
  }, 60_000);

  it('deactivate-inactive deactivates users idle for that long', async () => {
    const out = JSON.parse(
      (await cli('deactivate-inactive', '--days', '90')).stdout.trim().split('\n').at(-1)!,
    );
    expect(out.count).toBe(1);
    const row = await handle.db
      .selectFrom('users')
      .select('is_active')
      .where('email', '=', 'student0@bench.example')
      .executeTakeFirstOrThrow();
    expect(row.is_active).toBe(0);
  }, 60_000);

  it('refuses an unknown command or a bad option with exit code 1 and the usage', async () => {
    await expect(cli('explode')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('usage:'),
    });
    await expect(cli('deactivate-inactive', '--days', 'many')).rejects.toMatchObject({ code: 1 });
  }, 60_000);
});
