import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/plugins/idempotency.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import {
  bulkStudents,
  CENTRE,
  fieldsOf,
  insertGroup,
  insertSession,
  MIN,
  north,
  recordsOf,
} from './fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
});
afterAll(async () => t.close());

const checkIn = (payload: unknown, headers: Record<string, string>, url = '/attendance/check-in') =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });
/** A fresh student of the world's org, so each test starts without records. */
const student = async () => (await bulkStudents(t, w.org.org_id, 1))[0]!;
const session = (patch = {}) => insertSession(t, w.org.org_id, w.users.teacher.user_id, patch);

describe('POST /attendance/check-in: success', () => {
  it('records a present check-in inside the circle with position, accuracy and distance', async () => {
    const s = await session();
    const me = await student();
    const at = north(30);
    const before = Date.now();
    const res = await checkIn({ session_id: s.session_id, ...at, accuracy: 12.5 }, me.headers);
    expect(res.statusCode).toBe(201);
    const d = res.json().data;
    expect(d).toMatchObject({
      session_id: s.session_id,
      user_id: me.user_id,
      status: 'present',
      check_in_lat: at.lat,
      check_in_lon: at.lon,
      check_in_accuracy: 12.5,
      check_out_time: null,
      duration_minutes: null,
      marked_by: null,
    });
    expect(d.distance_m).toBeCloseTo(30, 0);
    const [rec] = await recordsOf(t, s.session_id);
    expect(rec).toMatchObject({
      record_id: d.record_id,
      user_id: me.user_id,
      status: 'present',
      org_id: w.org.org_id,
    });
    expect(rec!.check_in_time).toBeGreaterThanOrEqual(before);
    expect(rec!.distance_m).toBeCloseTo(30, 0);
  });

  it('is late after start + late_after_minutes (session value, else the org’s)', async () => {
    const me = await student();
    // org late_after_minutes is 10 (factory): started 20 min ago → late
    const lateS = await session({ start_time: Date.now() - 20 * MIN });
    expect((await checkIn({ session_id: lateS.session_id, ...CENTRE }, me.headers)).json().data.status).toBe(
      'late',
    );
    // the session allows 30 minutes → present
    const lenient = await session({ start_time: Date.now() - 20 * MIN, late_after_minutes: 30 });
    expect(
      (await checkIn({ session_id: lenient.session_id, ...CENTRE }, me.headers)).json().data.status,
    ).toBe('present');
    // the session allows 0 minutes → late a second after start
    const strict = await session({ start_time: Date.now() - 1000, late_after_minutes: 0 });
    expect((await checkIn({ session_id: strict.session_id, ...CENTRE }, me.headers)).json().data.status).toBe(
      'late',
    );
    // before start (inside the opening window) → present
    const early = await session({ start_time: Date.now() + 10 * MIN });
    expect((await checkIn({ session_id: early.session_id, ...CENTRE }, me.headers)).json().data.status).toBe(
      'present',
    );
  });

  it('an online session (no location) needs no position and stores no distance', async () => {
    const s = await session({ location_lat: null, location_lon: null, location_radius: null });
    const me = await student();
    const res = await checkIn({ session_id: s.session_id }, me.headers);
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ distance_m: null, check_in_lat: null });
  });

  it('a polygon fence: inside is distance 0; outside is 422 with the distance to the fence', async () => {
    const square = JSON.stringify({
      type: 'Polygon',
      coordinates: [
        [
          [-74.007, 40.712],
          [-74.005, 40.712],
          [-74.005, 40.714],
          [-74.007, 40.714],
          [-74.007, 40.712],
        ],
      ],
    });
    const s = await session({
      geofence: square,
      location_lat: null,
      location_lon: null,
      location_radius: null,
    });
    const inside = await checkIn(
      { session_id: s.session_id, lat: 40.713, lon: -74.006 },
      (await student()).headers,
    );
    expect(inside.statusCode).toBe(201);
    expect(inside.json().data.distance_m).toBe(0);
    const out = await checkIn(
      { session_id: s.session_id, lat: 40.716, lon: -74.006 },
      (await student()).headers,
    );
    expect(out.statusCode).toBe(422);
    expect(out.json().error_code).toBe('OUTSIDE_GEOFENCE');
    expect(out.json().details.radius_m).toBeNull();
    expect(out.json().details.distance_m).toBeGreaterThan(200);
    expect(out.json().details.distance_m).toBeLessThan(245);
  });

  it('a group session admits its active student members', async () => {
    const me = await student();
    const groupId = await insertGroup(t, w.org.org_id, [me.user_id]);
    const s = await session({ group_id: groupId });
    expect((await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers)).statusCode).toBe(201);
  });
});

