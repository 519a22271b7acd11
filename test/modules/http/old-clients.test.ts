/**
 * Issue 16: clients written for the original service work unchanged. Each request carries the
 * headers a browser or an HTTP-client wrapper sends (Origin, Content-Type: application/json on every
 * request, a cache-buster in the query string).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';

const ORIGIN = 'http://frontend.example.test:8080';
let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;

beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: `${ORIGIN},http://other.example.test` });
  w = await t.world();
});
afterAll(async () => t.close());

/** What a wrapper such as axios or a hand-written fetch helper sends on every request. */
const wrapper = (auth: Record<string, string> = {}) => ({
  ...auth,
  origin: ORIGIN,
  'content-type': 'application/json',
  accept: 'application/json',
});

describe('validation reports every wrong field at once, the password policy included (16.3)', () => {
  it('register with a blank name, a bad email and a weak password lists all three', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: wrapper(),
      payload: { name: '', email: 'bad', password: 'x', org_id: w.org.org_id },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields.sort()).toEqual(['email', 'name', 'password']);
    expect(res.json().errors.find((e: { field: string }) => e.field === 'password').message).toMatch(
      /at least 8/,
    );
  });

  it('an admin creating a user gets the password policy beside the other fields', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: wrapper(w.auth.admin),
      payload: { name: 'Ok Name', email: 'nope', password: 'aaaaaaaaaaaa', role: 'student' },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'password']);
  });

  it('change-password reports a weak new password in the first answer', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/change-password',
      headers: wrapper(w.auth.teacher),
      payload: { old_password: PASSWORD, new_password: 'short' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'new_password', message: expect.stringMatching(/at least/) },
    ]);
  });
});

const json = (res: { body: string }) => JSON.parse(res.body);

/** The sorted, distinct fields a 400 names. */
const fieldsOf = (res: { statusCode: number; body: string }) => {
  expect(res.statusCode, res.body).toBe(400);
  return [...new Set(json(res).errors.map((e: { field: string }) => e.field))].sort();
};

