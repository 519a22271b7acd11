/**
 * Two server processes running the scheduler on one PostgreSQL/MySQL database (API.md Part 2
 * "Scheduler"): each ended session is closed exactly once (its absences logged once), only the lease
 * holder runs the close job, and when the holder is killed the other takes over within the lease time.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import type { Database } from '../../src/db/schema.js';
import { freshDatabaseUrl } from '../helpers/databases.js';
import { orgRow, sessionRow, userRow } from '../helpers/rows.js';
import { type ServerProcess, startServer } from '../helpers/server-process.js';

const dbUrl = process.env.TEST_DATABASE_URL ?? '';
const runnable = /^(postgres|mysql|mariadb)/.test(dbUrl);
if (!runnable)
  console.warn('scheduler-processes.test.ts skipped: needs TEST_DATABASE_URL on a server engine');

const LEASE_S = 3;
const INTERVAL_S = 1;
const STUDENTS = 4;
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!runnable)('the scheduler in two processes', () => {
  let procs: ServerProcess[] = [];
  let handle: Awaited<ReturnType<typeof openDatabase>>;
  let db: Kysely<Database>;
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    const env = {
      DATABASE_URL: fresh.url,
      JWT_SECRET_KEY: 'scheduler-process-jwt-secret-0123456789abcdef',
      SECRET_KEY: 'scheduler-process-secret-key-0123456789abcdef',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      LOG_LEVEL: 'info',
      SCHEDULER_ENABLED: 'true',
      SCHEDULER_LEASE_SECONDS: String(LEASE_S),
      SCHEDULER_CLOSE_INTERVAL_SECONDS: String(INTERVAL_S),
    };
    // A loaded machine takes long to compile the server on the fly (tsx).
    procs = [await startServer(env, { startTimeoutMs: 150_000 })]; // migrates
    procs.push(await startServer(env, { startTimeoutMs: 150_000 }));
    handle = await openDatabase(fresh.url);
    db = handle.db;
    const org = orgRow();
    orgId = org.org_id;
    await db.insertInto('organizations').values(org).execute();
    await db
      .insertInto('users')
      .values(Array.from({ length: STUDENTS }, () => userRow(orgId)))
      .execute();
  }, 330_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await handle?.close();
    await drop?.();
  }, 120_000);

  async function endedSessions(n: number): Promise<string[]> {
    const now = Date.now();
    const rows = Array.from({ length: n }, (_, i) =>
      sessionRow(orgId, {
        session_name: `ended ${i}`,
        start_time: now - 60 * MIN,
        end_time: now - 1000,
        created_at: now - 120 * MIN,
      }),
    );
    await db.insertInto('attendance_sessions').values(rows).execute();
    return rows.map((r) => r.session_id);
  }

  async function waitClosed(ids: string[], timeoutMs: number): Promise<number> {
    const start = Date.now();
    for (;;) {
      const open = await db
        .selectFrom('attendance_sessions')
        .select('session_id')
        .where('session_id', 'in', ids)
        .where('closed_at', 'is', null)
        .execute();
      if (open.length === 0) return Date.now() - start;
      if (Date.now() - start > timeoutMs) throw new Error(`${open.length} sessions still open`);
      await sleep(200);
    }
  }

  async function expectClosedOnce(ids: string[]) {
    const absences = await db
      .selectFrom('attendance_records')
      .select(['session_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('session_id', 'in', ids)
      .where('status', '=', 'absent')
      .groupBy('session_id')
      .execute();
    expect(absences.map((r) => Number(r.n))).toEqual(ids.map(() => STUDENTS));
    // The change log has no unique constraint: two closes would have logged every absence twice.
    const logged = await db
      .selectFrom('attendance_record_changes as c')
      .innerJoin('attendance_records as r', 'r.record_id', 'c.record_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('r.session_id', 'in', ids)
      .where('c.action', '=', 'absent_on_close')
      .executeTakeFirstOrThrow();
    expect(Number(logged.n)).toBe(ids.length * STUDENTS);
  }

  /** The sessions a process's runs of the close job report as closed (from its JSON log lines). */
  const closedBy = (p: ServerProcess) =>
    p
      .output()
      .split('\n')
      .filter((l) => l.includes('"job":"close-ended-sessions"') && l.includes('job ran'))
      .reduce((sum, l) => sum + Number(JSON.parse(l).closed ?? 0), 0);

  it('each ended session is closed exactly once, by one lease holder at a time', {
    timeout: 90_000,
  }, async () => {
    const ids = await endedSessions(40);
    // The contract: within 60 s of the end (the machine running the tests may be heavily loaded).
    const took = await waitClosed(ids, 58_000);
    expect(took).toBeLessThan(60_000);
    await expectClosedOnce(ids);
    const lease = await db
      .selectFrom('job_leases')
      .selectAll()
      .where('job_name', '=', 'close-ended-sessions')
      .executeTakeFirstOrThrow();
    expect(procs.some((p) => lease.holder.includes(`:${p.child.pid}:`))).toBe(true);
    // Runs of the two processes never overlap: together they report each session closed once. (The
    // lease may change hands when a loaded machine stalls its holder past the lease time.)
    expect(closedBy(procs[0]!) + closedBy(procs[1]!)).toBe(ids.length);
  });

  it('when the holder dies, the other takes over within the lease time', async () => {
    const lease = await db
      .selectFrom('job_leases')
      .selectAll()
      .where('job_name', '=', 'close-ended-sessions')
      .executeTakeFirstOrThrow();
    const holderIdx = procs.findIndex((p) => lease.holder.includes(`:${p.child.pid}:`));
    const holder = procs[holderIdx]!;
    const other = procs[1 - holderIdx]!;
    await holder.stop('SIGKILL');
    const killedAt = Date.now();
    const ids = await endedSessions(10);
    await waitClosed(ids, 30_000);
    const tookOver = Date.now() - killedAt;
    // The lease expires LEASE_S after its last renewal; the survivor's next tick takes it (plus the
    // time the closes take on a loaded machine).
    expect(tookOver).toBeLessThan((LEASE_S + 2 * INTERVAL_S) * 1000 + 10_000);
    await expectClosedOnce(ids);
    const now = await db
      .selectFrom('job_leases')
      .selectAll()
      .where('job_name', '=', 'close-ended-sessions')
      .executeTakeFirstOrThrow();
    expect(now.holder).toContain(`:${other.child.pid}:`);
    expect(closedBy(other)).toBeGreaterThanOrEqual(ids.length);
    console.log(
      `scheduler take-over: sessions closed ${tookOver} ms after the holder was killed (lease ${LEASE_S} s)`,
    );
  }, 60_000);
});