describe('POST /attendance/check-in: the rules and their codes', () => {
  it('404 for an unknown session, another org’s session and a cancelled one', async () => {
    const me = await student();
    const other = await t.factory.org();
    const foreign = await insertSession(t, other.org_id, null);
    const cancelled = await session({ is_active: 0 });
    for (const id of ['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', foreign.session_id, cancelled.session_id]) {
      const res = await checkIn({ session_id: id, ...CENTRE }, me.headers);
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('NOT_FOUND');
    }
    expect(await recordsOf(t, foreign.session_id)).toHaveLength(0);
  });

  it('403 for a student outside the session’s group, and for teachers and admins (not expected)', async () => {
    const member = await student();
    const s = await session({ group_id: await insertGroup(t, w.org.org_id, [member.user_id]) });
    const outsider = await student();
    for (const headers of [outsider.headers, w.auth.teacher, w.auth.admin]) {
      const res = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
      expect(res.statusCode).toBe(403);
      expect(res.json().error_code).toBe('FORBIDDEN');
    }
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
  });

  it('422 SESSION_NOT_OPEN before start - checkin_opens_minutes; open inside that window', async () => {
    const s = await session({ start_time: Date.now() + 30 * MIN, end_time: Date.now() + 90 * MIN });
    const res = await checkIn({ session_id: s.session_id, ...CENTRE }, (await student()).headers);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('SESSION_NOT_OPEN');
    expect(res.json().details.opens_at).toBe(new Date(s.start_time - 15 * MIN).toISOString());
    const wide = await session({ start_time: Date.now() + 30 * MIN, checkin_opens_minutes: 45 });
    expect(
      (await checkIn({ session_id: wide.session_id, ...CENTRE }, (await student()).headers)).statusCode,
    ).toBe(201);
  });

  it('422 SESSION_CLOSED after end_time and once closed', async () => {
    const ended = await session({ start_time: Date.now() - 120 * MIN, end_time: Date.now() - 1000 });
    const res = await checkIn({ session_id: ended.session_id, ...CENTRE }, (await student()).headers);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('SESSION_CLOSED');
    const closed = await session({ closed_at: Date.now() - 1000 });
    const res2 = await checkIn({ session_id: closed.session_id, ...CENTRE }, (await student()).headers);
    expect(res2.json().error_code).toBe('SESSION_CLOSED');
  });

  it('422 INVALID_CODE for a missing or wrong code; the right one passes', async () => {
    const s = await session({ require_code: 1, code: 'K7-Q2' });
    const me = await student();
    const missing = await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers);
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error_code).toBe('INVALID_CODE');
    const wrong = await checkIn({ session_id: s.session_id, ...CENTRE, code: 'K7-Q3' }, me.headers);
    expect(wrong.json().error_code).toBe('INVALID_CODE');
    expect(wrong.body).not.toContain('K7-Q2');
    expect(
      (await checkIn({ session_id: s.session_id, ...CENTRE, code: 'K7-Q2' }, me.headers)).statusCode,
    ).toBe(201);
  });

  it('422 LOCATION_REQUIRED when the session has a location and the body none', async () => {
    const res = await checkIn({ session_id: (await session()).session_id }, (await student()).headers);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('LOCATION_REQUIRED');
  });

  it('422 LOCATION_TOO_INACCURATE above MAX_LOCATION_ACCURACY, with the figures', async () => {
    const s = await session();
    const res = await checkIn(
      { session_id: s.session_id, ...CENTRE, accuracy: 151 },
      (await student()).headers,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error_code: 'LOCATION_TOO_INACCURATE',
      details: { accuracy_m: 151, max_accuracy_m: 150 },
    });
    expect(
      (await checkIn({ session_id: s.session_id, ...CENTRE, accuracy: 150 }, (await student()).headers))
        .statusCode,
    ).toBe(201);
  });

  it('422 OUTSIDE_GEOFENCE with distance_m and radius_m; the edge of the circle is inside', async () => {
    const s = await session({ location_radius: 100 });
    const res = await checkIn({ session_id: s.session_id, ...north(180) }, (await student()).headers);
    expect(res.statusCode).toBe(422);
    expect(res.json().error_code).toBe('OUTSIDE_GEOFENCE');
    expect(res.json().details.radius_m).toBe(100);
    expect(Math.abs(res.json().details.distance_m - 180)).toBeLessThan(0.5);
    expect(
      (await checkIn({ session_id: s.session_id, ...north(99.5) }, (await student()).headers)).statusCode,
    ).toBe(201);
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
  });

  it('applies the rules in the contract’s order', async () => {
    const outsider = await student();
    const s = await session({
      group_id: await insertGroup(t, w.org.org_id, []),
      start_time: Date.now() + 60 * MIN,
      require_code: 1,
      code: 'X',
    });
    // not expected beats not open
    expect((await checkIn({ session_id: s.session_id }, outsider.headers)).json().error_code).toBe(
      'FORBIDDEN',
    );
    const me = await student();
    const all = await session({
      start_time: Date.now() + 60 * MIN,
      end_time: Date.now() + 120 * MIN,
      require_code: 1,
      code: 'X',
    });
    // not open beats a wrong code and a missing location
    expect((await checkIn({ session_id: all.session_id }, me.headers)).json().error_code).toBe(
      'SESSION_NOT_OPEN',
    );
    const open = await session({ require_code: 1, code: 'X' });
    // a wrong code beats a missing location
    expect((await checkIn({ session_id: open.session_id }, me.headers)).json().error_code).toBe(
      'INVALID_CODE',
    );
    // a missing location beats the rest; a poor accuracy beats being outside
    expect((await checkIn({ session_id: open.session_id, code: 'X' }, me.headers)).json().error_code).toBe(
      'LOCATION_REQUIRED',
    );
    expect(
      (
        await checkIn({ session_id: open.session_id, code: 'X', ...north(5000), accuracy: 900 }, me.headers)
      ).json().error_code,
    ).toBe('LOCATION_TOO_INACCURATE');
  });

  it('409 ALREADY_CHECKED_IN the second time, naming the existing record', async () => {
    const s = await session();
    const me = await student();
    const first = await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers);
    const second = await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      error_code: 'ALREADY_CHECKED_IN',
      details: { record_id: first.json().data.record_id },
    });
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
  });
});

