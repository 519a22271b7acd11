/**
 * `npm run bench [-- --quick] [--scenarios checkin,burst,…] [--duration 10] [--connections 50] [--engines sqlite,postgres]`
 * Starts the floor and the service itself on a fresh database per engine, generates data, drives load
 * from a separate process, prints a table and writes bench/results/latest.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freshDatabaseUrl } from '../test/helpers/databases.js';
import { BENCH_PASSWORD, CENTRE, openSessions, SECRETS, seedBase } from './lib/dataset.js';
import { type LoadJob, type LoadResult, runLoad } from './lib/load.js';
import { type Proc, SERVICE_ARGS, startProcess } from './lib/processes.js';
import { liveScenario } from './scenarios/live.js';
import { reportScenarios } from './scenarios/reports.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const quick = flag('quick');
const duration = Number(opt('duration', quick ? '4' : '10'));
const connections = Number(opt('connections', '50'));
const ALL = ['floor', 'checkin', 'checkin-code', 'burst', 'reads', 'login', 'live', 'reports', 'export'];
const scenarios = opt('scenarios', ALL.join(',')).split(',');
const engines = opt('engines', process.env.TEST_POSTGRES_URL ? 'sqlite,postgres' : 'sqlite').split(',');

export interface Row {
  engine: string;
  scenario: string;
  rps?: number;
  ratio?: number;
  p50?: number;
  p90?: number;
  p99?: number;
  non2xx?: number;
  /** CPU time (user + system) the server process spent per answered request, in µs. */
  cpu_us?: number;
  /** The floor's CPU per request divided by this scenario's: throughput on an idle machine, as a ratio. */
  cpu_ratio?: number;
  rss_mb?: number;
  note?: string;
}
const rows: Row[] = [];
const add = (r: Row) => {
  rows.push(r);
  console.log(`  ${r.engine.padEnd(8)} ${r.scenario.padEnd(44)} ${fmt(r)}`);
};
const fmt = (r: Row) =>
  [
    r.rps !== undefined ? `${Math.round(r.rps)} req/s` : '',
    r.ratio !== undefined ? `(${(r.ratio * 100).toFixed(0)}% of floor)` : '',
    r.p99 !== undefined ? `p50 ${r.p50} p90 ${r.p90} p99 ${r.p99} ms` : '',
    r.non2xx !== undefined ? `non-2xx ${r.non2xx}` : '',
    r.cpu_us !== undefined ? `CPU ${r.cpu_us.toFixed(0)} µs/req` : '',
    r.cpu_ratio !== undefined ? `(${(r.cpu_ratio * 100).toFixed(0)}% of floor's)` : '',
    r.rss_mb !== undefined ? `RSS ${r.rss_mb.toFixed(0)} MB` : '',
    r.note ?? '',
  ]
    .filter(Boolean)
    .join('  ');
type Measured = LoadResult & { cpu_us: number };
const fromLoad = (
  engine: string,
  scenario: string,
  l: LoadResult & { cpu_us?: number },
  floor?: Measured,
): Row => ({
  engine,
  scenario,
  rps: l.rps,
  ratio: floor ? l.rps / floor.rps : undefined,
  p50: l.p50,
  p90: l.p90,
  p99: l.p99,
  non2xx: l.non2xx + l.errors + l.timeouts,
  cpu_us: l.cpu_us,
  cpu_ratio: floor && l.cpu_us ? floor.cpu_us / l.cpu_us : undefined,
});
/**
 * A load against one process, with the CPU the process spent per request: on a shared machine
 * throughput follows the neighbours, CPU per request much less (it counts no time spent waiting).
 */
async function measured(proc: Proc, job: Omit<LoadJob, 'url'>): Promise<Measured> {
  const cpu0 = proc.cpuSeconds();
  const l = await runLoad({ url: proc.url, ...job });
  const cpu = proc.cpuSeconds() - cpu0;
  return { ...l, cpu_us: (cpu * 1e6) / Math.max(1, l.requests) };
}

