/**
 * The live feed across processes on one database: the feed is open in this process (the test's
 * app), check-ins go through another (the real server, src/server.ts, as a child process). With
 * REDIS_URL the event arrives through Redis pub/sub, in order, once; a reconnect with Last-Event-ID
 * gets exactly the missed events. Without Redis, WEB_CONCURRENCY workers of one primary reach each
 * other through cluster messages.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { testRedisUrl } from '../../helpers/redis.js';
import { type ServerProcess, startServer } from '../../helpers/server-process.js';
import { openSse, type SseClient } from '../../helpers/sse.js';
import { bulkStudents, CENTRE, insertSession } from '../attendance/fixtures.js';

const engine = process.env.TEST_DATABASE_URL;
const onSqlite = !engine || engine.startsWith('sqlite:');
const dir = mkdtempSync(join(tmpdir(), 'live-'));
/** SQLite must be a file both processes open; the other engines get their fresh database as usual. */
const dbEnv = (): Record<string, string> =>
  onSqlite ? { DATABASE_URL: `sqlite:///${join(dir, `live-${randomBytes(4).toString('hex')}.db`)}` } : {};

const checkInVia = (url: string, sessionId: string, headers: Record<string, string>) =>
  fetch(`${url}/attendance/check-in`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ session_id: sessionId, lat: CENTRE.lat, lon: CENTRE.lon, accuracy: 10 }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: { record_id: string } } }));

const childEnv = (t: TestContext, extra: Record<string, string>) => ({
  DATABASE_URL: t.config.databaseUrl,
  JWT_SECRET_KEY: t.config.jwtSecret,
  SECRET_KEY: t.config.secretKey,
  SCHEDULER_ENABLED: 'false',
  OUTBOX_POLL_MS: '0',
  ...extra,
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!testRedisUrl)('across processes through Redis', () => {
  let t: TestContext;
  let child: ServerProcess;
  let base: string;
  const feeds: SseClient[] = [];
  const channel = `test:live:${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    const env = { REDIS_URL: testRedisUrl!, LIVE_REDIS_CHANNEL: channel, SSE_MAX_PER_USER: '3' };
    t = await createTestApp({ ...dbEnv(), ...env });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = t.app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    child = await startServer(childEnv(t, env));
  }, 90_000);
  afterAll(async () => {
    for (const f of feeds) f.close();
    await child?.stop();
    await t?.close();
  });

  it('delivers check-ins made in another process, in order, once; a reconnect gets exactly the missed ones', async () => {
    const w = await t.world();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const students = await bulkStudents(t, w.org.org_id, 7);
    const open = async (headers: Record<string, string> = {}) => {
      const f = await openSse(`${base}/attendance/session/${s.session_id}/live`, {
        ...w.auth.teacher,
        ...headers,
      });
      feeds.push(f);
      return f;
    };

    const f = await open();
    expect((await f.next()).event).toBe('snapshot');
    const made: string[] = [];
    for (const st of students.slice(0, 3)) {
      const r = await checkInVia(child.url, s.session_id, st.headers);
      expect(r.status).toBe(201);
      made.push(r.body.data.record_id);
    }
    const got = [await f.next(), await f.next(), await f.next()];
    expect(got.map((e) => e.event)).toEqual(['record', 'record', 'record']);
    expect(got.map((e) => e.json().record_id)).toEqual(made);
    const ids = got.map((e) => Number(e.id));
    expect(ids).toEqual([ids[0], ids[0]! + 1, ids[0]! + 2]);
    // Once: the next event after those three is the next change, not a copy of one of them.
    const marker = await checkInVia(base, s.session_id, students[3]!.headers);
    const next = await f.next();
    expect(next.json().record_id).toBe(marker.body.data.record_id);
    expect(Number(next.id)).toBe(ids[2]! + 1);

    f.close();
    const missed: string[] = [];
    for (const st of students.slice(4, 6))
      missed.push((await checkInVia(child.url, s.session_id, st.headers)).body.data.record_id);
    const g = await open({ 'last-event-id': next.id! });
    const replay = [await g.next(), await g.next()];
    expect(replay.map((e) => e.event)).toEqual(['record', 'record']);
    expect(replay.map((e) => e.json().record_id)).toEqual(missed);
    const after = await checkInVia(child.url, s.session_id, students[6]!.headers);
    const live = await g.next();
    expect(live.json().record_id).toBe(after.body.data.record_id);
    expect(Number(live.id)).toBe(Number(replay[1]!.id) + 1);
  });

  it("counts a user's streams across processes (SSE_MAX_PER_USER = 3 here) and frees a slot when one ends", async () => {
    const w = await t.world();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const url = (b: string) => `${b}/attendance/session/${s.session_id}/live`;
    const mine: SseClient[] = [];
    for (const b of [base, child.url, child.url]) {
      const f = await openSse(url(b), w.auth.admin);
      expect(f.status).toBe(200);
      await f.next();
      mine.push(f);
    }
    feeds.push(...mine);
    for (const b of [base, child.url]) {
      const over = await openSse(url(b), w.auth.admin);
      expect(over.status, b).toBe(429);
      expect(JSON.parse(over.body)).toMatchObject({ error_code: 'RATE_LIMITED' });
    }
    mine[1]!.close();
    let again: SseClient | undefined;
    for (let i = 0; i < 100; i++) {
      again = await openSse(url(base), w.auth.admin);
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(again!.status).toBe(200);
    feeds.push(again!);
  });
});

describe.skipIf(!onSqlite)('across the workers of one primary, without Redis', () => {
  let t: TestContext;
  let cluster: ServerProcess;
  const feeds: SseClient[] = [];

  beforeAll(async () => {
    t = await createTestApp(dbEnv());
    cluster = await startServer(childEnv(t, { WEB_CONCURRENCY: '2' }));
  }, 90_000);
  afterAll(async () => {
    for (const f of feeds) f.close();
    await cluster?.stop();
    await t?.close();
  });

  it('reaches feeds on every worker (connections go round-robin: of four feeds some are on the other worker)', async () => {
    const w = await t.world();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const [st] = await bulkStudents(t, w.org.org_id, 1);
    const url = `${cluster.url}/attendance/session/${s.session_id}/live`;
    // The primary answered /health as soon as one worker listened: give the other time to start.
    await new Promise((r) => setTimeout(r, 3000));
    for (let i = 0; i < 4; i++) {
      const f = await openSse(url, w.auth.admin);
      feeds.push(f);
      expect((await f.next()).event).toBe('snapshot');
    }
    const r = await checkInVia(cluster.url, s.session_id, st!.headers);
    expect(r.status).toBe(201);
    for (const f of feeds) {
      const e = await f.next();
      expect(e.json().record_id).toBe(r.body.data.record_id);
    }
  });
});
