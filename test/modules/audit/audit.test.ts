import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let superAuth: Record<string, string>;
beforeAll(async () => {
  // The student logged in from this address before (a known address): the per-address counter limits.
  t = await createTestApp({ LOGIN_MAX_PER_ACCOUNT_IP: '3' });
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
});
afterAll(async () => t.close());

type Headers = Record<string, string>;
const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });

async function createUser(headers: Headers, email: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/users',
    headers,
    payload: { name: 'Audited', email, password: 'Passw0rd!test', role: 'teacher' },
  });
  expect(res.statusCode).toBe(201);
  return res.json().data.user_id as string;
}

describe('GET /admin/audit', () => {
  it('lists the admin actions of the organization with past-tense names, newest first', async () => {
    const w = await t.world();
    const userId = await createUser(w.auth.admin, `a-${Date.now()}@example.test`);
    await t.app.inject({ method: 'DELETE', url: `/admin/users/${userId}`, headers: w.auth.admin });
    const res = await get(`/admin/audit?target_id=${userId}`, w.auth.admin);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((e: { action: string }) => e.action)).toEqual(['user.deactivated', 'user.created']);
    expect(body.data[1]).toMatchObject({
      actor_id: w.users.admin.user_id,
      actor_email: w.users.admin.email,
      target_type: 'user',
      org_id: w.org.org_id,
      details: { role: 'teacher' },
    });
    expect(body.pagination).toMatchObject({ total: 2, page: 1 });
    const rows = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', userId)
      .execute();
    expect(rows.map((r) => r.action).sort()).toEqual(['user.created', 'user.deactivated']);
  });

  it('filters by actor, action (exact and prefix), target type and time window, and pages', async () => {
    const w = await t.world();
    for (let i = 0; i < 3; i++) await createUser(w.auth.admin, `f${i}-${Date.now()}@example.test`);
    const q = (s: string) => get(`/admin/audit?${s}`, w.auth.admin).then((r) => r.json());
    expect((await q(`actor_id=${w.users.admin.user_id}&action=user.created`)).pagination.total).toBe(3);
    expect((await q('action=user.')).pagination.total).toBe(3);
    expect((await q('action=user.deactivated')).pagination.total).toBe(0);
    // Each world() login is an auth.login entry of that org.
    expect((await q('action=auth.login')).pagination.total).toBe(3);
    expect((await q('target_type=user&per_page=2&page=2')).data).toHaveLength(1);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await q(`from=${future}`)).pagination.total).toBe(0);
    expect((await q(`to=${future}&action=user.created`)).pagination.total).toBe(3);
    expect((await q('to=2000-01-01')).pagination.total).toBe(0);
  });

  it('keeps organizations apart; super_admin sees all or one', async () => {
    const a = await t.world();
    const b = await t.world();
    const idA = await createUser(a.auth.admin, `sa-${Date.now()}@example.test`);
    expect((await get(`/admin/audit?target_id=${idA}`, b.auth.admin)).json().pagination.total).toBe(0);
    expect((await get(`/admin/audit?org_id=${a.org.org_id}`, b.auth.admin)).statusCode).toBe(404);
    expect((await get(`/admin/audit?target_id=${idA}`, superAuth)).json().pagination.total).toBe(1);
    const onlyB = await get(`/admin/audit?org_id=${b.org.org_id}&target_id=${idA}`, superAuth);
    expect(onlyB.json().pagination.total).toBe(0);
  });

  it('refuses teachers and students (403) and bad filters (400)', async () => {
    const w = await t.world();
    expect((await get('/admin/audit', w.auth.teacher)).statusCode).toBe(403);
    expect((await get('/admin/audit', w.auth.student)).statusCode).toBe(403);
    expect((await get('/admin/audit', {})).statusCode).toBe(401);
    const bad = await get('/admin/audit?from=yesterday&actor_id=x', w.auth.admin);
    expect(bad.statusCode).toBe(400);
    const bad2 = await get('/admin/audit?from=2026-02-30', w.auth.admin);
    expect(bad2.statusCode).toBe(400);
    expect(bad2.json().errors[0].field).toBe('from');
    const inverted = await get('/admin/audit?from=2026-03-02&to=2026-03-01', w.auth.admin);
    expect(inverted.statusCode).toBe(400);
  });

  it('bounds from and to to the calendar other dates use (years 1970..2200), on the list and the export', async () => {
    const w = await t.world();
    for (const path of ['/admin/audit', '/admin/audit/export.csv']) {
      for (const [field, value] of [
        ['from', '0001-01-01'],
        ['from', '1969-12-31T23:00:00Z'],
        ['to', '9999-12-31'],
        ['to', '2201-01-01T00:00:00'],
        ['to', '+275760-09-13'],
      ]) {
        const res = await get(`${path}?${field}=${encodeURIComponent(value!)}`, w.auth.admin);
        expect(res.statusCode, `${path} ${field}=${value}`).toBe(400);
        expect(res.json().errors).toContainEqual({
          field,
          message: 'must be an ISO 8601 date or date-time in years 1970..2200',
        });
      }
      const widest = await get(`${path}?from=1970-01-01&to=2200-12-31T23:59:59Z`, w.auth.admin);
      expect(widest.statusCode, path).toBe(200);
    }
  });
});

