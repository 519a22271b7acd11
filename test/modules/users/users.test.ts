import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let superAuth: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
});
afterAll(async () => t.close());

type Headers = Record<string, string>;
const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, payload });
const userRow = (id: string) =>
  t.db.selectFrom('users').selectAll().where('user_id', '=', id).executeTakeFirstOrThrow();
const activeSessions = async (id: string) =>
  (
    await t.db
      .selectFrom('user_sessions')
      .select('session_id')
      .where('user_id', '=', id)
      .where('is_active', '=', 1)
      .execute()
  ).length;
const fields = (res: { json: () => { errors?: { field: string }[] } }) =>
  [...new Set((res.json().errors ?? []).map((e) => e.field))].sort();
const ids = (res: { json: () => { data: { user_id: string }[] } }) =>
  res
    .json()
    .data.map((u) => u.user_id)
    .sort();

describe('GET /admin/users', () => {
  it("lists the admin's organization only, with role, is_active and q filters", async () => {
    const w = await t.world();
    const zed = await t.factory.user('student', w.org.org_id, { name: 'Zed 50%_off', is_active: 0 });
    await t.world(); // another organization's users must not appear
    const all = await req('GET', '/admin/users?per_page=100', w.auth.admin);
    expect(all.statusCode).toBe(200);
    expect(ids(all)).toEqual(
      [w.users.admin.user_id, w.users.teacher.user_id, w.users.student.user_id, zed.user_id].sort(),
    );
    expect(all.json().pagination.total).toBe(4);
    expect(all.json().data[0].password_hash).toBeUndefined();

    expect(ids(await req('GET', '/admin/users?role=student', w.auth.admin))).toEqual(
      [w.users.student.user_id, zed.user_id].sort(),
    );
    expect(ids(await req('GET', '/admin/users?is_active=false', w.auth.admin))).toEqual([zed.user_id]);
    expect(ids(await req('GET', '/admin/users?q=ZED', w.auth.admin))).toEqual([zed.user_id]);
    expect(ids(await req('GET', '/admin/users?q=50%25_', w.auth.admin))).toEqual([zed.user_id]);
    expect(ids(await req('GET', '/admin/users?q=_', w.auth.admin))).toEqual([zed.user_id]);
    const byEmail = await req(
      'GET',
      `/admin/users?q=${w.users.teacher.email.slice(0, 12).toUpperCase()}`,
      w.auth.admin,
    );
    expect(ids(byEmail)).toEqual([w.users.teacher.user_id]);
    const page2 = await req('GET', '/admin/users?per_page=3&page=2', w.auth.admin);
    expect(page2.json().data).toHaveLength(1);
    expect(page2.json().pagination).toEqual({
      page: 2,
      per_page: 3,
      total: 4,
      pages: 2,
      total_pages: 2,
      has_next: false,
      has_prev: true,
    });
  });

  it('shows teachers students only; asking for another role is 403', async () => {
    const w = await t.world();
    expect(ids(await req('GET', '/admin/users', w.auth.teacher))).toEqual([w.users.student.user_id]);
    expect((await req('GET', '/admin/users?role=admin', w.auth.teacher)).statusCode).toBe(403);
  });

  it('lets super_admin see every organization or filter one with org_id; an admin naming another org gets 404', async () => {
    const a = await t.world();
    const b = await t.world();
    const one = await req('GET', `/admin/users?org_id=${b.org.org_id}`, superAuth);
    expect(ids(one)).toEqual(
      Object.values(b.users)
        .map((u) => u.user_id)
        .sort(),
    );
    const all = await req('GET', '/admin/users?per_page=100', superAuth);
    const total = await t.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(all.json().pagination.total).toBe(Number(total.n));
    expect((await req('GET', `/admin/users?org_id=${b.org.org_id}`, a.auth.admin)).statusCode).toBe(404);
    expect((await req('GET', `/admin/users?org_id=${a.org.org_id}`, a.auth.admin)).statusCode).toBe(200);
  });

  it('refuses students (403), no token (401) and bad filters (400)', async () => {
    const w = await t.world();
    expect((await req('GET', '/admin/users', w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', '/admin/users', {})).statusCode).toBe(401);
    const bad = await req('GET', '/admin/users?role=king&is_active=maybe&foo=1', w.auth.admin);
    expect(bad.statusCode).toBe(400);
    // Unknown query parameters are ignored (API.md "Clients written for the original"); bad known ones are not.
    expect(fields(bad).sort()).toEqual(['is_active', 'role']);
  });
});

describe('POST /admin/users', () => {
  it("creates a user in the admin's organization with a normalised email and an argon2id hash", async () => {
    const w = await t.world();
    const res = await req('POST', '/admin/users', w.auth.admin, {
      name: ' Jane Smith ',
      email: 'Jane.Smith@Example.com',
      password: 'securePassword123',
      role: 'teacher',
    });
    expect(res.statusCode).toBe(201);
    const d = res.json().data;
    expect(d).toMatchObject({
      name: 'Jane Smith',
      email: 'jane.smith@example.com',
      role: 'teacher',
      org_id: w.org.org_id,
      is_active: true,
    });
    const row = await userRow(d.user_id);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.org_id).toBe(w.org.org_id);
    await expect(t.login({ email: 'jane.smith@example.com' }, 'securePassword123')).resolves.toBeTruthy();
    const audit = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', d.user_id).execute();
    expect(audit.map((a) => a.action)).toContain('user.created');
  });

  it('answers 409 EMAIL_TAKEN for an address in use in any organization and letter case', async () => {
    const w = await t.world();
    const other = await t.world();
    const res = await req('POST', '/admin/users', w.auth.admin, {
      name: 'Dup',
      email: other.users.student.email.toUpperCase(),
      password: 'securePassword123',
      role: 'student',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error_code).toBe('EMAIL_TAKEN');
  });

  it('refuses super_admin creation by an admin (403) and another org_id (404), creating nothing', async () => {
    const w = await t.world();
    const other = await t.factory.org();
    const base = { name: 'X', password: 'securePassword123' };
    const up = await req('POST', '/admin/users', w.auth.admin, {
      ...base,
      email: 'up@example.com',
      role: 'super_admin',
    });
    expect(up.statusCode).toBe(403);
    const away = await req('POST', '/admin/users', w.auth.admin, {
      ...base,
      email: 'away@example.com',
      role: 'student',
      org_id: other.org_id,
    });
    expect(away.statusCode).toBe(404);
    const rows = await t.db
      .selectFrom('users')
      .select('user_id')
      .where('email', 'in', ['up@example.com', 'away@example.com'])
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('makes super_admin name the organization; super_admin accounts have none', async () => {
    const org = await t.factory.org();
    const base = { name: 'S', password: 'securePassword123' };
    const missing = await req('POST', '/admin/users', superAuth, {
      ...base,
      email: 's1@example.com',
      role: 'admin',
    });
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['org_id']);
    const unknown = await req('POST', '/admin/users', superAuth, {
      ...base,
      email: 's1@example.com',
      role: 'admin',
      org_id: newId(),
    });
    expect(unknown.statusCode).toBe(404);
    const ok = await req('POST', '/admin/users', superAuth, {
      ...base,
      email: 's1@example.com',
      role: 'admin',
      org_id: org.org_id,
    });
    expect(ok.statusCode).toBe(201);
    expect((await userRow(ok.json().data.user_id)).org_id).toBe(org.org_id);
    const sa = await req('POST', '/admin/users', superAuth, {
      ...base,
      email: 's2@example.com',
      role: 'super_admin',
    });
    expect(sa.statusCode).toBe(201);
    expect((await userRow(sa.json().data.user_id)).org_id).toBeNull();
    const saOrg = await req('POST', '/admin/users', superAuth, {
      ...base,
      email: 's3@example.com',
      role: 'super_admin',
      org_id: org.org_id,
    });
    expect(saOrg.statusCode).toBe(400);
  });

  it('applies the password policy and lists every bad field', async () => {
    const w = await t.world();
    const weak = await req('POST', '/admin/users', w.auth.admin, {
      name: 'W',
      email: 'weak@example.com',
      password: 'alllowercase',
      role: 'student',
    });
    expect(weak.statusCode).toBe(400);
    expect(fields(weak)).toEqual(['password']);
    const bad = await req('POST', '/admin/users', w.auth.admin, {
      name: '',
      email: 'nope',
      role: 'king',
      extra: true,
    });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['email', 'extra', 'name', 'password', 'role']));
  });

  it('refuses teachers and students (403) and anonymous callers (401)', async () => {
    const w = await t.world();
    const body = { name: 'N', email: 'n@example.com', password: 'securePassword123', role: 'student' };
    expect((await req('POST', '/admin/users', w.auth.teacher, body)).statusCode).toBe(403);
    expect((await req('POST', '/admin/users', w.auth.student, body)).statusCode).toBe(403);
    expect((await req('POST', '/admin/users', {}, body)).statusCode).toBe(401);
    expect(
      await t.db
        .selectFrom('users')
        .select('user_id')
        .where('email', '=', 'n@example.com')
        .executeTakeFirst(),
    ).toBeUndefined();
  });
});

describe('GET /admin/users/{user_id}', () => {
  it('gives admins any user of their org and teachers students only (others are 404 to them)', async () => {
    const w = await t.world();
    const res = await req('GET', `/admin/users/${w.users.teacher.user_id}`, w.auth.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ user_id: w.users.teacher.user_id, role: 'teacher' });
    expect((await req('GET', `/admin/users/${w.users.student.user_id}`, w.auth.teacher)).statusCode).toBe(
      200,
    );
    expect((await req('GET', `/admin/users/${w.users.admin.user_id}`, w.auth.teacher)).statusCode).toBe(404);
    expect((await req('GET', `/admin/users/${w.users.student.user_id}`, w.auth.student)).statusCode).toBe(
      403,
    );
    expect((await req('GET', `/admin/users/${w.users.student.user_id}`, {})).statusCode).toBe(401);
    expect((await req('GET', `/admin/users/${newId()}`, w.auth.admin)).statusCode).toBe(404);
    expect((await req('GET', '/admin/users/123', w.auth.admin)).statusCode).toBe(400);
    expect((await req('GET', `/admin/users/${w.users.student.user_id}`, superAuth)).statusCode).toBe(200);
  });
});

describe('PUT /admin/users/{user_id}', () => {
  it('updates name and email; the sessions survive such a change', async () => {
    const w = await t.world();
    const res = await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.admin, {
      name: 'New Name',
      email: 'New.Address@Example.com',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ name: 'New Name', email: 'new.address@example.com' });
    expect(await userRow(w.users.student.user_id)).toMatchObject({
      name: 'New Name',
      email: 'new.address@example.com',
    });
    expect((await req('GET', '/auth/profile', w.auth.student)).statusCode).toBe(200);
  });

  it.each([
    ['a role change', { role: 'teacher' }],
    ['a new password', { password: 'Another-Pass1' }],
    ['deactivation', { is_active: false }],
  ])('%s revokes every session of the user at once', async (_label, body) => {
    const w = await t.world();
    const second = await t.login(w.users.student);
    const res = await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.admin, body);
    expect(res.statusCode).toBe(200);
    expect(await activeSessions(w.users.student.user_id)).toBe(0);
    expect((await req('GET', '/auth/profile', w.auth.student)).statusCode).toBe(401);
    expect((await req('POST', '/auth/refresh', {}, { refresh_token: second.refresh })).statusCode).toBe(401);
  });

  it('stores a new password as a hash that logs in', async () => {
    const w = await t.world();
    await req('PUT', `/admin/users/${w.users.teacher.user_id}`, w.auth.admin, { password: 'Brand-new-1' });
    await expect(t.login(w.users.teacher, 'Brand-new-1')).resolves.toBeTruthy();
    await expect(t.login(w.users.teacher, PASSWORD)).rejects.toThrow(/401/);
  });

  it('keeps the caller from changing their own role or deactivating themselves (409)', async () => {
    const w = await t.world();
    const role = await req('PUT', `/admin/users/${w.users.admin.user_id}`, w.auth.admin, { role: 'student' });
    expect(role.statusCode).toBe(409);
    expect(role.json().error_code).toBe('CONFLICT');
    const off = await req('PUT', `/admin/users/${w.users.admin.user_id}`, w.auth.admin, { is_active: false });
    expect(off.statusCode).toBe(409);
    expect(await userRow(w.users.admin.user_id)).toMatchObject({ role: 'admin', is_active: 1 });
    // Their own name and the same role are fine.
    expect(
      (await req('PUT', `/admin/users/${w.users.admin.user_id}`, w.auth.admin, { name: 'Me', role: 'admin' }))
        .statusCode,
    ).toBe(200);
    expect((await req('GET', '/auth/profile', w.auth.admin)).statusCode).toBe(200);
  });

  it('keeps admins away from the super_admin role and from super_admin accounts (403)', async () => {
    const w = await t.world();
    const up = await req('PUT', `/admin/users/${w.users.teacher.user_id}`, w.auth.admin, {
      role: 'super_admin',
    });
    expect(up.statusCode).toBe(403);
    expect((await userRow(w.users.teacher.user_id)).role).toBe('teacher');
    const sa = await t.factory.user('super_admin', w.org.org_id);
    expect(
      (await req('PUT', `/admin/users/${sa.user_id}`, w.auth.admin, { is_active: false })).statusCode,
    ).toBe(403);
    expect((await req('DELETE', `/admin/users/${sa.user_id}`, w.auth.admin)).statusCode).toBe(403);
    expect((await userRow(sa.user_id)).is_active).toBe(1);
    const promoted = await req('PUT', `/admin/users/${w.users.teacher.user_id}`, superAuth, {
      role: 'super_admin',
    });
    expect(promoted.statusCode).toBe(200);
  });

  it('answers 409 EMAIL_TAKEN for a used address, 400 for bad bodies, 403 for teachers, 401 anonymously', async () => {
    const w = await t.world();
    const taken = await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.admin, {
      email: w.users.teacher.email,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error_code).toBe('EMAIL_TAKEN');
    expect((await userRow(w.users.student.user_id)).email).toBe(w.users.student.email);
    expect((await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.admin, {})).statusCode).toBe(
      400,
    );
    const bad = await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.admin, {
      is_active: 'no',
      password: 'short',
    });
    expect(bad.statusCode).toBe(400);
    // Every wrong field in one answer, the password policy included (issue 16.3).
    expect(fields(bad)).toEqual(['is_active', 'password']);
    const weak = await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.admin, {
      password: 'short',
    });
    expect(fields(weak)).toEqual(['password']);
    expect(
      (await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.teacher, { name: 'T' })).statusCode,
    ).toBe(403);
    expect(
      (await req('PUT', `/admin/users/${w.users.student.user_id}`, w.auth.student, { name: 'T' })).statusCode,
    ).toBe(403);
    expect((await req('PUT', `/admin/users/${w.users.student.user_id}`, {}, { name: 'T' })).statusCode).toBe(
      401,
    );
  });
});