async function main() {
  const started = Date.now();
  console.log(
    `bench: ${quick ? 'quick' : 'full'}, ${duration}s per load, ${connections} connections, engines ${engines.join(', ')}`,
  );

  for (const engine of engines) {
    // The floor, measured in the same run with the same connections and duration.
    const floor = await startProcess(['--import', 'tsx', join(import.meta.dirname, 'floor-server.ts')], {});
    const floorGet = await measured(floor, { method: 'GET', path: '/health', connections, duration });
    const floorPost = await measured(floor, {
      method: 'POST',
      path: '/echo',
      connections,
      duration,
      bodies: [JSON.stringify({ session_id: 'x', lat: CENTRE.lat, lon: CENTRE.lon })],
    });
    await floor.stop();
    add(fromLoad(engine, 'floor GET /health', floorGet));
    add(fromLoad(engine, 'floor POST echo', floorPost));

    const tmp = mkdtempSync(join(tmpdir(), 'att-bench-'));
    const { url: databaseUrl, drop } =
      engine === 'sqlite'
        ? { url: `sqlite:///${join(tmp, 'bench.db')}`, drop: async () => {} }
        : await withEngine(engine);
    const handle = await openDatabase(databaseUrl);
    await migrateToLatest(handle);
    const studentCount = quick ? 2000 : 5000;
    const base = await seedBase(handle.db, studentCount);
    const checkinSessions = await openSessions(handle.db, base, quick ? 10 : 20);
    const [burstSession] = await openSessions(handle.db, base, 1);
    // The same sessions with rotating codes (15 s), each with its own secret.
    const codeSessions = await openSessions(handle.db, base, quick ? 10 : 20);
    const codeSecrets: Record<string, string> = {};
    for (const id of codeSessions) {
      codeSecrets[id] = randomBytes(32).toString('hex');
      await handle.db
        .updateTable('attendance_sessions')
        .set({
          code_mode: 'rotating',
          require_code: 1,
          code_secret: codeSecrets[id]!,
          code_period_seconds: 15,
        })
        .where('session_id', '=', id)
        .execute();
    }

    const env = {
      ...SECRETS,
      DATABASE_URL: databaseUrl,
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1:5000',
      LOGIN_MAX_PER_IP: '1000000',
      LOGIN_MAX_PER_ACCOUNT: '10000',
    };
    const svc: Proc = await startProcess(SERVICE_ARGS, env);
    await new Promise((r) => setTimeout(r, 1000));
    add({ engine, scenario: 'idle RSS', rss_mb: svc.rssMb() });
    const tokens = base.students.map((s) => s.token);

    let checkinRps: number | undefined;
    if (scenarios.includes('checkin')) {
      const peak = svc.watchPeak();
      const l = await measured(svc, {
        method: 'POST',
        path: '/attendance/check-in',
        connections,
        duration,
        tokens,
        checkin: { sessionIds: checkinSessions, ...CENTRE },
      });
      add({ ...fromLoad(engine, 'check-in (distinct students)', l, floorPost), rss_mb: peak() });
      checkinRps = l.rps;
    }
    if (scenarios.includes('checkin-code')) {
      const l = await runLoad({
        url: svc.url,
        method: 'POST',
        path: '/attendance/check-in',
        connections,
        duration,
        tokens,
        checkin: { sessionIds: codeSessions, ...CENTRE, codeSecrets },
      });
      add({
        ...fromLoad(engine, 'check-in with a rotating code', l, floorPost),
        note: checkinRps ? `${((l.rps / checkinRps) * 100).toFixed(0)}% of check-in without code` : undefined,
      });
    }
    if (scenarios.includes('burst')) {
      const peak = svc.watchPeak();
      const l = await measured(svc, {
        method: 'POST',
        path: '/attendance/check-in',
        connections: 100,
        amount: studentCount,
        tokens,
        checkin: { sessionIds: [burstSession!], ...CENTRE },
      });
      const stored = await handle.db
        .selectFrom('attendance_records')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('session_id', '=', burstSession!)
        .executeTakeFirstOrThrow();
      add({
        ...fromLoad(engine, `burst ${studentCount} into one session`, l),
        rss_mb: peak(),
        note: `stored ${Number(stored.n)}/${studentCount}`,
      });
    }
    // `reads` is both; `profile` and `active` one each (a CPU profile of one endpoint).
    if (scenarios.includes('reads') || scenarios.includes('profile')) {
      const p = await measured(svc, { method: 'GET', path: '/auth/profile', connections, duration, tokens });
      add(fromLoad(engine, 'GET /auth/profile', p, floorGet));
    }
    if (scenarios.includes('reads') || scenarios.includes('active')) {
      const a = await measured(svc, {
        method: 'GET',
        path: '/attendance/active-sessions',
        connections,
        duration,
        tokens,
      });
      add(fromLoad(engine, 'GET /attendance/active-sessions', a, floorGet));
    }
    if (scenarios.includes('login')) {
      const bodies = base.students.map((s) => JSON.stringify({ email: s.email, password: BENCH_PASSWORD }));
      const [logins, health] = await Promise.all([
        // Both at once against one process: CPU per request would count each other's.
        runLoad({ url: svc.url, method: 'POST', path: '/auth/login', connections: 32, duration, bodies }),
        runLoad({ url: svc.url, method: 'GET', path: '/health', connections: 10, duration }),
      ]);
      add(fromLoad(engine, 'login storm: POST /auth/login', logins));
      add(fromLoad(engine, 'login storm: GET /health alongside', health));
      // Enumeration by timing: an unknown email and a wrong password must cost the same.
      const timed = async (email: string, password: string) => {
        const times: number[] = [];
        for (let i = 0; i < (quick ? 40 : 150); i++) {
          const t0 = performance.now();
          await fetch(`${svc.url}/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password }),
          }).then((r) => r.arrayBuffer());
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { p50: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
      };
      const unknown = await timed('nobody-here@bench.example', 'Wrong-Passw0rd');
      const wrong = await timed(base.students[1]!.email, 'Wrong-Passw0rd');
      add({
        engine,
        scenario: 'failed login, unknown email',
        p50: Math.round(unknown.p50 * 10) / 10,
        p90: Math.round(unknown.p90 * 10) / 10,
      });
      add({
        engine,
        scenario: 'failed login, wrong password',
        p50: Math.round(wrong.p50 * 10) / 10,
        p90: Math.round(wrong.p90 * 10) / 10,
        note: `median differs by ${Math.abs(unknown.p50 - wrong.p50).toFixed(1)} ms`,
      });
    }
    await svc.stop();
    if (scenarios.includes('live')) {
      // Its own service process: SSE_MAX_PER_USER raised for one admin's 500 streams, /metrics on.
      await liveScenario({ engine, handle, base, quick, env, add });
    }
    if (scenarios.includes('reports') || scenarios.includes('export')) {
      await reportScenarios({ engine, handle, base, quick, scenarios, env, add });
    }
    await handle.close();
    await drop();
    rmSync(tmp, { recursive: true, force: true });
  }

  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const file = join(import.meta.dirname, 'results', 'latest.json');
  writeFileSync(
    file,
    JSON.stringify(
      { at: new Date().toISOString(), quick, duration, connections, node: process.version, rows },
      null,
      2,
    ),
  );
  console.log(
    `\n| engine | scenario | req/s | % of floor | CPU µs/req | % of floor's CPU | p50 ms | p90 ms | p99 ms | non-2xx | RSS MB | note |\n|---|---|---|---|---|---|---|---|---|---|---|---|`,
  );
  for (const r of rows) {
    const c = (v: number | undefined, d = 0) => (v === undefined ? '' : v.toFixed(d));
    console.log(
      `| ${r.engine} | ${r.scenario} | ${c(r.rps)} | ${r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`} | ${c(r.cpu_us)} | ${r.cpu_ratio === undefined ? '' : `${(r.cpu_ratio * 100).toFixed(0)}%`} | ${c(r.p50)} | ${c(r.p90)} | ${c(r.p99)} | ${c(r.non2xx)} | ${c(r.rss_mb)} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nwritten ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function withEngine(engine: string) {
  const url = engine === 'postgres' ? process.env.TEST_POSTGRES_URL : process.env.TEST_MYSQL_URL;
  if (!url) throw new Error(`${engine}: set TEST_${engine === 'postgres' ? 'POSTGRES' : 'MYSQL'}_URL`);
  const prev = process.env.TEST_DATABASE_URL;
  process.env.TEST_DATABASE_URL = url;
  try {
    return await freshDatabaseUrl();
  } finally {
    process.env.TEST_DATABASE_URL = prev;
  }
}

await main();