describe('rules checked beyond the schema are named in the same 400 as the schema errors (16.3)', () => {
  const times = { start_time: '2026-12-01T10:00:00Z', end_time: '2026-12-01T09:00:00Z' };
  const send = (method: 'POST' | 'PUT', url: string, payload: object, auth = w.auth.teacher) =>
    t.app.inject({ method, url, headers: wrapper(auth), payload });
  let sessionId: string;
  beforeAll(async () => {
    const res = await send('POST', '/admin/sessions', {
      session_name: 'Rules',
      start_time: '2026-12-01T09:00:00Z',
      end_time: '2026-12-01T10:00:00Z',
    });
    sessionId = json(res).data.session_id;
  });

  it('session: end before start, an unknown zone and a bad radius, on POST and PUT', async () => {
    const body = { ...times, timezone: 'Mars/Base', location_radius: 0 };
    const expected = ['end_time', 'location_radius', 'timezone'];
    expect(fieldsOf(await send('POST', '/admin/sessions', { session_name: 'X', ...body }))).toEqual(expected);
    expect(fieldsOf(await send('PUT', `/admin/sessions/${sessionId}`, body))).toEqual(expected);
  });

  it('session: a latitude without a longitude beside a bad radius alias, on POST and PUT', async () => {
    const body = { location_lat: 10, location_lon: null, radius: 0 };
    expect(fieldsOf(await send('POST', '/admin/sessions', { session_name: 'X', ...times, ...body }))).toEqual(
      ['end_time', 'location_lon', 'radius'],
    );
    // The stored session has no circle: location_lon is missing whatever the body leaves out.
    expect(
      fieldsOf(
        await send('POST', '/admin/sessions', { session_name: 'X', ...times, location_lat: 10, radius: 0 }),
      ),
    ).toEqual(['end_time', 'location_lon', 'radius']);
    expect(fieldsOf(await send('PUT', `/admin/sessions/${sessionId}`, body))).toEqual([
      'location_lon',
      'radius',
    ]);
  });

  it('session: an alias that differs from its field beside a schema error, on POST and PUT', async () => {
    const body = { latitude: 10, location_lat: 11, location_lon: 5, location_radius: 0 };
    expect(
      fieldsOf(
        await send('POST', '/admin/sessions', {
          session_name: 'X',
          ...times,
          ...body,
          end_time: '2026-12-01T11:00:00Z',
        }),
      ),
    ).toEqual(['latitude', 'location_radius']);
    expect(fieldsOf(await send('PUT', `/admin/sessions/${sessionId}`, body))).toEqual([
      'latitude',
      'location_radius',
    ]);
  });

  it('session PUT with conflicting aliases alone → 400 naming the alias, nothing stored', async () => {
    const res = await send('PUT', `/admin/sessions/${sessionId}`, {
      longitude: 3,
      location_lon: 4,
      latitude: 1,
    });
    expect(fieldsOf(res)).toEqual(['longitude']);
    const row = await t.db
      .selectFrom('attendance_sessions')
      .select(['location_lat', 'location_lon'])
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ location_lat: null, location_lon: null });
  });

  it('organization: a blank name and an unknown zone, on POST and PUT', async () => {
    const sa = await t.factory.user('super_admin', null);
    const auth = (await t.login(sa)).headers;
    const body = { name: '', timezone: 'Mars/Base' };
    expect(fieldsOf(await send('POST', '/admin/organizations', body, auth))).toEqual(['name', 'timezone']);
    expect(fieldsOf(await send('PUT', `/admin/organizations/${w.org.org_id}`, body, w.auth.admin))).toEqual([
      'name',
      'timezone',
    ]);
    const row = await t.db
      .selectFrom('organizations')
      .select('timezone')
      .where('org_id', '=', w.org.org_id)
      .executeTakeFirstOrThrow();
    expect(row.timezone).toBe(w.org.timezone);
  });

  it('series: latitude and location_lat that differ → 400 naming latitude, on POST and PUT', async () => {
    const schedule = {
      session_name: 'Series',
      weekdays: [1],
      start_date: '2027-01-04',
      end_date: '2027-01-25',
      start_local: '09:00',
      end_local: '10:00',
    };
    const conflict = { latitude: 10, location_lat: 11, location_lon: 5 };
    const before = await t.db.selectFrom('session_series').select('series_id').execute();
    expect(fieldsOf(await send('POST', '/admin/session-series', { ...schedule, ...conflict }))).toEqual([
      'latitude',
    ]);
    // Beside a schema error, in the same answer.
    expect(
      fieldsOf(await send('POST', '/admin/session-series', { ...schedule, ...conflict, radius: 0 })),
    ).toEqual(['latitude', 'radius']);
    expect(await t.db.selectFrom('session_series').select('series_id').execute()).toEqual(before);
    const created = await send('POST', '/admin/session-series', schedule);
    expect(created.statusCode, created.body).toBe(201);
    const id = json(created).data.series_id;
    expect(fieldsOf(await send('PUT', `/admin/session-series/${id}`, conflict))).toEqual(['latitude']);
    expect(fieldsOf(await send('PUT', `/admin/session-series/${id}`, { ...conflict, radius: 0 }))).toEqual([
      'latitude',
      'radius',
    ]);
    const stored = await t.db
      .selectFrom('session_series')
      .select('settings')
      .where('series_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.settings)).toEqual({});
  });
});

describe('a rule error names the field as the client sent it: the alias when the value came from one', () => {
  const times = { start_time: '2026-12-01T09:00:00Z', end_time: '2026-12-01T10:00:00Z' };
  const post = (payload: object) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: wrapper(w.auth.teacher),
      payload: { session_name: 'A', ...times, ...payload },
    });
  it.each<[object, { field: string; message: string }[]]>([
    [{ radius: 50 }, [{ field: 'radius', message: 'needs latitude and longitude' }]],
    [{ location_radius: 50 }, [{ field: 'location_radius', message: 'needs location_lat and location_lon' }]],
    [{ latitude: 10 }, [{ field: 'longitude', message: 'is required together with latitude' }]],
    [
      { longitude: 10, latitude: null },
      [{ field: 'latitude', message: 'is required together with longitude' }],
    ],
    [{ location_lat: 10 }, [{ field: 'location_lon', message: 'is required together with location_lat' }]],
  ])('%j', async (payload, errors) => {
    const res = await post(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(json(res).errors).toEqual(errors);
  });
});

