/**
 * GET /attendance/session/{id}/live in one process, over real HTTP: snapshot, record and session
 * events with growing ids, replay after Last-Event-ID (header or query), tickets, roles, limits,
 * revocation, code events, and the database afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueStreamTicket } from '../../../src/modules/live/stream-tickets.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { openSse, type SseClient } from '../../helpers/sse.js';
import { bulkStudents, CENTRE, insertSession } from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
let base: string;
const open: SseClient[] = [];

beforeAll(async () => {
  t = await createTestApp({ SSE_MAX_PER_USER: '3' }, { live: { recheckMs: 200 } });
  w = await t.world();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  for (let i = 0; i < 100 && t.app.liveHub.streams.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
});
afterAll(async () => t.close());

const feed = async (sessionId: string, headers: Record<string, string>, query = '') => {
  const c = await openSse(`${base}/attendance/session/${sessionId}/live${query}`, headers);
  open.push(c);
  return c;
};
const session = (patch = {}) => insertSession(t, w.org.org_id, w.users.teacher.user_id, patch);
const checkIn = (sessionId: string, headers: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: '/attendance/check-in',
    headers,
    payload: { session_id: sessionId, lat: CENTRE.lat, lon: CENTRE.lon, accuracy: 10 },
  });
const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(cond(), what).toBe(true);
};

describe('the live feed', () => {
  it('starts with a snapshot, then sends each check-in once, with growing ids', async () => {
    const s = await session();
    const [a, b, c] = await bulkStudents(t, w.org.org_id, 3);
    expect((await checkIn(s.session_id, a!.headers)).statusCode).toBe(201);

    const f = await feed(s.session_id, w.auth.teacher);
    expect(f.status).toBe(200);
    expect(f.contentType).toMatch(/^text\/event-stream/);
    const snap = await f.next();
    expect(snap.event).toBe('snapshot');
    const body = snap.json();
    expect(body.session.session_id).toBe(s.session_id);
    expect(body.counts).toEqual({ present: 1, late: 0, absent: 0, excused: 0 });
    expect(body.pending_review).toBe(0);
    expect(body.expected).toBeGreaterThanOrEqual(3);
    expect(body.records).toHaveLength(1);
    expect(body.records[0]).toMatchObject({ user_id: a!.user_id, status: 'present' });
    expect(body.records[0].user).toEqual({ user_id: a!.user_id, name: expect.any(String) });

    const r1 = await checkIn(s.session_id, b!.headers);
    const r2 = await checkIn(s.session_id, c!.headers);
    const e1 = await f.next();
    const e2 = await f.next();
    expect([e1.event, e2.event]).toEqual(['record', 'record']);
    expect(e1.json().record_id).toBe(r1.json().data.record_id);
    expect(e2.json().record_id).toBe(r2.json().data.record_id);
    // The record in the feed is the record of the REST answer, plus its user.
    const { user, ...rec } = e1.json();
    expect(rec).toEqual(r1.json().data);
    expect(user.user_id).toBe(b!.user_id);
    expect(Number(e2.id)).toBeGreaterThan(Number(e1.id));
    expect(Number(e1.id)).toBeGreaterThan(Number(snap.id));
    // Stored, numbered in the session: the snapshot's id is the last number before it.
    const stored = await t.db
      .selectFrom('live_events')
      .select(['seq', 'ref_id'])
      .where('session_id', '=', s.session_id)
      .orderBy('seq')
      .execute();
    expect(stored.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(snap.id).toBe('1');
  });

  it('replays exactly the missed events after Last-Event-ID (header or query); an unknown id gets a snapshot', async () => {
    const s = await session();
    const students = await bulkStudents(t, w.org.org_id, 4);
    const f = await feed(s.session_id, w.auth.admin);
    await f.next(); // snapshot
    await checkIn(s.session_id, students[0]!.headers);
    const seen = await f.next();
    f.close();
    const missed = [];
    for (const st of students.slice(1, 3)) missed.push((await checkIn(s.session_id, st.headers)).json().data);

    for (const how of ['header', 'query'] as const) {
      const g =
        how === 'header'
          ? await feed(s.session_id, { ...w.auth.admin, 'last-event-id': seen.id! })
          : await feed(s.session_id, w.auth.admin, `?last_event_id=${seen.id}`);
      const got = [await g.next(), await g.next()];
      expect(got.map((e) => e.event)).toEqual(['record', 'record']);
      expect(got.map((e) => e.json().record_id)).toEqual(missed.map((m) => m.record_id));
      g.close();
    }
    // After the replay, live events follow with nothing doubled in between.
    const h = await feed(s.session_id, { ...w.auth.admin, 'last-event-id': seen.id! });
    await h.next();
    const last = await h.next();
    const fresh = (await checkIn(s.session_id, students[3]!.headers)).json().data;
    const live = await h.next();
    expect(live.json().record_id).toBe(fresh.record_id);
    expect(Number(live.id)).toBe(Number(last.id) + 1);

    for (const id of ['nonsense', '999999', '-1']) {
      const u = await feed(s.session_id, { ...w.auth.admin, 'last-event-id': id });
      const first = await u.next();
      expect(first.event, id).toBe('snapshot');
      expect(first.json().records).toHaveLength(4);
      u.close();
    }
  });

  it('sends session events (updated, closed with the absences) and stays open after the close', async () => {
    const s = await session();
    const f = await feed(s.session_id, w.auth.teacher);
    await f.next();
    const put = await t.app.inject({
      method: 'PUT',
      url: `/admin/sessions/${s.session_id}`,
      headers: w.auth.teacher,
      payload: { session_name: 'Renamed live' },
    });
    expect(put.statusCode).toBe(200);
    const upd = await f.next();
    expect(upd.event).toBe('session');
    expect(upd.json()).toMatchObject({
      session_id: s.session_id,
      state: 'updated',
      session: { session_name: 'Renamed live' },
    });
    const close = await t.app.inject({
      method: 'POST',
      url: `/admin/sessions/${s.session_id}/close`,
      headers: w.auth.teacher,
    });
    expect(close.statusCode).toBe(200);
    const absent = close.json().data.absent_marked as number;
    expect(absent).toBeGreaterThan(0);
    const after = [];
    for (let i = 0; i < absent + 1; i++) after.push(await f.next());
    expect(after.filter((e) => e.event === 'record').every((e) => e.json().status === 'absent')).toBe(true);
    expect(after.at(-1)!.event).toBe('session');
    expect(after.at(-1)!.json().state).toBe('closed');
    // Still open: a correction after the close arrives too.
    const rec = after[0]!.json();
    const fix = await t.app.inject({
      method: 'PUT',
      url: `/attendance/records/${rec.record_id}`,
      headers: w.auth.teacher,
      payload: { status: 'excused' },
    });
    expect(fix.statusCode).toBe(200);
    const changed = await f.next();
    expect(changed.json()).toMatchObject({ record_id: rec.record_id, status: 'excused' });

    const cancel = await t.app.inject({
      method: 'DELETE',
      url: `/admin/sessions/${s.session_id}`,
      headers: w.auth.teacher,
    });
    expect(cancel.statusCode).toBe(200);
    expect((await f.next()).json()).toMatchObject({ state: 'cancelled' });
  });

  it('sends every other change of a record: force check-in, check-out, review; the snapshot counts pending reviews', async () => {
    const s = await session();
    const [a, b] = await bulkStudents(t, w.org.org_id, 2);
    // No accuracy sent: flagged no_accuracy, pending review.
    const flagged = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: a!.headers,
      payload: { session_id: s.session_id, lat: CENTRE.lat, lon: CENTRE.lon },
    });
    expect(flagged.statusCode).toBe(201);
    const rec = flagged.json().data;
    const f = await feed(s.session_id, w.auth.teacher);
    const snap = (await f.next()).json();
    expect(snap.pending_review).toBe(1);
    expect(snap.records[0]).toMatchObject({ record_id: rec.record_id, review_state: 'pending' });

    const forced = await t.app.inject({
      method: 'POST',
      url: '/attendance/force-check-in',
      headers: w.auth.teacher,
      payload: { session_id: s.session_id, user_id: b!.user_id, status: 'late' },
    });
    expect(forced.statusCode).toBe(201);
    expect((await f.next()).json()).toMatchObject({ user_id: b!.user_id, status: 'late' });

    const out = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-out',
      headers: a!.headers,
      payload: { record_id: rec.record_id },
    });
    expect(out.statusCode).toBe(200);
    const checkedOut = (await f.next()).json();
    expect(checkedOut.record_id).toBe(rec.record_id);
    expect(checkedOut.check_out_time).toBe(out.json().data.check_out_time);

    const review = await t.app.inject({
      method: 'POST',
      url: `/attendance/records/${rec.record_id}/review`,
      headers: w.auth.teacher,
      payload: { decision: 'reject' },
    });
    expect(review.statusCode).toBe(200);
    expect((await f.next()).json()).toMatchObject({
      record_id: rec.record_id,
      review_state: 'rejected',
      status: 'absent',
    });
  });

  it('refuses with the JSON envelope: no login 401, student 403, another teacher 403, another org 404', async () => {
    const s = await session();
    const otherTeacher = await t.factory.user('teacher', w.org.org_id);
    const other = await t.world();
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ authorization: 'Bearer not-a-token-at-all' }, 401],
      [w.auth.student, 403],
      [(await t.login(otherTeacher)).headers, 403],
      [other.auth.admin, 404],
    ];
    for (const [headers, status] of cases) {
      const f = await feed(s.session_id, headers);
      expect(f.status).toBe(status);
      expect(f.contentType).toMatch(/^application\/json/);
      expect(JSON.parse(f.body)).toMatchObject({ success: false, error_code: expect.any(String) });
    }
    const unknown = await feed('00000000-0000-4000-8000-000000000000', w.auth.admin);
    expect(unknown.status).toBe(404);
    const bad = await feed('not-a-uuid', w.auth.admin);
    expect(bad.status).toBe(400);
  });

  it('accepts a stream ticket for its session and user, again within 60 s; refuses expired, forged or other-session tickets', async () => {
    const s = await session();
    const s2 = await session();
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/stream-ticket',
      headers: w.auth.teacher,
      payload: { session_id: s.session_id },
    });
    expect(res.statusCode).toBe(201);
    const { ticket, expires_at } = res.json().data;
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(50_000);
    expect(Date.parse(expires_at) - Date.now()).toBeLessThanOrEqual(60_000);
    for (let i = 0; i < 2; i++) {
      const f = await feed(s.session_id, {}, `?ticket=${encodeURIComponent(ticket)}`);
      expect(f.status).toBe(200);
      expect((await f.next()).event).toBe('snapshot');
      f.close();
    }
    const wrongSession = await feed(s2.session_id, {}, `?ticket=${encodeURIComponent(ticket)}`);
    expect(wrongSession.status).toBe(401);
    const teacherLogin = await t.login(w.users.teacher);
    const expired = issueStreamTicket(
      t.config.secretKey,
      { sessionId: s.session_id, userId: w.users.teacher.user_id, loginSessionId: teacherLogin.sessionId },
      Date.now() - 61_000,
    ).ticket;
    expect((await feed(s.session_id, {}, `?ticket=${encodeURIComponent(expired)}`)).status).toBe(401);
    const forged = `${ticket.slice(0, -4)}AAAA`;
    expect((await feed(s.session_id, {}, `?ticket=${encodeURIComponent(forged)}`)).status).toBe(401);
    // A student may not get one; another org's session is not found.
    const asStudent = await t.app.inject({
      method: 'POST',
      url: '/auth/stream-ticket',
      headers: w.auth.student,
      payload: { session_id: s.session_id },
    });
    expect(asStudent.statusCode).toBe(403);
    const other = await t.world();
    const otherOrg = await t.app.inject({
      method: 'POST',
      url: '/auth/stream-ticket',
      headers: other.auth.admin,
      payload: { session_id: s.session_id },
    });
    expect(otherOrg.statusCode).toBe(404);
    // Logging out kills the ticket with its login session.
    const ticket2 = (
      await t.app.inject({
        method: 'POST',
        url: '/auth/stream-ticket',
        headers: teacherLogin.headers,
        payload: { session_id: s.session_id },
      })
    ).json().data.ticket;
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: teacherLogin.headers });
    expect((await feed(s.session_id, {}, `?ticket=${encodeURIComponent(ticket2)}`)).status).toBe(401);
  });

  it('limits streams per user (429 with the envelope) and frees the slot when one closes', async () => {
    const s = await session();
    const admin2 = await t.factory.user('admin', w.org.org_id);
    const h = (await t.login(admin2)).headers;
    const streams = [];
    for (let i = 0; i < 3; i++) {
      const f = await feed(s.session_id, h);
      expect(f.status).toBe(200);
      await f.next();
      streams.push(f);
    }
    const fourth = await feed(s.session_id, h);
    expect(fourth.status).toBe(429);
    expect(JSON.parse(fourth.body)).toMatchObject({ success: false, error_code: 'RATE_LIMITED' });
    streams[0]!.close();
    await waitFor(() => t.app.liveHub.countOf(admin2.user_id) === 2, 'the closed stream is forgotten');
    expect((await feed(s.session_id, h)).status).toBe(200);
  });

  it('ends the stream when its login session is revoked or the user deactivated', async () => {
    const s = await session();
    const teacher = await t.factory.user('teacher', w.org.org_id);
    await t.db
      .insertInto('session_teachers')
      .values({ session_id: s.session_id, user_id: teacher.user_id, org_id: w.org.org_id })
      .execute();
    const l1 = await t.login(teacher);
    const l2 = await t.login(teacher);
    const f1 = await feed(s.session_id, l1.headers);
    const f2 = await feed(s.session_id, l2.headers);
    await f1.next();
    await f2.next();
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: l1.headers });
    await f1.ended;
    expect(t.app.liveHub.countOf(teacher.user_id)).toBe(1);
    await t.db.updateTable('users').set({ is_active: 0 }).where('user_id', '=', teacher.user_id).execute();
    await f2.ended;
    await waitFor(() => t.app.liveHub.countOf(teacher.user_id) === 0, 'both streams are gone');
  });

  it('sends code events with ?code=1 (the body of GET …/code), without ids', async () => {
    const s = await session({
      code_mode: 'rotating',
      require_code: 1,
      code_secret: 'ab'.repeat(32),
      code_period_seconds: 5,
    });
    const f = await feed(s.session_id, w.auth.teacher, '?code=1');
    expect((await f.next()).event).toBe('snapshot');
    const c1 = await f.nextOf('code');
    expect(c1.id).toBeUndefined();
    const body = c1.json();
    expect(body).toMatchObject({
      code_mode: 'rotating',
      period_seconds: 5,
      code: expect.stringMatching(/^\d{6}$/),
    });
    const rest = await t.app.inject({
      method: 'GET',
      url: `/admin/sessions/${s.session_id}/code`,
      headers: w.auth.teacher,
    });
    expect(Object.keys(body).sort()).toEqual(Object.keys(rest.json().data).sort());
    const c2 = await f.nextOf('code', 8000);
    expect(c2.json().step).toBe(body.step + 1);
  });

  it('is not cut by HTTP_IDLE_TIMEOUT_MS while quiet between events', async () => {
    const t2 = await createTestApp({ HTTP_IDLE_TIMEOUT_MS: '1000', SSE_HEARTBEAT_SECONDS: '60' });
    try {
      const w2 = await t2.world();
      const s = await insertSession(t2, w2.org.org_id, w2.users.teacher.user_id);
      const [st] = await bulkStudents(t2, w2.org.org_id, 1);
      await t2.app.listen({ host: '127.0.0.1', port: 0 });
      const addr = t2.app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const f = await openSse(
        `http://127.0.0.1:${port}/attendance/session/${s.session_id}/live`,
        w2.auth.admin,
      );
      await f.next();
      // Silent for well over the idle timeout (no heartbeat before 60 s), then an event.
      await new Promise((r) => setTimeout(r, 2500));
      const res = await t2.app.inject({
        method: 'POST',
        url: '/attendance/check-in',
        headers: st!.headers,
        payload: { session_id: s.session_id, lat: CENTRE.lat, lon: CENTRE.lon, accuracy: 10 },
      });
      expect((await f.next()).json().record_id).toBe(res.json().data.record_id);
      f.close();
    } finally {
      await t2.close();
    }
  });

  it('closes every stream when the app closes (graceful shutdown does not wait for them)', async () => {
    const t2 = await createTestApp();
    const w2 = await t2.world();
    const s = await insertSession(t2, w2.org.org_id, w2.users.teacher.user_id);
    await t2.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = t2.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const f = await openSse(
      `http://127.0.0.1:${port}/attendance/session/${s.session_id}/live`,
      w2.auth.admin,
    );
    await f.next();
    await t2.close();
    await f.ended;
    expect(t2.app.liveHub.streams.size).toBe(0);
  });
});