describe('DELETE /admin/users/{user_id}', () => {
  it('soft-deletes: inactive, the existing token gets 401 at once, the row and its history stay', async () => {
    const w = await t.world();
    const before = await req('GET', '/auth/profile', w.auth.student);
    expect(before.statusCode).toBe(200);
    const res = await req('DELETE', `/admin/users/${w.users.student.user_id}`, w.auth.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ user_id: w.users.student.user_id, is_active: false });
    expect((await req('GET', '/auth/profile', w.auth.student)).statusCode).toBe(401);
    expect(await activeSessions(w.users.student.user_id)).toBe(0);
    expect((await userRow(w.users.student.user_id)).is_active).toBe(0);
    await expect(t.login(w.users.student)).rejects.toThrow(/401/);
    // Still listed (inactive) for the admin.
    expect(ids(await req('GET', '/admin/users?is_active=false', w.auth.admin))).toContain(
      w.users.student.user_id,
    );
  });

  it('refuses deleting yourself (409), teachers and students (403), other orgs (404), anonymous (401)', async () => {
    const w = await t.world();
    expect((await req('DELETE', `/admin/users/${w.users.admin.user_id}`, w.auth.admin)).statusCode).toBe(409);
    expect((await req('DELETE', `/admin/users/${w.users.student.user_id}`, w.auth.teacher)).statusCode).toBe(
      403,
    );
    expect((await req('DELETE', `/admin/users/${w.users.teacher.user_id}`, w.auth.student)).statusCode).toBe(
      403,
    );
    expect((await req('DELETE', `/admin/users/${w.users.student.user_id}`, {})).statusCode).toBe(401);
    const other = await t.world();
    expect(
      (await req('DELETE', `/admin/users/${other.users.student.user_id}`, w.auth.admin)).statusCode,
    ).toBe(404);
    for (const u of [w.users.admin, w.users.student, other.users.student])
      expect((await userRow(u.user_id)).is_active).toBe(1);
  });
});
