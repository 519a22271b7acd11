/**
 * `TEST_POSTGRES_URL=… npx tsx bench/pg-checkin-micro.ts [concurrency] [blocks] [perBlock]` — the
 * service's CPU per check-in on PostgreSQL without HTTP sockets or the load generator: the real app
 * (outbox worker on, live feed, scheduler) answering `app.inject` check-ins, `concurrency` at once,
 * in blocks of distinct students and sessions; CPU from process.cpuUsage(), statements counted at
 * the pg client. Medians of the blocks; run it before and after a change, alternating.
 * POOL=n sets the pool size (default: the service's).
 */
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freshDatabaseUrl } from '../test/helpers/databases.js';
import { CENTRE, openSessions, SECRETS, seedBase } from './lib/dataset.js';

const [conc = 50, blocks = 5, perBlock = 2000] = process.argv.slice(2).map(Number);
process.env.TEST_DATABASE_URL = process.env.TEST_POSTGRES_URL;
const { url, drop } = await freshDatabaseUrl();
const config = loadConfig({
  ...SECRETS,
  DATABASE_URL: url,
  NODE_ENV: 'production',
  PUBLIC_URL: 'http://127.0.0.1:5000',
  LOG_LEVEL: 'silent',
});
const database = await openDatabase(url, process.env.POOL ? { poolSize: Number(process.env.POOL) } : {});
await migrateToLatest(database);
const base = await seedBase(database.db, 5000);
const sessionIds = await openSessions(database.db, base, blocks * Math.ceil(perBlock / 1000) + 2);
const app = await buildApp({ config, database, logger: false });
await app.ready();

let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  // biome-ignore lint/suspicious/noExplicitAny: pass-through of the driver's overloads
  return (query as any).apply(this, args);
} as typeof query;

let n = 0;
const S = base.students.length;
async function one(): Promise<number> {
  const i = n++;
  const res = await app.inject({
    method: 'POST',
    url: '/attendance/check-in',
    headers: { authorization: `Bearer ${base.students[i % S]!.token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({
      session_id: sessionIds[Math.floor(i / S) % sessionIds.length],
      ...CENTRE,
      accuracy: 10,
    }),
  });
  return res.statusCode;
}
async function block(count: number) {
  const c0 = process.cpuUsage();
  const s0 = statements;
  const t0 = performance.now();
  let left = count;
  let bad = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (left-- > 0) if ((await one()) !== 201) bad++;
    }),
  );
  const c = process.cpuUsage(c0);
  return {
    cpu: (c.user + c.system) / count,
    sys: c.system / count,
    rps: (count / (performance.now() - t0)) * 1000,
    stmts: (statements - s0) / count,
    bad,
  };
}
await block(500);
{
  const c0 = process.cpuUsage();
  const s0 = statements;
  await new Promise((r) => setTimeout(r, 3000));
  const c = process.cpuUsage(c0);
  console.log(
    `idle: ${((c.user + c.system) / 3000).toFixed(0)} µs CPU per ms, ${statements - s0} statements in 3 s`,
  );
}
const r: Awaited<ReturnType<typeof block>>[] = [];
for (let b = 0; b < blocks; b++) r.push(await block(perBlock));
const med = (f: (x: (typeof r)[0]) => number) =>
  [...r.map(f)].sort((a, b) => a - b)[Math.floor(r.length / 2)]!;
console.log(
  `pg check-in, concurrency ${conc}, pool ${database.poolStats().max}: CPU ${med((x) => x.cpu).toFixed(0)} µs/check-in (system ${med((x) => x.sys).toFixed(0)}) ` +
    `[${r.map((x) => x.cpu.toFixed(0)).join(', ')}], ${med((x) => x.rps).toFixed(0)} check-ins/s ` +
    `[${r.map((x) => x.rps.toFixed(0)).join(', ')}], ${med((x) => x.stmts).toFixed(2)} statements/check-in, non-201 ${r.reduce((a, x) => a + x.bad, 0)}`,
);
await app.close();
await database.close();
await drop();