describe('a field the schema refuses is not judged again by the session rules: each field named once', () => {
  const times = { start_time: '2026-12-01T09:00:00Z', end_time: '2026-12-01T10:00:00Z' };
  const post = (url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: wrapper(w.auth.teacher), payload });
  const namedOnce = (res: { statusCode: number; body: string }, expected: string[]) => {
    expect(res.statusCode, res.body).toBe(400);
    const fields = json(res).errors.map((e: { field: string }) => e.field);
    expect(fields.toSorted(), res.body).toEqual(expected);
  };
  const schedule = {
    weekdays: [1],
    start_date: '2027-01-04',
    end_date: '2027-01-25',
    start_local: '09:00',
    end_local: '10:00',
  };
  // Refused by the schema and, before, by the rules too: no visible character, an unknown member of
  // a polygon whose ring is also too short, an offset time outside the calendar.
  const badName = { session_name: ' \t ' };
  const badGeofence = {
    geofence: {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 1],
          [0, 0],
        ],
      ],
      crs: 'x',
    },
  };

  it('session: a whitespace name, an invalid geofence object, an offset time out of range', async () => {
    namedOnce(await post('/admin/sessions', { ...times, ...badName }), ['session_name']);
    const fence = await post('/admin/sessions', { session_name: 'F', ...times, ...badGeofence });
    expect(
      json(fence).errors.filter((e: { field: string }) => e.field === 'geofence'),
      fence.body,
    ).toHaveLength(1);
    const early = { session_name: 'T', start_time: '1900-01-01T09:00:00Z', end_time: times.end_time };
    namedOnce(await post('/admin/sessions', early), ['start_time']);
  });

  it('series: a whitespace name, an invalid geofence object', async () => {
    namedOnce(await post('/admin/session-series', { ...schedule, ...badName }), ['session_name']);
    const fence = await post('/admin/session-series', { session_name: 'S', ...schedule, ...badGeofence });
    expect(
      json(fence).errors.filter((e: { field: string }) => e.field === 'geofence'),
      fence.body,
    ).toHaveLength(1);
  });
});

