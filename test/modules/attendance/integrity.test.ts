/**
 * Check-in integrity (API.md Part 2; issue 10, issue 17.3): rotating and static codes with the
 * wrong-code limit, scan tickets, the location decision with accuracy, each flag raised and not,
 * the review queue, and store_coordinates=false leaving no coordinate in rows or logs.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentCode } from '../../../src/modules/attendance/code-verifier.js';
import { eraseOldLocations } from '../../../src/modules/attendance/location-retention.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { bulkStudents, CENTRE, changesOf, insertSession, MIN, north, recordsOf } from './fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
const logLines: string[] = [];
beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'debug' }, { logStream: { write: (l) => void logLines.push(l) } });
  w = await t.world();
});
afterAll(async () => t.close());

type Headers = Record<string, string>;
const post = (url: string, payload: object, headers: Headers = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers });
const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
const student = async () => (await bulkStudents(t, w.org.org_id, 1))[0]!;
const rotating = (patch = {}) =>
  insertSession(t, w.org.org_id, w.users.teacher.user_id, {
    code_mode: 'rotating',
    require_code: 1,
    code_secret: randomBytes(32).toString('hex'),
    ...patch,
  });
const codeOf = async (sessionId: string) =>
  (await get(`/admin/sessions/${sessionId}/code`, w.auth.teacher)).json().data;

describe('session code settings', () => {
  it('rotating: created by the API, secret never returned; contradictions are 400', async () => {
    const now = Date.now();
    const body = {
      session_name: 'Rotating',
      start_time: new Date(now - 5 * MIN).toISOString(),
      end_time: new Date(now + 60 * MIN).toISOString(),
      code_mode: 'rotating',
      code_period_seconds: 30,
    };
    const res = await post('/admin/sessions', body, w.auth.teacher);
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({
      code_mode: 'rotating',
      code_period_seconds: 30,
      require_code: true,
      code: null,
    });
    expect(res.body).not.toMatch(/secret/);
    const row = await t.db
      .selectFrom('attendance_sessions')
      .selectAll()
      .where('session_id', '=', res.json().data.session_id)
      .executeTakeFirstOrThrow();
    expect(row.code_secret).toMatch(/^[0-9a-f]{64}$/);
    for (const bad of [
      { code_mode: 'static', require_code: false, code: 'X1' },
      { code_mode: 'static' },
      { code_mode: 'none', require_code: true },
      { code_mode: 'rotating', code: '123456' },
      { code_mode: 'rotating', code_period_seconds: 4 },
    ]) {
      const r = await post('/admin/sessions', { ...body, ...bad }, w.auth.teacher);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
  });

  it('a code sent to a rotating session without code_mode is 400 naming code, as with require_code; code_mode static switches it', async () => {
    const s = await rotating();
    const put = (payload: object) =>
      t.app.inject({
        method: 'PUT',
        url: `/admin/sessions/${s.session_id}`,
        payload,
        headers: w.auth.teacher,
      });
    const stored = () =>
      t.db
        .selectFrom('attendance_sessions')
        .select(['code_mode', 'code', 'require_code'])
        .where('session_id', '=', s.session_id)
        .executeTakeFirstOrThrow();
    for (const bad of [{ code: 'X1' }, { require_code: true, code: 'X1' }]) {
      const r = await put(bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().errors.map((e: { field: string }) => e.field)).toEqual(['code']);
      expect(await stored()).toMatchObject({ code_mode: 'rotating', code: null });
    }
    const ok = await put({ code_mode: 'static', code: 'X1' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await stored()).toMatchObject({ code_mode: 'static', code: 'X1' });
  });

  it('GET /code: the session’s teacher and admins; 403 for another teacher; 409 without codes; the QR URL carries the code in the fragment', async () => {
    const s = await rotating();
    const data = await codeOf(s.session_id);
    expect(data).toMatchObject({ code_mode: 'rotating', period_seconds: 15 });
    expect(data.code).toMatch(/^\d{6}$/);
    expect(data.checkin_url).toBe(`${t.config.publicUrl}/c/${s.session_id}#k=${data.code}`);
    expect(Date.parse(data.expires_at)).toBeGreaterThan(Date.parse(data.server_time));
    expect((await get(`/admin/sessions/${s.session_id}/code`, w.auth.admin)).statusCode).toBe(200);
    const other = (await t.login(await t.factory.user('teacher', w.org.org_id))).headers;
    expect((await get(`/admin/sessions/${s.session_id}/code`, other)).statusCode).toBe(403);
    const plain = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await get(`/admin/sessions/${plain.session_id}/code`, w.auth.teacher)).statusCode).toBe(409);
  });
});

describe('check-in with codes and the wrong-code limit', () => {
  it('rotating: the shown code checks in; a wrong one is 422; not 6 digits is 400 naming code', async () => {
    const s = await rotating();
    const me = await student();
    const { code } = await codeOf(s.session_id);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, accuracy: 5, code: wrong },
      me.headers,
    );
    expect(bad.json().error_code).toBe('INVALID_CODE');
    const short = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, code: '12a' },
      me.headers,
    );
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].field).toBe('code');
    const good = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, accuracy: 5, code },
      me.headers,
    );
    expect(good.statusCode).toBe(201);
  });

  it('17.3: a static code: 5 wrong codes in parallel are 422, the rest 429 — then even the right code is 429 for that session only', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      require_code: 1,
      code: '424242',
    });
    const me = await student();
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(
          '/attendance/check-in',
          { session_id: s.session_id, ...CENTRE, accuracy: 5, code: String(i).padStart(6, '0') },
          me.headers,
        ),
      ),
    );
    const statuses = guesses.map((g) => g.statusCode).sort();
    expect(statuses.filter((x) => x === 422)).toHaveLength(5);
    expect(statuses.filter((x) => x === 429)).toHaveLength(7);
    expect(guesses.find((g) => g.statusCode === 429)!.headers['retry-after']).toBeDefined();
    const right = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, accuracy: 5, code: '424242' },
      me.headers,
    );
    expect(right.statusCode).toBe(429);
    // Another session is not affected, and right codes do not count.
    const s2 = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { require_code: 1, code: 'OK' });
    expect(
      (
        await post(
          '/attendance/check-in',
          { session_id: s2.session_id, ...CENTRE, accuracy: 5, code: 'OK' },
          me.headers,
        )
      ).statusCode,
    ).toBe(201);
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
  });
});

describe('POST /attendance/scan and scan tickets', () => {
  it('without login: a ticket bound to an HttpOnly cookie; check-in with ticket + cookie is 201, without the cookie 422', async () => {
    const s = await rotating();
    const { code } = await codeOf(s.session_id);
    const scan = await post('/attendance/scan', { session_id: s.session_id, code });
    expect(scan.statusCode).toBe(200);
    const cookie = String(scan.headers['set-cookie']);
    expect(cookie).toMatch(/^scan_nonce=[\w-]+; Path=\/attendance; Max-Age=120; HttpOnly; SameSite=Lax/);
    const ticket = scan.json().data.scan_ticket;
    const [a, b] = await bulkStudents(t, w.org.org_id, 2);
    const noCookie = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, accuracy: 5, scan_ticket: ticket },
      a!.headers,
    );
    expect(noCookie.json().error_code).toBe('INVALID_CODE');
    const nonce = cookie.split(';')[0]!;
    const ok = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, accuracy: 5, scan_ticket: ticket },
      { ...a!.headers, cookie: nonce },
    );
    expect(ok.statusCode).toBe(201);
    const again = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...CENTRE, accuracy: 5, scan_ticket: ticket },
      { ...b!.headers, cookie: nonce },
    );
    expect(again.json().error_code).toBe('INVALID_CODE');
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
  });

  it('two concurrent uses of one ticket → exactly one check-in', async () => {
    const s = await rotating();
    const { code } = await codeOf(s.session_id);
    const scan = await post('/attendance/scan', { session_id: s.session_id, code });
    const nonce = String(scan.headers['set-cookie']).split(';')[0]!;
    const ticket = scan.json().data.scan_ticket;
    const pair = await bulkStudents(t, w.org.org_id, 2);
    const res = await Promise.all(
      pair.map((p) =>
        post(
          '/attendance/check-in',
          { session_id: s.session_id, ...CENTRE, accuracy: 5, scan_ticket: ticket },
          { ...p.headers, cookie: nonce },
        ),
      ),
    );
    expect(res.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
    expect(
      await t.db.selectFrom('scan_ticket_uses').selectAll().where('session_id', '=', s.session_id).execute(),
    ).toHaveLength(1);
  });

  it('a ticket bound to a user (token sent) is refused to another user; forged and other-session tickets are 422', async () => {
    const s = await rotating();
    const me = await student();
    const other = await student();
    const { code } = await codeOf(s.session_id);
    const scan = await post('/attendance/scan', { session_id: s.session_id, code }, me.headers);
    expect(scan.headers['set-cookie']).toBeUndefined();
    const ticket: string = scan.json().data.scan_ticket;
    const body = { session_id: s.session_id, ...CENTRE, accuracy: 5 };
    expect(
      (await post('/attendance/check-in', { ...body, scan_ticket: ticket }, other.headers)).json().error_code,
    ).toBe('INVALID_CODE');
    const forged = `${ticket.slice(0, -4)}AAAA`;
    expect(
      (await post('/attendance/check-in', { ...body, scan_ticket: forged }, me.headers)).json().error_code,
    ).toBe('INVALID_CODE');
    const s2 = await rotating();
    expect(
      (
        await post(
          '/attendance/check-in',
          { ...body, session_id: s2.session_id, scan_ticket: ticket },
          me.headers,
        )
      ).json().error_code,
    ).toBe('INVALID_CODE');
    expect(
      (await post('/attendance/check-in', { ...body, scan_ticket: ticket }, me.headers)).statusCode,
    ).toBe(201);
  });

  it('wrong code, unknown session and another org’s session: the same 422; wrong codes per address → 429 on scan only', async () => {
    const s = await rotating();
    const otherOrg = await t.factory.org();
    const foreign = await insertSession(t, otherOrg.org_id, null, {
      code_mode: 'rotating',
      require_code: 1,
      code_secret: randomBytes(32).toString('hex'),
    });
    const { code } = await codeOf(s.session_id);
    const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    const bodies = [
      { session_id: s.session_id, code: wrong },
      { session_id: '01900000-0000-7000-8000-000000000000', code },
      { session_id: foreign.session_id, code: currentCode(foreign, Date.now())!.code },
    ];
    const answers = await Promise.all(bodies.map((b) => post('/attendance/scan', b, w.auth.student)));
    for (const a of answers) expect(a.statusCode).toBe(422);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    const addr = { 'x-forwarded-for': '203.0.113.9' };
    let last = 0;
    for (let i = 0; i < 31; i++)
      last = (
        await t.app.inject({
          method: 'POST',
          url: '/attendance/scan',
          payload: { session_id: s.session_id, code: wrong },
          remoteAddress: '203.0.113.9',
          headers: addr,
        })
      ).statusCode;
    expect(last).toBe(429);
    // Right scans from one campus address are not limited by the wrong ones of others... but this address is.
    const me = await student();
    expect(
      (
        await post(
          '/attendance/check-in',
          { session_id: s.session_id, ...CENTRE, accuracy: 5, code: (await codeOf(s.session_id)).code },
          me.headers,
        )
      ).statusCode,
    ).toBe(201);
  });

  it('correct scans from one address are not limited (60 in a row)', async () => {
    const s = await rotating();
    for (let i = 0; i < 60; i++) {
      const { code } = await codeOf(s.session_id);
      const r = await t.app.inject({
        method: 'POST',
        url: '/attendance/scan',
        payload: { session_id: s.session_id, code },
        remoteAddress: '198.51.100.7',
      });
      expect(r.statusCode).toBe(200);
    }
  });
});

describe('location decision and flags', () => {
  const checkIn = async (s: { session_id: string }, body: object, headers?: Headers) =>
    post('/attendance/check-in', { session_id: s.session_id, ...body }, headers ?? (await student()).headers);

  it('three outcomes: clean inside, flagged uncertain across the edge, refused outside; reject policy refuses the uncertain', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { location_radius: 100 });
    const clean = await checkIn(s, { ...north(50), accuracy: 20 });
    expect(clean.json().data).toMatchObject({ flags: [], review_state: 'none' });
    const uncertain = await checkIn(s, { ...north(110), accuracy: 30 });
    expect(uncertain.statusCode).toBe(201);
    expect(uncertain.json().data).toMatchObject({ flags: ['uncertain_location'], review_state: 'pending' });
    const outside = await checkIn(s, { ...north(200), accuracy: 30 });
    expect(outside.json()).toMatchObject({
      error_code: 'OUTSIDE_GEOFENCE',
      details: { reason: 'outside', accuracy_m: 30, radius_m: 100 },
    });
    const strict = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      location_radius: 100,
      boundary_policy: 'reject',
    });
    const refused = await checkIn(strict, { ...north(110), accuracy: 30 });
    expect(refused.json()).toMatchObject({
      error_code: 'OUTSIDE_GEOFENCE',
      details: { reason: 'uncertain' },
    });
    expect(await recordsOf(t, strict.session_id)).toHaveLength(0);
  });

  it('no_accuracy and low_accuracy raised, and not raised with a good fix', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { location_radius: 1000 });
    expect((await checkIn(s, { ...CENTRE })).json().data.flags).toEqual(['no_accuracy']);
    expect((await checkIn(s, { ...CENTRE, accuracy: 120 })).json().data.flags).toEqual(['low_accuracy']);
    expect((await checkIn(s, { ...CENTRE, accuracy: 100 })).json().data.flags).toEqual([]);
  });

  it('shared_device flags both accounts; two students on one address with their own devices are not flagged', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const [a, b, c] = await bulkStudents(t, w.org.org_id, 3);
    const first = await checkIn(s, { ...CENTRE, accuracy: 5, device_id: 'phone-A' }, a!.headers);
    expect(first.json().data.flags).toEqual([]);
    const own = await checkIn(s, { ...CENTRE, accuracy: 5, device_id: 'phone-C' }, c!.headers);
    expect(own.json().data.flags).toEqual([]);
    const second = await checkIn(s, { ...CENTRE, accuracy: 5, device_id: 'phone-A' }, b!.headers);
    expect(second.json().data.flags).toEqual(['shared_device']);
    const rows = await recordsOf(t, s.session_id);
    const byUser = Object.fromEntries(rows.map((r) => [r.user_id, r]));
    expect(byUser[a!.user_id]).toMatchObject({ flags: 'shared_device', review_state: 'pending' });
    expect(byUser[c!.user_id]).toMatchObject({ flags: '', review_state: 'none' });
    expect(byUser[a!.user_id]!.device_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain('phone-A');
  });

  it('device_id over 128 characters or with control characters: 400 naming device_id', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    for (const device_id of ['x'.repeat(129), 'a\u0007b', 'a\u202eb']) {
      const r = await checkIn(s, { ...CENTRE, accuracy: 5, device_id });
      expect(r.statusCode).toBe(400);
      expect(r.json().errors[0].field).toBe('device_id');
    }
  });

  it('impossible_travel: 50 km in 10 minutes is raised; 50 km in two days, or 30 m at once within the two accuracies, is not', async () => {
    const me = await student();
    const past = (minutesAgo: number, lat: number) =>
      insertSession(t, w.org.org_id, w.users.teacher.user_id, {
        start_time: Date.now() - minutesAgo * MIN - 30 * MIN,
        end_time: Date.now() - minutesAgo * MIN + 30 * MIN,
      }).then(async (old) => {
        const at = Date.now() - minutesAgo * MIN;
        await t.db
          .insertInto('attendance_records')
          .values({
            record_id: randomBytes(16)
              .toString('hex')
              .replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5'),
            org_id: w.org.org_id,
            session_id: old.session_id,
            user_id: me.user_id,
            check_in_time: at,
            check_out_time: null,
            check_in_lat: lat,
            check_in_lon: CENTRE.lon,
            check_in_accuracy: 10,
            check_out_lat: null,
            check_out_lon: null,
            distance_m: 0,
            status: 'present',
            notes: null,
            marked_by: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
      });
    await past(2 * 24 * 60, CENTRE.lat + 0.45);
    const s1 = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await checkIn(s1, { ...CENTRE, accuracy: 5 }, me.headers)).json().data.flags).toEqual([]);
    const near = await student();
    const s2 = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await checkIn(s2, { ...north(30), accuracy: 20 }, near.headers)).statusCode).toBe(201);
    const s3 = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await checkIn(s3, { ...CENTRE, accuracy: 20 }, near.headers)).json().data.flags).toEqual([]);
    const far = await student();
    const s4 = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      location_lat: CENTRE.lat + 0.45,
      location_radius: 100,
    });
    expect(
      (await checkIn(s4, { lat: CENTRE.lat + 0.45, lon: CENTRE.lon, accuracy: 5 }, far.headers)).statusCode,
    ).toBe(201);
    const s5 = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await checkIn(s5, { ...CENTRE, accuracy: 5 }, far.headers)).json().data.flags).toEqual([
      'impossible_travel',
    ]);
  });
});

describe('review', () => {
  it('the queue lists flagged records; accept keeps the status, reject sets absent; both in history and audit; reports count them', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { location_radius: 1000 });
    const [a, b, c] = await bulkStudents(t, w.org.org_id, 3);
    const ra = (
      await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE }, a!.headers)
    ).json().data;
    const rb = (
      await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE, accuracy: 120 }, b!.headers)
    ).json().data;
    await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE, accuracy: 5 }, c!.headers);
    const queue = await get(`/attendance/review?session_id=${s.session_id}`, w.auth.teacher);
    expect(queue.statusCode).toBe(200);
    expect(
      queue
        .json()
        .data.map((r: { record_id: string }) => r.record_id)
        .sort(),
    ).toEqual([ra.record_id, rb.record_id].sort());
    expect(queue.json().data[0]).toHaveProperty('user_name');
    const report = await get(`/attendance/session/${s.session_id}/report`, w.auth.teacher);
    expect(report.json().data).toMatchObject({ flagged: 2, pending_review: 2 });

    const accept = await post(
      `/attendance/records/${ra.record_id}/review`,
      { decision: 'accept' },
      w.auth.teacher,
    );
    expect(accept.json().data).toMatchObject({
      status: ra.status,
      review_state: 'accepted',
      flags: ['no_accuracy'],
    });
    const reject = await post(
      `/attendance/records/${rb.record_id}/review`,
      { decision: 'reject', notes: 'not in the room' },
      w.auth.admin,
    );
    expect(reject.json().data).toMatchObject({
      status: 'absent',
      review_state: 'rejected',
      notes: 'not in the room',
    });
    expect(
      (await post(`/attendance/records/${rb.record_id}/review`, { decision: 'accept' }, w.auth.admin))
        .statusCode,
    ).toBe(409);

    expect((await changesOf(t, ra.record_id)).map((x) => [x.action, x.old_status, x.new_status])).toEqual([
      ['review_accept', ra.status, ra.status],
    ]);
    expect((await changesOf(t, rb.record_id)).map((x) => [x.action, x.new_status])).toEqual([
      ['review_reject', 'absent'],
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('target_id', 'in', [ra.record_id, rb.record_id])
      .execute();
    expect(audit.map((x) => x.action).sort()).toEqual(['review.accepted', 'review.rejected']);

    const after = await get(`/attendance/session/${s.session_id}/report`, w.auth.teacher);
    expect(after.json().data).toMatchObject({ flagged: 2, pending_review: 0 });
    const detailed = await get(`/reports/session/${s.session_id}/detailed`, w.auth.teacher);
    expect(detailed.json().data).toMatchObject({ flagged: 2, pending_review: 0 });
  });

  it('another teacher gets 403, another org’s admin 404; a teacher must name the session', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { location_radius: 1000 });
    const me = await student();
    const rec = (
      await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE }, me.headers)
    ).json().data;
    const other = (await t.login(await t.factory.user('teacher', w.org.org_id))).headers;
    expect(
      (await post(`/attendance/records/${rec.record_id}/review`, { decision: 'reject' }, other)).statusCode,
    ).toBe(403);
    expect((await get(`/attendance/review?session_id=${s.session_id}`, other)).statusCode).toBe(403);
    expect((await get('/attendance/review', w.auth.teacher)).statusCode).toBe(400);
    const foreignOrg = await t.factory.org();
    const foreignAdmin = (await t.login(await t.factory.user('admin', foreignOrg.org_id))).headers;
    expect(
      (await post(`/attendance/records/${rec.record_id}/review`, { decision: 'reject' }, foreignAdmin))
        .statusCode,
    ).toBe(404);
    expect((await recordsOf(t, s.session_id))[0]).toMatchObject({
      status: rec.status,
      review_state: 'pending',
    });
  });
});

describe('store_coordinates=false', () => {
  it('no coordinate in the record, the idempotency store, the audit log or the logs', async () => {
    const org = await t.factory.org({ store_coordinates: 0 });
    const teacher = await t.factory.user('teacher', org.org_id);
    const s = await insertSession(t, org.org_id, teacher.user_id, { location_radius: 1000 });
    const [me] = await bulkStudents(t, org.org_id, 1);
    const fix = { lat: 40.713317, lon: -74.005871 };
    logLines.length = 0;
    const res = await post(
      '/attendance/check-in',
      { session_id: s.session_id, ...fix, accuracy: 7 },
      { ...me!.headers, 'idempotency-key': 'private-1' },
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ check_in_lat: null, check_in_lon: null });
    expect(res.json().data.distance_m).toBeGreaterThan(0);
    const out = await post(
      '/attendance/check-out',
      { record_id: res.json().data.record_id, ...fix },
      me!.headers,
    );
    expect(out.statusCode).toBe(200);
    const dump = JSON.stringify([
      await recordsOf(t, s.session_id),
      await t.db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', me!.user_id).execute(),
      await t.db.selectFrom('audit_log').selectAll().where('org_id', '=', org.org_id).execute(),
      await t.db
        .selectFrom('attendance_record_changes')
        .selectAll()
        .where('org_id', '=', org.org_id)
        .execute(),
    ]);
    expect(logLines.length).toBeGreaterThan(0);
    for (const text of [dump, logLines.join('\n')]) {
      expect(text).not.toContain('40.71');
      expect(text).not.toContain('74.00');
    }
  });
});

describe('LOCATION_RETENTION_DAYS', () => {
  it('eraseOldLocations erases coordinates and device hashes older than the limit, keeps the rest', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { location_radius: 1000 });
    const [old, fresh] = await bulkStudents(t, w.org.org_id, 2);
    for (const p of [old, fresh])
      await post(
        '/attendance/check-in',
        { session_id: s.session_id, ...CENTRE, accuracy: 5, device_id: `d-${p!.user_id}` },
        p!.headers,
      );
    const longAgo = Date.now() - 31 * 86_400_000;
    await t.db
      .updateTable('attendance_records')
      .set({ created_at: longAgo })
      .where('user_id', '=', old!.user_id)
      .execute();
    expect(await eraseOldLocations(t.db, undefined)).toBe(0);
    expect(await eraseOldLocations(t.db, 30)).toBe(1);
    const rows = Object.fromEntries((await recordsOf(t, s.session_id)).map((r) => [r.user_id, r]));
    expect(rows[old!.user_id]).toMatchObject({
      check_in_lat: null,
      check_in_lon: null,
      device_hash: null,
      status: 'present',
    });
    expect(rows[old!.user_id]!.distance_m).not.toBeNull();
    expect(rows[fresh!.user_id]!.check_in_lat).toBe(CENTRE.lat);
    expect(rows[fresh!.user_id]!.device_hash).not.toBeNull();
  });
  it('erases in batches, asking the lease between them, and stops when it is lost', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { location_radius: 1000 });
    const people = await bulkStudents(t, w.org.org_id, 5);
    for (const p of people)
      await post(
        '/attendance/check-in',
        { session_id: s.session_id, ...CENTRE, accuracy: 5, device_id: `d-${p.user_id}` },
        p.headers,
      );
    await t.db
      .updateTable('attendance_records')
      .set({ created_at: Date.now() - 40 * 86_400_000 })
      .where('session_id', '=', s.session_id)
      .execute();
    let renewals = 0;
    const lost = await eraseOldLocations(t.db, 30, Date.now(), {
      batchSize: 2,
      renew: async () => ++renewals < 2,
    });
    expect(lost).toBe(4); // two batches of two, then the lease was lost
    const rest = await eraseOldLocations(t.db, 30, Date.now(), { batchSize: 2, renew: async () => true });
    expect(rest).toBe(1);
    const rows = await recordsOf(t, s.session_id);
    expect(rows.every((r) => r.check_in_lat === null && r.device_hash === null)).toBe(true);
  });

  it('is a scheduler job only when LOCATION_RETENTION_DAYS is set', async () => {
    await expect(t.app.scheduler.runNow('erase-expired-coordinates')).rejects.toThrow(/no job/);
    const keeping = await createTestApp({ LOCATION_RETENTION_DAYS: '30' });
    try {
      expect(await keeping.app.scheduler.runNow('erase-expired-coordinates')).toBe(true);
    } finally {
      await keeping.close();
    }
  });
});