describe('POST /attendance/check-in: input validation and authentication', () => {
  it.each([
    ['latitude over 90', { lat: 91, lon: 0 }, ['lat']],
    ['longitude under -180', { lat: 0, lon: -180.5 }, ['lon']],
    ['latitude as a string', { lat: '40.7', lon: -74 }, ['lat']],
    ['a latitude without longitude', { lat: 40.7 }, ['lon']],
    ['a longitude without latitude', { lon: -74 }, ['lat']],
    ['a negative accuracy', { lat: 40.7, lon: -74, accuracy: -1 }, ['accuracy']],
    [
      'an unknown field',
      { lat: 40.7, lon: -74, user_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' },
      ['user_id'],
    ],
    ['a bad session id', { session_id: 'abc' }, ['session_id']],
    ['no session id', { session_id: undefined }, ['session_id']],
  ])('400 for %s', async (_label, patch, fields) => {
    const s = await session();
    const res = await checkIn({ session_id: s.session_id, ...patch }, (await student()).headers);
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toEqual(fields);
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
  });

  it('400 for NaN-like input (1e999), 401 without a token', async () => {
    const s = await session();
    const raw = `{"session_id":"${s.session_id}","lat":1e999,"lon":-74}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      payload: raw,
      headers: { ...(await student()).headers, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toEqual(['lat']);
    expect((await checkIn({ session_id: s.session_id, ...CENTRE }, {})).statusCode).toBe(401);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer (status and body) and stores one record', async () => {
    const s = await session();
    const me = await student();
    const headers = { ...me.headers, 'idempotency-key': 'checkin-2026:abc.1' };
    const first = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    const retry = await checkIn({ lon: CENTRE.lon, lat: CENTRE.lat, session_id: s.session_id }, headers);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
    const stored = await t.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', me.user_id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ idem_key: 'checkin-2026:abc.1', status_code: 201 });
    expect(stored.request_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not store a refusal (422): the retry runs afresh; the same key with another body after a 201 is 409', async () => {
    const s = await session({ location_radius: 50 });
    const me = await student();
    const headers = { ...me.headers, 'idempotency-key': 'k-outside' };
    const first = await checkIn({ session_id: s.session_id, ...north(500) }, headers);
    expect(first.json().error_code).toBe('OUTSIDE_GEOFENCE');
    const keys = () =>
      t.db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', me.user_id).execute();
    expect(await keys()).toHaveLength(0);
    // Walked into the room: the same key now checks in.
    const inside = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    expect(inside.statusCode).toBe(201);
    expect(inside.headers['idempotent-replayed']).toBeUndefined();
    const other = await checkIn({ session_id: s.session_id, ...north(10) }, headers);
    expect(other.statusCode).toBe(409);
    expect(other.json().error_code).toBe('CONFLICT');
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
  });

  it('issue 17.5: a key used before the session opens (422) checks in once it is open (201)', async () => {
    const s = await session({ start_time: Date.now() + 60 * MIN, end_time: Date.now() + 120 * MIN });
    const me = await student();
    const headers = { ...me.headers, 'idempotency-key': 'early-bird' };
    const early = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    expect(early.statusCode).toBe(422);
    expect(early.json().error_code).toBe('SESSION_NOT_OPEN');
    await t.db
      .updateTable('attendance_sessions')
      .set({ start_time: Date.now() - MIN })
      .where('session_id', '=', s.session_id)
      .execute();
    const open = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    expect(open.statusCode).toBe(201);
    const again = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(open.json());
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
  });

  it('stores a final conflict (409 ALREADY_CHECKED_IN) and replays it', async () => {
    const s = await session();
    const me = await student();
    expect((await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers)).statusCode).toBe(201);
    const headers = { ...me.headers, 'idempotency-key': 'second-try' };
    const dup = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    expect(dup.json().error_code).toBe('ALREADY_CHECKED_IN');
    const replay = await checkIn({ session_id: s.session_id, ...CENTRE }, headers);
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(dup.json());
  });

  it('the stored request hash is an HMAC with SECRET_KEY, not a plain digest of the body', async () => {
    const s = await session();
    const me = await student();
    const body = { session_id: s.session_id, ...CENTRE };
    await checkIn(body, { ...me.headers, 'idempotency-key': 'hash-check' });
    const stored = await t.db
      .selectFrom('idempotency_keys')
      .select('request_hash')
      .where('user_id', '=', me.user_id)
      .executeTakeFirstOrThrow();
    const canonical = canonicalJson(body);
    expect(stored.request_hash).toBe(
      createHmac('sha256', t.config.secretKey).update(canonical).digest('hex'),
    );
    expect(stored.request_hash).not.toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('keys are per user: another user with the same key gets their own answer', async () => {
    const s = await session();
    const [a, b] = await bulkStudents(t, w.org.org_id, 2);
    const key = { 'idempotency-key': 'shared-key' };
    expect(
      (await checkIn({ session_id: s.session_id, ...CENTRE }, { ...a!.headers, ...key })).statusCode,
    ).toBe(201);
    const resB = await checkIn({ session_id: s.session_id, ...CENTRE }, { ...b!.headers, ...key });
    expect(resB.statusCode).toBe(201);
    expect(resB.json().data.user_id).toBe(b!.user_id);
    expect(await recordsOf(t, s.session_id)).toHaveLength(2);
  });

  it.each([['has space'], ['x'.repeat(129)], ['semi;colon'], ['']])('400 for the key %j', async (key) => {
    const s = await session();
    const res = await checkIn(
      { session_id: s.session_id, ...CENTRE },
      { ...(await student()).headers, 'idempotency-key': key },
    );
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toEqual(['idempotency-key']);
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
  });
});

describe('POST /check-in (legacy)', () => {
  it('checks the caller in like /attendance/check-in, authenticated', async () => {
    const s = await session();
    const me = await student();
    const res = await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers, '/check-in');
    expect(res.statusCode).toBe(201);
    expect(res.json().data.user_id).toBe(me.user_id);
    expect(
      (await checkIn({ session_id: s.session_id, ...CENTRE }, me.headers, '/check-in')).json().error_code,
    ).toBe('ALREADY_CHECKED_IN');
    expect((await checkIn({ session_id: s.session_id, ...CENTRE }, {}, '/check-in')).statusCode).toBe(401);
  });

  it('a student naming someone else gets 403; naming themselves is a normal check-in', async () => {
    const s = await session();
    const [me, other] = await bulkStudents(t, w.org.org_id, 2);
    const res = await checkIn(
      { session_id: s.session_id, ...CENTRE, user_id: other!.user_id },
      me!.headers,
      '/check-in',
    );
    expect(res.statusCode).toBe(403);
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
    const self = await checkIn(
      { session_id: s.session_id, ...CENTRE, user_id: me!.user_id },
      me!.headers,
      '/check-in',
    );
    expect(self.statusCode).toBe(201);
  });

  it('a teacher naming a student force-checks them in (marked_by), then updates on a second call', async () => {
    const s = await session({ start_time: Date.now() - 300 * MIN, end_time: Date.now() - 200 * MIN });
    const target = await student();
    const res = await checkIn(
      { session_id: s.session_id, user_id: target.user_id },
      w.auth.teacher,
      '/check-in',
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({
      user_id: target.user_id,
      status: 'present',
      marked_by: w.users.teacher.user_id,
    });
    const again = await checkIn(
      { session_id: s.session_id, user_id: target.user_id, status: 'excused' },
      w.auth.teacher,
      '/check-in',
    );
    expect(again.statusCode).toBe(200);
    expect((await recordsOf(t, s.session_id)).map((r) => r.status)).toEqual(['excused']);
  });
});
