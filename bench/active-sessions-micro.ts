/**
 * `npx tsx bench/active-sessions-micro.ts` — CPU per GET /attendance/active-sessions answer on SQLite,
 * in-process: the query with the answer serialised (JSON.stringify, standing in for the response
 * schema's serialiser) against the per-org cache with its pre-serialised items
 * (src/modules/attendance/open-sessions-cache.ts), in alternating blocks in one process so that a
 * busy machine slows both alike. The bench's data: 41 open sessions, students of no group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { successListJson } from '../src/lib/envelope.js';
import type { Actor } from '../src/lib/tenancy.js';
import { createReadsService } from '../src/modules/attendance/reads.service.js';
import { openSessions, seedBase } from './lib/dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'att-active-'));
const handle = await openDatabase(`sqlite:///${join(dir, 'a.db')}`);
await migrateToLatest(handle);
const base = await seedBase(handle.db, 1000);
await openSessions(handle.db, base, 41);
const query = createReadsService({ db: handle.db });
const cached = createReadsService({ db: handle.db, openSessionsGuard: handle.openSessionsGuard });
const actor = (i: number): Actor => ({
  userId: base.students[i % base.students.length]!.userId,
  orgId: base.orgId,
  role: 'student',
  sessionId: 'bench',
  name: 'n',
  email: 'e',
});
const answer = async (svc: typeof query, i: number) => {
  const out = await svc.activeSessions(actor(i), {});
  return out.itemsJson !== undefined
    ? successListJson('Active sessions', out.itemsJson, out.pagination)
    : JSON.stringify({
        success: true,
        message: 'Active sessions',
        data: out.items,
        pagination: out.pagination,
      });
};
const block = async (svc: typeof query, n: number) => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await answer(svc, i);
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
};
if ((await answer(query, 1)) !== (await answer(cached, 1))) throw new Error('the two answers differ');
const q: number[] = [];
const c: number[] = [];
for (let round = 0; round < 6; round++) {
  q.push(await block(query, 2_000));
  c.push(await block(cached, 2_000));
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(1);
console.log('active sessions answer, µs CPU (median of 6 blocks of 2,000; 20 of 41 sessions per answer):');
console.log(`  query + serialise  ${med(q)}  [${q.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  cache              ${med(c)}  [${c.map((x) => x.toFixed(0)).join(', ')}]`);
await handle.close();
rmSync(dir, { recursive: true, force: true });