describe('a body-less request with Content-Type: application/json and an empty body (16.1)', () => {
  it('logout answers 200 and the old token answers 401 afterwards', async () => {
    const me = await t.login(w.users.student);
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: wrapper(me.headers),
      payload: '',
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/auth/verify', headers: wrapper(me.headers) });
    expect(after.statusCode).toBe(401);
    const session = await t.db
      .selectFrom('user_sessions')
      .select(['is_active', 'revoked_at'])
      .where('session_id', '=', me.sessionId)
      .executeTakeFirstOrThrow();
    expect(Number(session.is_active)).toBe(0);
  });

  it('closing a session and deleting a user work the same way', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: wrapper(w.auth.teacher),
      payload: {
        session_name: 'Close me',
        start_time: '2026-01-01T09:00:00Z',
        end_time: '2026-01-01T10:00:00Z',
      },
    });
    const id = json(created).data.session_id;
    const close = await t.app.inject({
      method: 'POST',
      url: `/admin/sessions/${id}/close`,
      headers: wrapper(w.auth.teacher),
      payload: '',
    });
    expect(close.statusCode, close.body).toBe(200);
    const closed = await t.db
      .selectFrom('attendance_sessions')
      .select('closed_at')
      .where('session_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(closed.closed_at).not.toBeNull();
    const victim = await t.factory.user('student', w.org.org_id);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/admin/users/${victim.user_id}`,
      headers: wrapper(w.auth.admin),
      payload: '',
    });
    expect(del.statusCode, del.body).toBe(200);
    const row = await t.db
      .selectFrom('users')
      .select('is_active')
      .where('user_id', '=', victim.user_id)
      .executeTakeFirstOrThrow();
    expect(Number(row.is_active)).toBe(0);
  });

  it('a route that needs a body still refuses an empty one with a validation error, and malformed JSON stays 400', async () => {
    const empty = await t.app.inject({ method: 'POST', url: '/auth/login', headers: wrapper(), payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(json(empty).error_code).toBe('VALIDATION_ERROR');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: wrapper(),
      payload: '{"email":',
    });
    expect(bad.statusCode).toBe(400);
    const proto = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: wrapper(),
      payload: '{"__proto__":{"x":1},"email":"a@b.c","password":"x"}',
    });
    expect(proto.statusCode).toBe(400);
  });
});

describe('CORS for a frontend on another origin (16.2, API.md "Web app")', () => {
  it.each(['PUT', 'DELETE', 'PATCH', 'POST'])(
    'preflight of %s allows every method and header the API reads, never credentials',
    async (method) => {
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/admin/users/00000000-0000-7000-8000-000000000000',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,content-type,idempotency-key,x-auth-cookie',
        },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      const methods = String(res.headers['access-control-allow-methods']).split(/,\s*/);
      expect(methods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']));
      const headers = String(res.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
      expect(headers).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'x-auth-cookie']),
      );
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  it('actual responses expose Retry-After, Content-Disposition and X-Request-Id, without credentials', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/auth/verify', headers: wrapper(w.auth.teacher) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/)).toEqual(
      expect.arrayContaining(['retry-after', 'content-disposition', 'x-request-id']),
    );
  });

  it('an origin that is not configured gets no CORS headers', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/auth/logout',
      headers: { origin: 'http://evil.example.test', 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('session bodies accept latitude, longitude, radius (16.4)', () => {
  const base = {
    session_name: 'Alias',
    start_time: '2026-12-01T09:00:00Z',
    end_time: '2026-12-01T10:00:00Z',
  };
  it('stores the aliases as location_lat/location_lon/location_radius', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: wrapper(w.auth.teacher),
      payload: { ...base, latitude: 40.7128, longitude: -74.006, radius: 75 },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res).data).toMatchObject({
      location_lat: 40.7128,
      location_lon: -74.006,
      location_radius: 75,
    });
    const row = await t.db
      .selectFrom('attendance_sessions')
      .select(['location_lat', 'location_lon', 'location_radius'])
      .where('session_id', '=', json(res).data.session_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ location_lat: 40.7128, location_lon: -74.006, location_radius: 75 });
    // The same value under both names is fine; an update may use the alias too.
    const same = await t.app.inject({
      method: 'PUT',
      url: `/admin/sessions/${json(res).data.session_id}`,
      headers: wrapper(w.auth.teacher),
      payload: { radius: 120, location_radius: 120 },
    });
    expect(same.statusCode, same.body).toBe(200);
    expect(json(same).data.location_radius).toBe(120);
  });

  it('both spellings with different values → 400 naming each alias; out-of-range aliases → 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: wrapper(w.auth.teacher),
      payload: {
        ...base,
        latitude: 40,
        location_lat: 41,
        longitude: -74,
        location_lon: -74,
        radius: 50,
        location_radius: 60,
      },
    });
    expect(res.statusCode).toBe(400);
    expect(
      json(res)
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['latitude', 'radius']);
    const range = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: wrapper(w.auth.teacher),
      payload: { ...base, latitude: 91, longitude: 0 },
    });
    expect(range.statusCode).toBe(400);
    expect(json(range).errors[0].field).toBe('latitude');
  });
});

describe('login, records, pagination, query strings and the dashboard (16.5–16.9)', () => {
  it('login data also carries token and access_token, copies of jwt_token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: wrapper(),
      payload: { email: w.users.teacher.email, password: PASSWORD },
    });
    const d = json(res).data;
    expect(d.token).toBe(d.jwt_token);
    expect(d.access_token).toBe(d.jwt_token);
    const verify = await t.app.inject({
      method: 'GET',
      url: '/auth/verify',
      headers: wrapper({ authorization: `Bearer ${d.access_token}` }),
    });
    expect(verify.statusCode).toBe(200);
  });

  it('check-in and check-out records carry location {lat, lon}; null without coordinates', async () => {
    const now = Date.now();
    const s = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: wrapper(w.auth.teacher),
      payload: {
        session_name: 'Located',
        start_time: new Date(now - 60_000).toISOString(),
        end_time: new Date(now + 3_600_000).toISOString(),
        latitude: 40.7128,
        longitude: -74.006,
        radius: 200,
      },
    });
    const sessionId = json(s).data.session_id;
    const student = await t.factory.user('student', w.org.org_id);
    const auth = (await t.login(student)).headers;
    const checkIn = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: wrapper(auth),
      payload: { session_id: sessionId, lat: 40.7129, lon: -74.006, accuracy: 5 },
    });
    expect(checkIn.statusCode, checkIn.body).toBe(201);
    expect(json(checkIn).data.location).toEqual({ lat: 40.7129, lon: -74.006 });
    const out = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-out',
      headers: wrapper(auth),
      payload: { record_id: json(checkIn).data.record_id },
    });
    expect(out.statusCode, out.body).toBe(200);
    expect(json(out).data.location).toEqual({ lat: 40.7129, lon: -74.006 });
    // A force check-in stores no coordinates: location is null.
    const other = await t.factory.user('student', w.org.org_id);
    const forced = await t.app.inject({
      method: 'POST',
      url: '/attendance/force-check-in',
      headers: wrapper(w.auth.teacher),
      payload: { session_id: sessionId, user_id: other.user_id },
    });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(json(forced).data.location).toBeNull();
  });

  it('limit is an alias of per_page (clamped to 100); pagination carries total_pages, has_next, has_prev', async () => {
    for (let i = 0; i < 3; i++) await t.factory.user('student', w.org.org_id);
    const total = Number(
      (
        await t.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('org_id', '=', w.org.org_id)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const page2 = await t.app.inject({
      method: 'GET',
      url: '/admin/users?limit=2&page=2&_=1700000000',
      headers: wrapper(w.auth.admin),
    });
    expect(page2.statusCode, page2.body).toBe(200);
    const pages = Math.ceil(total / 2);
    expect(json(page2).pagination).toEqual({
      page: 2,
      per_page: 2,
      total,
      pages,
      total_pages: pages,
      has_next: pages > 2,
      has_prev: true,
    });
    expect(json(page2).data).toHaveLength(2);
    const big = await t.app.inject({
      method: 'GET',
      url: '/admin/users?limit=500',
      headers: wrapper(w.auth.admin),
    });
    expect(big.statusCode).toBe(200);
    expect(json(big).pagination.per_page).toBe(100);
    // per_page stays strict, and wins over limit.
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/admin/users?per_page=500',
          headers: wrapper(w.auth.admin),
        })
      ).statusCode,
    ).toBe(400);
    const both = await t.app.inject({
      method: 'GET',
      url: '/admin/users?per_page=3&limit=1',
      headers: wrapper(w.auth.admin),
    });
    expect(json(both).pagination.per_page).toBe(3);
  });

  it('unknown query parameters are ignored; unknown body fields still answer 400', async () => {
    const q = await t.app.inject({
      method: 'GET',
      url: '/attendance/my-history?_=1700000000&foo=bar',
      headers: wrapper(w.auth.student),
    });
    expect(q.statusCode, q.body).toBe(200);
    const body = await t.app.inject({
      method: 'PUT',
      url: '/auth/profile',
      headers: wrapper(w.auth.student),
      payload: { name: 'New Name', nickname: 'x' },
    });
    expect(body.statusCode).toBe(400);
    expect(json(body).errors).toEqual([{ field: 'nickname', message: 'is not an allowed field' }]);
  });

  it('a teacher reads the dashboard of their own organization only', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/admin/dashboard/stats',
      headers: wrapper(w.auth.teacher),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).data.org_id).toBe(w.org.org_id);
    const other = await t.factory.org();
    const cross = await t.app.inject({
      method: 'GET',
      url: `/admin/dashboard/stats?org_id=${other.org_id}`,
      headers: wrapper(w.auth.teacher),
    });
    expect(cross.statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/dashboard/stats', headers: wrapper(w.auth.student) }))
        .statusCode,
    ).toBe(403);
  });

  it('the OpenAPI document shows the aliases, deprecated', async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    const body = doc.paths['/admin/sessions'].post.requestBody.content['application/json'].schema;
    for (const alias of ['latitude', 'longitude', 'radius'])
      expect(body.properties[alias].deprecated, alias).toBe(true);
    const params = doc.paths['/admin/users'].get.parameters as {
      name: string;
      deprecated?: boolean;
      schema?: { deprecated?: boolean };
    }[];
    const limit = params.find((p) => p.name === 'limit');
    expect(limit?.deprecated ?? limit?.schema?.deprecated).toBe(true);
    const login = doc.paths['/auth/login'].post.responses['200'].content['application/json'].schema;
    expect(login.properties.data.properties.token.deprecated).toBe(true);
  });
});

describe('every GET of the OpenAPI document takes limit and a cache-buster (16.6, 16.7)', () => {
  type Operation = { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> };
  const RANDOM_ID = '0190a5f4-7c1e-7a3b-9c2d-4e5f6a7b8c9d';
  let routes: { path: string; op: Operation }[];
  let ids: Record<string, string>;

  beforeAll(async () => {
    const doc = json(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    routes = Object.entries<{ get?: Operation }>(doc.paths)
      .filter(([, ops]) => ops.get)
      .map(([path, ops]) => ({ path, op: ops.get! }));
    const now = Date.now();
    const session = json(
      await t.app.inject({
        method: 'POST',
        url: '/admin/sessions',
        headers: wrapper(w.auth.teacher),
        payload: {
          session_name: 'Listed',
          start_time: new Date(now - 60_000).toISOString(),
          end_time: new Date(now + 3_600_000).toISOString(),
        },
      }),
    ).data;
    const record = json(
      await t.app.inject({
        method: 'POST',
        url: '/attendance/force-check-in',
        headers: wrapper(w.auth.teacher),
        payload: { session_id: session.session_id, user_id: w.users.student.user_id },
      }),
    ).data;
    const webhook = await t.factory.webhook(w.org.org_id, ['attendance.created']);
    ids = {
      org_id: w.org.org_id,
      session_id: session.session_id,
      user_id: w.users.student.user_id,
      record_id: record.record_id,
      webhook_id: webhook.webhook_id,
    };
  });

  /** Path parameters filled with ids of the seeded org; `{id}` is a user under /user/, else a session. */
  const urlOf = (path: string, real: boolean) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!real) return RANDOM_ID;
      const key = name === 'id' ? (path.includes('/user/') ? 'user_id' : 'session_id') : name;
      return ids[key] ?? RANDOM_ID;
    });
  const isPaginated = (op: Operation) =>
    (op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'limit');
  const isStream = (op: Operation) => JSON.stringify(op.responses).includes('text/event-stream');
  const get = (url: string, auth: Record<string, string>) =>
    t.app.inject({ method: 'GET', url, headers: wrapper(auth) });

  it('every paginated list clamps limit=500 to 100 and carries total_pages, has_next, has_prev', async () => {
    const lists = routes.filter((r) => isPaginated(r.op));
    expect(lists.length).toBeGreaterThan(10);
    for (const { path } of lists) {
      // The first role that may read the list (my-history is a student's, the rest staff's).
      let res = await get(`${urlOf(path, true)}?limit=500&_=1`, w.auth.admin);
      for (const role of ['teacher', 'student'] as const)
        if (res.statusCode !== 200) res = await get(`${urlOf(path, true)}?limit=500&_=1`, w.auth[role]);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      // Most lists carry pagination beside data; a report carries it inside data.
      const body = json(res);
      const p = body.pagination ?? body.data?.pagination;
      expect(p, `${path}: ${res.body.slice(0, 300)}`).toBeDefined();
      expect(p, path).toMatchObject({
        per_page: 100,
        total_pages: p.pages,
        has_next: p.page < p.pages,
        has_prev: p.page > 1,
      });
    }
  });

  it('adding ?_=1700000000&foo=bar to any GET leaves its status unchanged', async () => {
    const plain = routes.filter((r) => !isStream(r.op));
    expect(plain.length).toBeGreaterThan(30);
    for (const { path } of plain)
      for (const real of [true, false]) {
        const url = urlOf(path, real);
        const before = await get(url, w.auth.admin);
        const after = await get(`${url}?_=1700000000&foo=bar`, w.auth.admin);
        expect(after.statusCode, `${url}: ${after.body.slice(0, 200)}`).toBe(before.statusCode);
      }
  });
});
