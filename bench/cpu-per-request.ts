/**
 * `npx tsx bench/cpu-per-request.ts [--path /auth/profile] [--requests 20000] [--log-level info] [--engine-url URL] > log`
 * CPU time per request of the service's own pipeline (hooks, auth, handler, serialisation, the log
 * line), through `app.inject`: no sockets, no load generator, one process. On a machine shared with
 * others throughput follows the neighbours; this figure moves much less, so two builds can be
 * compared back to back (A B A B). The log goes to stdout at the production level: redirect it to a
 * file to pay what production pays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openSessions, SECRETS, seedBase } from './lib/dataset.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const path = opt('path', '/auth/profile');
const requests = Number(opt('requests', '20000'));
const dir = mkdtempSync(join(tmpdir(), 'att-cpu-'));
const databaseUrl = opt('engine-url', `sqlite:///${join(dir, 'cpu.db')}`);

const handle = await openDatabase(databaseUrl);
await migrateToLatest(handle);
const base = await seedBase(handle.db, 200);
await openSessions(handle.db, base, 20);
// The production default (info) unless --log-level says otherwise (to price the log itself).
const { LOG_LEVEL: _, ...env } = process.env;
const config = loadConfig({
  ...env,
  ...SECRETS,
  NODE_ENV: 'production',
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: opt('log-level', 'info'),
});
const app = await buildApp({ config, database: handle });
await app.ready();

const tokens = base.students.map((s) => s.token);
const one = (i: number) =>
  app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } });
for (let i = 0; i < 3000; i++) await one(i); // warm: JIT, statement cache
const first = await one(0);
if (first.statusCode !== 200) throw new Error(`${path}: ${first.statusCode} ${first.body}`);

const t0 = process.cpuUsage();
const w0 = performance.now();
for (let i = 0; i < requests; i++) await one(i);
const cpu = process.cpuUsage(t0);
const wall = performance.now() - w0;
console.error(
  `${path}: ${((cpu.user + cpu.system) / requests).toFixed(1)} µs CPU/request (${requests} requests, wall ${((wall * 1000) / requests).toFixed(1)} µs/request, log level ${config.logLevel})`,
);
await app.close();
await handle.close();
rmSync(dir, { recursive: true, force: true });
