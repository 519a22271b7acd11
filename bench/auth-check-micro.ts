/**
 * `npx tsx bench/auth-check-micro.ts` — CPU per session check, the query against the cache hit
 * (src/plugins/session-cache.ts), on SQLite, measured in alternating blocks in one process so
 * that a busy machine slows both alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { userSessionsRepository } from '../src/modules/auth/user-sessions.repository.js';
import { createSessionCache } from '../src/plugins/session-cache.js';
import { seedBase } from './lib/dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'att-auth-'));
const handle = await openDatabase(`sqlite:///${join(dir, 'a.db')}`);
await migrateToLatest(handle);
const base = await seedBase(handle.db, 200);
const sessions = await handle.db.selectFrom('user_sessions').select(['session_id', 'user_id']).execute();
const cache = createSessionCache(handle.sessionGuard!);
const now = Date.now();

const query = async (i: number) => {
  const s = sessions[i % sessions.length]!;
  return userSessionsRepository.findActiveWithUser(handle.db, s.session_id, s.user_id, now);
};
const cached = async (i: number) => {
  const s = sessions[i % sessions.length]!;
  const v = cache.version();
  const hit = cache.get(s.session_id, s.user_id, now, v);
  if (hit) return hit;
  const row = await query(i);
  if (row) cache.set(row, v);
  return row;
};
const block = async (f: (i: number) => Promise<unknown>, n: number) => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await f(i);
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
};
for (let i = 0; i < 20_000; i++) {
  await query(i);
  await cached(i);
}
const q: number[] = [];
const c: number[] = [];
for (let round = 0; round < 6; round++) {
  q.push(await block(query, 20_000));
  c.push(await block(cached, 20_000));
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
console.log(`session check, µs CPU (median of 6 blocks of 20,000; ${base.students.length} students):`);
console.log(`  query ${med(q)}  [${q.map((x) => x.toFixed(1)).join(', ')}]`);
console.log(`  cache ${med(c)}  [${c.map((x) => x.toFixed(1)).join(', ')}]`);
await handle.close();
rmSync(dir, { recursive: true, force: true });
