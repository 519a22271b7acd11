import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { recordRow, sessionRow } from '../../helpers/rows.js';

let t: TestContext;
let superAuth: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
});
afterAll(async () => t.close());

type Headers = Record<string, string>;
const req = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, payload });
const orgRow = (orgId: string) =>
  t.db.selectFrom('organizations').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
const fields = (res: { json: () => { errors?: { field: string }[] } }) =>
  [...new Set((res.json().errors ?? []).map((e) => e.field))].sort();

describe('POST /admin/organizations', () => {
  it('lets a super_admin create an organization with defaults and stores it', async () => {
    const res = await req('POST', '/admin/organizations', superAuth, {
      name: '  Tech University ',
      timezone: 'Europe/Paris',
      contact_email: 'Office@Tech.EDU',
      description: '',
    });
    expect(res.statusCode).toBe(201);
    const d = res.json().data;
    expect(d).toMatchObject({
      name: 'Tech University',
      timezone: 'Europe/Paris',
      contact_email: 'office@tech.edu',
      description: null,
      self_registration: true,
      default_geofence_radius: null,
      late_after_minutes: 10,
      is_active: true,
    });
    const row = await orgRow(d.org_id);
    expect(row).toMatchObject({ name: 'Tech University', timezone: 'Europe/Paris', self_registration: 1 });
  });

  it('takes every optional field', async () => {
    const body = {
      name: 'Business School',
      description: 'MBA',
      address: '1 Main St',
      contact_email: 'a@b.example',
      contact_phone: '+1 555 0100',
      timezone: 'America/New_York',
      self_registration: false,
      default_geofence_radius: 250,
      late_after_minutes: 0,
    };
    const res = await req('POST', '/admin/organizations', superAuth, body);
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject(body);
    expect((await orgRow(res.json().data.org_id)).self_registration).toBe(0);
  });

  it('refuses an unknown time zone and out-of-range numbers with 400 naming the fields', async () => {
    const tz = await req('POST', '/admin/organizations', superAuth, { name: 'X', timezone: 'Mars/Olympus' });
    expect(tz.statusCode).toBe(400);
    expect(fields(tz)).toEqual(['timezone']);
    const res = await req('POST', '/admin/organizations', superAuth, {
      name: '',
      default_geofence_radius: 0,
      late_after_minutes: 1441,
      self_registration: 'yes',
      extra: 1,
    });
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(
      expect.arrayContaining([
        'default_geofence_radius',
        'extra',
        'late_after_minutes',
        'name',
        'self_registration',
      ]),
    );
  });

  it('is for super_admin only (403 for admin, teacher, student; 401 without a token)', async () => {
    const w = await t.world();
    for (const h of [w.auth.admin, w.auth.teacher, w.auth.student]) {
      expect((await req('POST', '/admin/organizations', h, { name: 'Nope' })).statusCode).toBe(403);
    }
    expect((await req('POST', '/admin/organizations', {}, { name: 'Nope' })).statusCode).toBe(401);
    const n = await t.db.selectFrom('organizations').select('org_id').where('name', '=', 'Nope').execute();
    expect(n).toHaveLength(0);
  });
});