describe('auth.login_limited', () => {
  it('is written once per burst of failures on an account, in its organization', async () => {
    const w = await t.world();
    for (let i = 0; i < 5; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: w.users.student.email, password: 'wrong-password-1' },
      });
    }
    const res = await get('/admin/audit?action=auth.login_limited', w.auth.admin);
    expect(res.json().data).toHaveLength(1);
    expect(res.json().data[0]).toMatchObject({
      target_type: 'user',
      target_id: w.users.student.user_id,
      details: { scope: 'account_address', failures: 3 },
    });
  });
});

describe('GET /admin/audit/export.csv', () => {
  it('streams the filtered entries as CSV with formula cells neutralised', async () => {
    const w = await t.world();
    const res0 = await t.app.inject({
      method: 'POST',
      url: '/admin/groups',
      headers: w.auth.admin,
      payload: { name: '=HYPERLINK("http://evil")' },
    });
    expect(res0.statusCode).toBe(201);
    await t.app.inject({
      method: 'DELETE',
      url: `/admin/groups/${res0.json().data.group_id}`,
      headers: w.auth.admin,
    });
    const res = await get('/admin/audit/export.csv?action=group.', w.auth.admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('attachment');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'audit_id,created_at,action,actor_id,actor_email,target_type,target_id,org_id,ip_address,details',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',group.deleted,');
    // The group's name lands in details JSON: the cell starts with { so it is safe, and its quotes are doubled.
    expect(lines[1]).toContain('""name"":""=HYPERLINK(');
    expect((await get('/admin/audit/export.csv', w.auth.teacher)).statusCode).toBe(403);
  });

  it('exports more entries than one chunk, each once', async () => {
    const w = await t.world();
    const rows = Array.from({ length: 1203 }, (_, i) => ({
      audit_id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      org_id: w.org.org_id,
      actor_id: null,
      action: i % 2 ? '=cmd.x' : 'test.bulk',
      target_type: null,
      target_id: null,
      details: null,
      ip_address: null,
      created_at: 1_700_000_000_000 + Math.floor(i / 7),
    }));
    for (let i = 0; i < rows.length; i += 200)
      await t.db
        .insertInto('audit_log')
        .values(rows.slice(i, i + 200))
        .execute();
    const res = await get('/admin/audit/export.csv?to=2024-01-01', w.auth.admin);
    const lines = res.body.trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(1203);
    expect(new Set(lines).size).toBe(1203);
    expect(lines.filter((l) => l.includes(",'=cmd.x,"))).toHaveLength(601);
  });
});
