/** `npm run cli -- …`: the maintenance jobs cron runs, against a real SQLite file. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSessions, SECRETS, seedBase } from '../../bench/lib/dataset.js';
import { COMMANDS } from '../../src/cli-commands.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { recordRow, sessionRow, webhookRow } from '../helpers/rows.js';

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
/** The machine output: exactly one JSON line on stdout (messages go to stderr). */
const jsonLine = ({ stdout }: { stdout: string }) => {
  const lines = stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
};
/** No configuration at all: no DATABASE_URL, no secrets, not even NODE_ENV. */
const bareCli = (...args: string[]) =>
  exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '' },
  });
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
    const run = await cli('close-ended');
    expect(jsonLine(run)).toEqual({ command: 'close-ended', closed: 1 });
    // Progress on stderr (and the first super_admin's creation, never on stdout).
    expect(run.stderr).toContain('close-ended: 1/1 sessions closed');
    const absent = await handle.db
      .selectFrom('attendance_records')
      .select('status')
      .where('session_id', '=', sessionId)
      .execute();
    expect(absent).toHaveLength(5);
    expect(new Set(absent.map((r) => r.status))).toEqual(new Set(['absent']));
    // Announced like the server's close: the session.closed event waits in the outbox for delivery.
    const events = await handle.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'session.closed')
      .execute();
    expect(events.map((e) => JSON.parse(e.payload).session_id)).toEqual([sessionId]);
    expect(jsonLine(await cli('close-ended')).closed).toBe(0);
  }, 120_000);

  it('cleanup-sessions deletes sessions revoked long ago', async () => {
    const out = jsonLine(await cli('cleanup-sessions', '--older-than-days', '30'));
    expect(out).toEqual({ command: 'cleanup-sessions', deleted: 1, idempotency_keys_deleted: 0 });
  }, 120_000);

  it('deactivate-inactive deactivates users idle for that long', async () => {
    const out = jsonLine(await cli('deactivate-inactive', '--days', '90'));
    expect(out.count).toBe(1);
    const row = await handle.db
      .selectFrom('users')
      .select('is_active')
      .where('email', '=', 'student0@bench.example')
      .executeTakeFirstOrThrow();
    expect(row.is_active).toBe(0);
  }, 120_000);

  it('import-users creates the good rows of a CSV, reports the bad ones, shows progress', async () => {
    const { org_id } = await handle.db.selectFrom('organizations').select('org_id').executeTakeFirstOrThrow();
    // A subscriber, so the CLI's user.created events are stored for the server's worker.
    await handle.db
      .insertInto('webhooks')
      .values(webhookRow(org_id, ['user.created']))
      .execute();
    const file = join(dir, 'people.csv');
    writeFileSync(
      file,
      [
        'name,email,role',
        'Ada One,ada.one@cli.example,student',
        'Ben Two,ben.two@cli.example,teacher',
        'No Mail,,student',
        'Cy Three,cy.three@cli.example,student',
      ].join('\n'),
    );
    const run = await cli('import-users', '--org', org_id, '--file', file);
    const out = jsonLine(run);
    expect(out).toMatchObject({ command: 'import-users', created: 3, failed: 1 });
    expect(out.results[2]).toMatchObject({ row: 3, status: 'error', error_code: 'VALIDATION_ERROR' });
    expect(out.results[0].password).toMatch(/.{8,}/);
    expect(run.stderr).toContain('import-users: 4/4 rows');
    const created = await handle.db
      .selectFrom('users')
      .select(['user_id', 'role'])
      .where('email', 'in', ['ada.one@cli.example', 'ben.two@cli.example', 'cy.three@cli.example'])
      .execute();
    expect(created).toHaveLength(3);
    const events = await handle.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'user.created')
      .execute();
    const announced = new Set(events.map((e) => JSON.parse(e.payload).user_id));
    expect(created.every((u) => announced.has(u.user_id))).toBe(true);
    await expect(cli('import-users', '--file', file)).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringContaining('--org ORG_ID is required'),
    });
    await expect(
      cli('import-users', '--org', org_id, '--file', join(dir, 'missing.csv')),
    ).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining('ENOENT') });
  }, 120_000);

  it('erase-locations erases coordinates older than LOCATION_RETENTION_DAYS, and nothing when unset', async () => {
    const { org_id } = await handle.db.selectFrom('organizations').select('org_id').executeTakeFirstOrThrow();
    const { user_id } = await handle.db.selectFrom('users').select('user_id').executeTakeFirstOrThrow();
    const session = sessionRow(org_id, { start_time: Date.now() - 41 * 86_400_000 });
    await handle.db.insertInto('attendance_sessions').values(session).execute();
    const at = { check_in_lat: 52.5, check_in_lon: 13.4, device_hash: 'dev-hash' };
    const old = recordRow(
      { orgId: org_id, sessionId: session.session_id, userId: user_id },
      { ...at, status: 'present', created_at: Date.now() - 40 * 86_400_000 },
    );
    await handle.db.insertInto('attendance_records').values(old).execute();

    const unset = await cli('erase-locations');
    expect(jsonLine(unset)).toEqual({ command: 'erase-locations', retention_days: null, erased: 0 });
    const withRetention = (days: string) =>
      exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'erase-locations'], {
        env: { ...env, LOCATION_RETENTION_DAYS: days },
      });
    expect(jsonLine(await withRetention('60'))).toMatchObject({ retention_days: 60, erased: 0 });
    expect(jsonLine(await withRetention('30'))).toEqual({
      command: 'erase-locations',
      retention_days: 30,
      erased: 1,
    });
    const row = await handle.db
      .selectFrom('attendance_records')
      .select(['check_in_lat', 'check_in_lon', 'device_hash', 'status'])
      .where('record_id', '=', old.record_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ check_in_lat: null, check_in_lon: null, device_hash: null, status: 'present' });
  }, 120_000);

  it('refuses an unknown command or a bad option with exit code 64 and the usage', async () => {
    await expect(cli('explode')).rejects.toMatchObject({
      code: 64,
      stdout: '',
      stderr: expect.stringContaining('usage:'),
    });
    await expect(cli()).rejects.toMatchObject({ code: 64, stderr: expect.stringContaining('Commands:') });
    await expect(cli('deactivate-inactive', '--days', 'many')).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringContaining('--days must be a whole number'),
    });
    await expect(cli('deactivate-inactive')).rejects.toMatchObject({ code: 64 });
    // 0 days would deactivate every user but the super_admins: the HTTP twin's bounds (1..3650) hold here.
    for (const days of ['0', '3651'])
      await expect(cli('deactivate-inactive', '--days', days)).rejects.toMatchObject({
        code: 64,
        stderr: expect.stringContaining('--days must be a whole number of days from 1 to 3650'),
      });
    await expect(cli('close-ended', '--force')).rejects.toMatchObject({
      code: 64,
      stderr: expect.stringContaining("Unknown option '--force'"),
    });
  }, 120_000);

  it('prints --help for the CLI and each command with no configuration at all (exit 0)', async () => {
    // Every command of the CLI's own table: a new command is checked here without editing this test.
    const commands = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];
    expect(commands).toEqual(expect.arrayContaining(['close-ended', 'import-users', 'erase-locations']));
    for (const flag of ['--help', '-h', 'help']) {
      const { stdout } = await bareCli(flag);
      // The listing names exactly the table's commands (the production-install script reads it).
      const listed = stdout
        .split('Commands:\n')[1]!
        .split('\n\n')[0]!
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[0]);
      expect(listed).toEqual(commands);
      expect(stdout).toContain('Exit codes: 0 done, 1 the job failed');
    }
    for (const cmd of commands) {
      const { stdout } = await bareCli(cmd, '--help');
      expect(stdout).toContain(`usage: npm run cli -- ${COMMANDS[cmd].usage}`);
      // Each option the command accepts is explained in its help.
      for (const option of Object.keys(COMMANDS[cmd].options)) expect(stdout, cmd).toContain(`--${option}`);
    }
  }, 120_000);

  it('exits 78 on an invalid configuration, 1 when the job fails', async () => {
    await expect(
      exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'close-ended'], {
        env: { ...env, DATABASE_URL: 'oracle://nowhere' },
      }),
    ).rejects.toMatchObject({ code: 78, stdout: '', stderr: expect.stringContaining('DATABASE_URL') });
    await expect(
      exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'close-ended'], {
        env: { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      }),
    ).rejects.toMatchObject({ code: 1, stdout: '' });
  }, 120_000);
});