describe('GET /admin/organizations', () => {
  it('gives super_admin every organization, filtered by is_active and q (wildcards literal)', async () => {
    await t.factory.org({ name: 'Alpha 100% College' });
    await t.factory.org({ name: 'Alpha Closed', is_active: 0 });
    const all = await req('GET', '/admin/organizations?per_page=100', superAuth);
    expect(all.statusCode).toBe(200);
    const total = await t.db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(all.json().pagination.total).toBe(Number(total.n));

    const q = await req('GET', '/admin/organizations?q=alpha', superAuth);
    expect(
      q
        .json()
        .data.map((o: { name: string }) => o.name)
        .sort(),
    ).toEqual(['Alpha 100% College', 'Alpha Closed']);
    const active = await req('GET', '/admin/organizations?q=alpha&is_active=true', superAuth);
    expect(active.json().data.map((o: { name: string }) => o.name)).toEqual(['Alpha 100% College']);
    const pct = await req('GET', '/admin/organizations?q=0%25', superAuth);
    expect(pct.json().data.map((o: { name: string }) => o.name)).toEqual(['Alpha 100% College']);
  });

  it('gives an admin only their own organization, as a paginated list', async () => {
    const w = await t.world();
    const res = await req('GET', '/admin/organizations', w.auth.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((o: { org_id: string }) => o.org_id)).toEqual([w.org.org_id]);
    expect(res.json().pagination).toEqual({
      page: 1,
      per_page: 20,
      total: 1,
      pages: 1,
      total_pages: 1,
      has_next: false,
      has_prev: false,
    });
  });

  it('refuses teachers and students (403), no token (401), bad paging (400)', async () => {
    const w = await t.world();
    expect((await req('GET', '/admin/organizations', w.auth.teacher)).statusCode).toBe(403);
    expect((await req('GET', '/admin/organizations', w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', '/admin/organizations', {})).statusCode).toBe(401);
    const bad = await req('GET', '/admin/organizations?per_page=101&page=0', superAuth);
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['page', 'per_page']);
    // The query validator coerces 1e999 to Infinity; it must still be a 400, not a failing SQL LIMIT.
    const inf = await req('GET', '/admin/organizations?per_page=1e999&page=1e999', superAuth);
    expect(inf.statusCode).toBe(400);
    expect(fields(inf)).toEqual(['page', 'per_page']);
  });
});

describe('GET /admin/organizations/{org_id}', () => {
  it('lets super_admin read any, admin and teacher their own; students get 403', async () => {
    const w = await t.world();
    for (const h of [superAuth, w.auth.admin, w.auth.teacher]) {
      const res = await req('GET', `/admin/organizations/${w.org.org_id}`, h);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.org_id).toBe(w.org.org_id);
    }
    expect((await req('GET', `/admin/organizations/${w.org.org_id}`, w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', `/admin/organizations/${w.org.org_id}`, {})).statusCode).toBe(401);
  });

  it('answers 404 for another organization or an unknown id, 400 for a malformed id', async () => {
    const w = await t.world();
    const other = await t.factory.org();
    expect((await req('GET', `/admin/organizations/${other.org_id}`, w.auth.teacher)).statusCode).toBe(404);
    expect((await req('GET', `/admin/organizations/${newId()}`, superAuth)).statusCode).toBe(404);
    const bad = await req('GET', '/admin/organizations/not-a-uuid', superAuth);
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['org_id']);
  });
});

describe('PUT /admin/organizations/{org_id}', () => {
  it('lets an admin edit their own organization and clear optional fields with null', async () => {
    const w = await t.world();
    const res = await req('PUT', `/admin/organizations/${w.org.org_id}`, w.auth.admin, {
      name: 'Renamed',
      timezone: 'Asia/Tokyo',
      late_after_minutes: 5,
      default_geofence_radius: 80,
      address: null,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ name: 'Renamed', timezone: 'Asia/Tokyo', late_after_minutes: 5 });
    const row = await orgRow(w.org.org_id);
    expect(row).toMatchObject({
      name: 'Renamed',
      timezone: 'Asia/Tokyo',
      late_after_minutes: 5,
      default_geofence_radius: 80,
    });
    expect(Number(row.updated_at)).toBeGreaterThanOrEqual(Number(w.org.updated_at));
  });

  it('lets only super_admin change is_active (admin 403, row unchanged)', async () => {
    const w = await t.world();
    const res = await req('PUT', `/admin/organizations/${w.org.org_id}`, w.auth.admin, { is_active: false });
    expect(res.statusCode).toBe(403);
    expect((await orgRow(w.org.org_id)).is_active).toBe(1);
  });

  it('deactivation by super_admin revokes every session of its users and blocks login', async () => {
    const w = await t.world();
    const res = await req('PUT', `/admin/organizations/${w.org.org_id}`, superAuth, { is_active: false });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.is_active).toBe(false);
    expect((await req('GET', '/auth/profile', w.auth.student)).statusCode).toBe(401);
    expect((await req('GET', '/auth/profile', w.auth.admin)).statusCode).toBe(401);
    const active = await t.db
      .selectFrom('user_sessions')
      .select('session_id')
      .where('org_id', '=', w.org.org_id)
      .where('is_active', '=', 1)
      .execute();
    expect(active).toHaveLength(0);
    await expect(t.login(w.users.teacher)).rejects.toThrow(/401/);
    // Reactivation lets them in again.
    await req('PUT', `/admin/organizations/${w.org.org_id}`, superAuth, { is_active: true });
    await expect(t.login(w.users.teacher)).resolves.toBeTruthy();
  });

  it('answers 404 to an admin of another organization, 403 to teachers, 400 for bad bodies', async () => {
    const w = await t.world();
    const other = await t.factory.org({ name: 'Untouched' });
    const res = await req('PUT', `/admin/organizations/${other.org_id}`, w.auth.admin, { name: 'Hacked' });
    expect(res.statusCode).toBe(404);
    expect((await orgRow(other.org_id)).name).toBe('Untouched');
    expect(
      (await req('PUT', `/admin/organizations/${w.org.org_id}`, w.auth.teacher, { name: 'X' })).statusCode,
    ).toBe(403);
    expect((await req('PUT', `/admin/organizations/${w.org.org_id}`, {}, { name: 'X' })).statusCode).toBe(
      401,
    );
    const empty = await req('PUT', `/admin/organizations/${w.org.org_id}`, w.auth.admin, {});
    expect(empty.statusCode).toBe(400);
    const tz = await req('PUT', `/admin/organizations/${w.org.org_id}`, w.auth.admin, { timezone: '+01:00' });
    expect(tz.statusCode).toBe(400);
    expect(fields(tz)).toEqual(['timezone']);
    const blank = await req('PUT', `/admin/organizations/${w.org.org_id}`, w.auth.admin, { name: '   ' });
    expect(blank.statusCode).toBe(400);
    expect((await orgRow(w.org.org_id)).name).toBe(w.org.name);
  });
});

describe('GET /admin/organizations/{org_id}/stats', () => {
  it('counts users by role, groups, sessions by phase and records by status, with the rate', async () => {
    const w = await t.world();
    const org = w.org.org_id;
    await t.factory.user('student', org, { is_active: 0 });
    await t.factory.user('student', org);
    const now = Date.now();
    const H = 3_600_000;
    const group = {
      group_id: newId(),
      org_id: org,
      name: 'G',
      description: null,
      created_at: now,
      updated_at: now,
    };
    await t.db.insertInto('groups').values(group).execute();
    const session = (start: number, end: number, patch: object = {}) =>
      sessionRow(org, { session_name: 'S', start_time: start, end_time: end, ...patch });
    const past = session(now - 3 * H, now - 2 * H);
    const closedEarly = session(now - H, now + H, { closed_at: now - 1000 });
    await t.db
      .insertInto('attendance_sessions')
      .values([
        past,
        closedEarly,
        session(now - H, now + H),
        session(now + H, now + 2 * H),
        session(now + H, now + 2 * H),
        session(now + H, now + 2 * H, { is_active: 0 }),
      ])
      .execute();
    const students = await t.db.selectFrom('users').select('user_id').where('org_id', '=', org).execute();
    const statuses = ['present', 'late', 'absent', 'excused', 'present'] as const;
    await t.db
      .insertInto('attendance_records')
      .values(
        statuses.map((status, i) =>
          recordRow(
            {
              orgId: org,
              sessionId: i < 3 ? past.session_id : closedEarly.session_id,
              userId: students[i]!.user_id,
            },
            { status },
          ),
        ),
      )
      .execute();
    // Another organization's rows must not be counted.
    const other = await t.world();
    await t.db
      .insertInto('groups')
      .values({ ...group, group_id: newId(), org_id: other.org.org_id })
      .execute();

    const res = await req('GET', `/admin/organizations/${org}/stats`, w.auth.admin);
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d.users).toEqual({
      total: 5,
      active: 4,
      by_role: {
        super_admin: { total: 0, active: 0 },
        admin: { total: 1, active: 1 },
        teacher: { total: 1, active: 1 },
        student: { total: 3, active: 2 },
      },
    });
    expect(d.groups).toEqual({ total: 1 });
    expect(d.sessions).toEqual({ total: 6, upcoming: 2, ongoing: 1, past: 2, cancelled: 1 });
    expect(d.attendance).toEqual({
      total: 5,
      present: 2,
      late: 1,
      absent: 1,
      excused: 1,
      attendance_rate: 0.6,
    });
    expect((await req('GET', `/admin/organizations/${org}/stats`, superAuth)).json().data.users.total).toBe(
      5,
    );
  });

  it('gives a null rate without records; 404 across orgs; 403 for teacher and student; 401', async () => {
    const w = await t.world();
    const res = await req('GET', `/admin/organizations/${w.org.org_id}/stats`, w.auth.admin);
    expect(res.json().data.attendance.attendance_rate).toBeNull();
    const other = await t.factory.org();
    expect((await req('GET', `/admin/organizations/${other.org_id}/stats`, w.auth.admin)).statusCode).toBe(
      404,
    );
    expect((await req('GET', `/admin/organizations/${w.org.org_id}/stats`, w.auth.teacher)).statusCode).toBe(
      403,
    );
    expect((await req('GET', `/admin/organizations/${w.org.org_id}/stats`, w.auth.student)).statusCode).toBe(
      403,
    );
    expect((await req('GET', `/admin/organizations/${w.org.org_id}/stats`, {})).statusCode).toBe(401);
  });
});
