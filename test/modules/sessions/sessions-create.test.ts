import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { fieldsOf, insertGroup } from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
});
afterAll(async () => t.close());

const SEED_BODY = {
  session_name: 'Computer Science 101',
  description: 'Introduction to Programming',
  start_time: '2025-07-05T09:00:00',
  end_time: '2025-07-05T11:00:00',
  location_lat: 40.7128,
  location_lon: -74.006,
  location_radius: 50,
};

const create = (payload: unknown, headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/admin/sessions', payload: payload as object, headers });
const row = (id: string) =>
  t.db.selectFrom('attendance_sessions').selectAll().where('session_id', '=', id).executeTakeFirstOrThrow();

describe('POST /admin/sessions', () => {
  it('accepts the seed example body as is and stores UTC instants', async () => {
    const res = await create(SEED_BODY, w.auth.admin);
    expect(res.statusCode).toBe(201);
    const d = res.json().data;
    expect(d).toMatchObject({
      org_id: w.org.org_id,
      session_name: 'Computer Science 101',
      description: 'Introduction to Programming',
      start_time: '2025-07-05T09:00:00.000Z',
      end_time: '2025-07-05T11:00:00.000Z',
      timezone: 'UTC',
      group_id: null,
      location_lat: 40.7128,
      location_lon: -74.006,
      location_radius: 50,
      geofence: null,
      late_after_minutes: null,
      checkin_opens_minutes: 15,
      require_code: false,
      code: null,
      created_by: w.users.admin.user_id,
      closed_at: null,
      is_active: true,
    });
    const r = await row(d.session_id);
    expect(r.start_time).toBe(Date.UTC(2025, 6, 5, 9));
    expect(r.end_time).toBe(Date.UTC(2025, 6, 5, 11));
    expect(r.created_by).toBe(w.users.admin.user_id);
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', d.session_id)
      .executeTakeFirstOrThrow();
    expect(audit.action).toBe('session.created');
  });

  it('lets a teacher create; refuses a student (403) and an anonymous caller (401)', async () => {
    const res = await create(SEED_BODY, w.auth.teacher);
    expect(res.statusCode).toBe(201);
    expect(res.json().data.created_by).toBe(w.users.teacher.user_id);
    expect((await create(SEED_BODY, w.auth.student)).statusCode).toBe(403);
    expect((await create(SEED_BODY, {})).statusCode).toBe(401);
  });

  it('a super_admin names the organization; without org_id it is a 400, an unknown org a 404', async () => {
    const sup = (await t.login(await t.factory.user('super_admin', null))).headers;
    const ok = await create({ ...SEED_BODY, org_id: w.org.org_id }, sup);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().data.org_id).toBe(w.org.org_id);
    const missing = await create(SEED_BODY, sup);
    expect(missing.statusCode).toBe(400);
    expect(fieldsOf(missing.json())).toEqual(['org_id']);
    expect(
      (await create({ ...SEED_BODY, org_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' }, sup)).statusCode,
    ).toBe(404);
  });

  it('an admin naming another organization gets 404 and nothing is created', async () => {
    const other = await t.factory.org();
    const res = await create({ ...SEED_BODY, session_name: 'cross-org', org_id: other.org_id }, w.auth.admin);
    expect(res.statusCode).toBe(404);
    const n = await t.db
      .selectFrom('attendance_sessions')
      .select('session_id')
      .where('session_name', '=', 'cross-org')
      .execute();
    expect(n).toHaveLength(0);
  });

  it('reads times with Z or an offset exactly, whatever the zone', async () => {
    const ny = await t.factory.org({ timezone: 'America/New_York' });
    const admin = (await t.login(await t.factory.user('admin', ny.org_id))).headers;
    const res = await create(
      { ...SEED_BODY, start_time: '2026-03-09T09:00:00Z', end_time: '2026-03-09T12:00:00+02:00' },
      admin,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().data.start_time).toBe('2026-03-09T09:00:00.000Z');
    expect(res.json().data.end_time).toBe('2026-03-09T10:00:00.000Z');
    expect(res.json().data.timezone).toBe('America/New_York');
  });

  it('honours a timezone field for naive times and stores it; an unknown zone is a 400', async () => {
    const res = await create({ ...SEED_BODY, timezone: 'Europe/Paris' }, w.auth.admin);
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({
      timezone: 'Europe/Paris',
      start_time: '2025-07-05T07:00:00.000Z', // CEST = UTC+2
    });
    expect((await row(res.json().data.session_id)).timezone).toBe('Europe/Paris');
    const bad = await create({ ...SEED_BODY, timezone: 'Mars/Olympus' }, w.auth.admin);
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad.json())).toEqual(['timezone']);
  });

  it('defaults the radius to the org setting, else DEFAULT_GEOFENCE_RADIUS; no location means no radius', async () => {
    const { location_radius: _r, ...noRadius } = SEED_BODY;
    const a = await create(noRadius, w.auth.admin);
    expect(a.json().data.location_radius).toBe(t.config.defaultGeofenceRadius);
    const org = await t.factory.org({ default_geofence_radius: 250 });
    const admin = (await t.login(await t.factory.user('admin', org.org_id))).headers;
    const b = await create(noRadius, admin);
    expect(b.json().data.location_radius).toBe(250);
    const { location_lat: _a, location_lon: _b, ...online } = noRadius;
    const c = await create(online, w.auth.admin);
    expect(c.statusCode).toBe(201);
    expect(c.json().data).toMatchObject({ location_lat: null, location_lon: null, location_radius: null });
  });

  it('accepts a session in the past', async () => {
    const res = await create(
      { ...SEED_BODY, start_time: '2001-01-01T09:00:00', end_time: '2001-01-01T10:00:00' },
      w.auth.teacher,
    );
    expect(res.statusCode).toBe(201);
  });

  it('stores a group of the org; another org’s group or an unknown one is a 404', async () => {
    const groupId = await insertGroup(t, w.org.org_id, []);
    const ok = await create({ ...SEED_BODY, group_id: groupId }, w.auth.teacher);
    expect(ok.statusCode).toBe(201);
    expect((await row(ok.json().data.session_id)).group_id).toBe(groupId);
    const other = await t.factory.org();
    const foreign = await insertGroup(t, other.org_id, []);
    expect((await create({ ...SEED_BODY, group_id: foreign }, w.auth.teacher)).statusCode).toBe(404);
    expect(
      (await create({ ...SEED_BODY, group_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' }, w.auth.teacher))
        .statusCode,
    ).toBe(404);
  });

  it('stores a GeoJSON polygon fence and returns it as an object', async () => {
    const geofence = {
      type: 'Polygon',
      coordinates: [
        [
          [-74.01, 40.71],
          [-74.0, 40.71],
          [-74.0, 40.72],
          [-74.01, 40.72],
          [-74.01, 40.71],
        ],
      ],
    };
    const res = await create({ ...SEED_BODY, geofence }, w.auth.admin);
    expect(res.statusCode).toBe(201);
    expect(res.json().data.geofence).toEqual(geofence);
    expect(JSON.parse((await row(res.json().data.session_id)).geofence!)).toEqual(geofence);
  });

  it.each([
    [
      'an open ring',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      },
    ],
    [
      'a position out of range',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [200, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    ],
    [
      'too few positions',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    ],
    ['another GeoJSON type', { type: 'Point', coordinates: [0, 0] }],
    [
      'an unknown member (17.9)',
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
        crs: { type: 'name', properties: { name: 'EPSG:3857' } },
      },
    ],
    [
      'a ring wider than 180° of longitude (17.9)',
      {
        type: 'Polygon',
        coordinates: [
          [
            [-100, 0],
            [0, 1],
            [100, 0],
            [0, -1],
            [-100, 0],
          ],
        ],
      },
    ],
    ['a string', 'POLYGON((0 0, 1 0, 1 1, 0 0))'],
  ])('refuses a geofence with %s (400 on geofence)', async (_label, geofence) => {
    const res = await create({ ...SEED_BODY, geofence }, w.auth.admin);
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json()).every((f) => f.startsWith('geofence'))).toBe(true);
    expect(fieldsOf(res.json()).length).toBeGreaterThan(0);
  });

  it('stores late_after_minutes and checkin_opens_minutes; null means the org default', async () => {
    const res = await create(
      { ...SEED_BODY, late_after_minutes: 5, checkin_opens_minutes: 30 },
      w.auth.admin,
    );
    expect(res.json().data).toMatchObject({ late_after_minutes: 5, checkin_opens_minutes: 30 });
    const n = await create({ ...SEED_BODY, late_after_minutes: null }, w.auth.admin);
    expect(n.json().data.late_after_minutes).toBeNull();
  });

  it('keeps a given code, generates one when required without one, and turns require_code on with a code', async () => {
    const given = await create({ ...SEED_BODY, require_code: true, code: 'BLUE-42' }, w.auth.teacher);
    expect(given.json().data).toMatchObject({ require_code: true, code: 'BLUE-42' });
    const generated = await create({ ...SEED_BODY, require_code: true }, w.auth.teacher);
    expect(generated.json().data.code).toMatch(/^\d{6}$/);
    expect((await row(generated.json().data.session_id)).code).toBe(generated.json().data.code);
    const implied = await create({ ...SEED_BODY, code: '1234' }, w.auth.teacher);
    expect(implied.json().data).toMatchObject({ require_code: true, code: '1234' });
  });
});

describe('POST /admin/sessions validation (400 with the fields)', () => {
  it.each([
    ['end before start', { end_time: '2025-07-05T08:00:00' }, ['end_time']],
    ['end equal to start', { end_time: '2025-07-05T09:00:00' }, ['end_time']],
    ['latitude over 90', { location_lat: 90.5 }, ['location_lat']],
    ['latitude under -90', { location_lat: -91 }, ['location_lat']],
    ['longitude over 180', { location_lon: 180.1 }, ['location_lon']],
    ['longitude under -180', { location_lon: -181 }, ['location_lon']],
    ['latitude as a string', { location_lat: '40.7128' }, ['location_lat']],
    ['a latitude without longitude', { location_lon: undefined }, ['location_lon']],
    ['a longitude without latitude', { location_lat: null }, ['location_lat']],
    ['radius 0', { location_radius: 0 }, ['location_radius']],
    ['radius over 50 km', { location_radius: 50_001 }, ['location_radius']],
    ['radius not an integer', { location_radius: 12.5 }, ['location_radius']],
    ['late_after_minutes over a day', { late_after_minutes: 1441 }, ['late_after_minutes']],
    ['negative checkin_opens_minutes', { checkin_opens_minutes: -1 }, ['checkin_opens_minutes']],
    ['a malformed start', { start_time: 'next tuesday' }, ['start_time']],
    ['an impossible date', { start_time: '2025-02-30T09:00:00' }, ['start_time']],
    ['an empty name', { session_name: '' }, ['session_name']],
    ['a blank name', { session_name: '   ' }, ['session_name']],
    ['an unknown field', { colour: 'red' }, ['colour']],
    ['a missing name', { session_name: undefined }, ['session_name']],
  ])('%s', async (_label, patch, fields) => {
    const res = await create({ ...SEED_BODY, ...patch }, w.auth.admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('VALIDATION_ERROR');
    expect([...new Set(fieldsOf(res.json()))]).toEqual(fields);
  });

  it('lists every bad field in one answer', async () => {
    const res = await create(
      { ...SEED_BODY, location_lat: 100, location_lon: 'x', location_radius: -5 },
      w.auth.admin,
    );
    expect(res.statusCode).toBe(400);
    expect(new Set(fieldsOf(res.json()))).toEqual(
      new Set(['location_lat', 'location_lon', 'location_radius']),
    );
  });

  it('refuses non-finite numbers (1e999) without echoing Infinity', async () => {
    const raw = JSON.stringify(SEED_BODY).replace('40.7128', '1e999');
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      payload: raw,
      headers: { ...w.auth.admin, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toContain('location_lat');
    expect(res.body).not.toContain('Infinity');
  });

  it('a radius without a location is refused', async () => {
    const { location_lat: _a, location_lon: _b, ...rest } = SEED_BODY;
    const res = await create(rest, w.auth.admin);
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toEqual(['location_radius']);
  });
});

describe('naive times across daylight-saving changes (America/New_York)', () => {
  let admin: Record<string, string>;
  beforeAll(async () => {
    const ny = await t.factory.org({ timezone: 'America/New_York' });
    admin = (await t.login(await t.factory.user('admin', ny.org_id))).headers;
  });

  it.each([
    ['the Saturday before spring-forward (EST)', '2026-03-07T09:00:00', '2026-03-07T14:00:00.000Z'],
    ['the Monday after spring-forward (EDT)', '2026-03-09T09:00:00', '2026-03-09T13:00:00.000Z'],
    ['the Saturday before fall-back (EDT)', '2026-10-31T09:00:00', '2026-10-31T13:00:00.000Z'],
    ['the Monday after fall-back (EST)', '2026-11-02T09:00:00', '2026-11-02T14:00:00.000Z'],
    ['the repeated hour takes its first occurrence', '2026-11-01T01:30:00', '2026-11-01T05:30:00.000Z'],
  ])('%s: %s → %s', async (_label, start, expected) => {
    const end = `${start.slice(0, 11)}23:00:00`;
    const res = await create({ ...SEED_BODY, start_time: start, end_time: end }, admin);
    expect(res.statusCode).toBe(201);
    expect(res.json().data.start_time).toBe(expected);
    expect((await row(res.json().data.session_id)).start_time).toBe(Date.parse(expected));
  });

  it('a naive time inside the spring-forward gap is refused, saying so and naming the field (17.8)', async () => {
    const before = await t.db.selectFrom('attendance_sessions').select('session_id').execute();
    const res = await create(
      { ...SEED_BODY, start_time: '2026-03-08T02:30:00', end_time: '2026-03-08T03:30:00' },
      admin,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field: 'start_time',
        message: expect.stringMatching(/does not exist in America\/New_York.*DST gap/),
      },
    ]);
    // With an explicit offset the same wall time is exact and accepted.
    const exact = await create(
      { ...SEED_BODY, start_time: '2026-03-08T02:30:00-05:00', end_time: '2026-03-08T04:30:00-04:00' },
      admin,
    );
    expect(exact.statusCode).toBe(201);
    expect(exact.json().data.start_time).toBe('2026-03-08T07:30:00.000Z');
    const after = await t.db.selectFrom('attendance_sessions').select('session_id').execute();
    expect(after.length).toBe(before.length + 1);
  });

  it('an update into the gap is refused too, and the stored times stay', async () => {
    const made = await create(
      { ...SEED_BODY, start_time: '2026-03-08T01:00:00', end_time: '2026-03-08T05:00:00' },
      admin,
    );
    const id = made.json().data.session_id;
    const res = await t.app.inject({
      method: 'PUT',
      url: `/admin/sessions/${id}`,
      headers: admin,
      payload: { end_time: '2026-03-08T02:59:59' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('end_time');
    expect((await row(id)).end_time).toBe(Date.parse('2026-03-08T09:00:00.000Z'));
  });

  it('a session over the spring-forward night lasts one hour less than its wall times say', async () => {
    const res = await create(
      { ...SEED_BODY, start_time: '2026-03-07T20:00:00', end_time: '2026-03-08T08:00:00' },
      admin,
    );
    const r = await row(res.json().data.session_id);
    expect((r.end_time - r.start_time) / 3_600_000).toBe(11);
  });
});
