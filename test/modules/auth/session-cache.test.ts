/**
 * The session check of every request, with the per-process cache SQLite gets
 * (src/plugins/session-cache.ts): a change to a login session or its user — made through the API,
 * or by another connection (another worker or server) — is seen on the very
 * next request. Runs on every engine (PostgreSQL and MariaDB have no cache: same answers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/db/connection.js';
import { userSessionsRepository } from '../../../src/modules/auth/user-sessions.repository.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';

const serverEngine = /^(postgres|mysql|mariadb)/.test(process.env.TEST_DATABASE_URL ?? '');
const dir = mkdtempSync(join(tmpdir(), 'session-cache-'));
let t: TestContext;
/** Another connection to the same database: what another worker or server process would write through. */
let other: Awaited<ReturnType<typeof openDatabase>>;

beforeAll(async () => {
  // A file, not memory: a second connection must see the same database.
  t = await createTestApp(serverEngine ? {} : { DATABASE_URL: `sqlite:///${join(dir, 'cache.db')}` });
  other = await openDatabase(t.config.databaseUrl);
});
afterAll(async () => {
  await other.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const profile = (headers: Record<string, string>) =>
  t.app.inject({ method: 'GET', url: '/auth/profile', headers }).then((r) => r.statusCode);

describe('session check with the per-process cache', () => {
  it.skipIf(serverEngine)('answers repeated requests of a session from the cache (SQLite)', async () => {
    const { auth } = await t.world();
    expect(await profile(auth.student)).toBe(200);
    const spy = vi.spyOn(userSessionsRepository, 'findActiveWithUser');
    try {
      for (let i = 0; i < 5; i++) expect(await profile(auth.student)).toBe(200);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a session at once after a logout through the API', async () => {
    const { auth } = await t.world();
    expect(await profile(auth.student)).toBe(200);
    expect(await profile(auth.student)).toBe(200);
    const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: auth.student });
    expect(out.statusCode).toBe(200);
    expect(await profile(auth.student)).toBe(401);
  });

  it('refuses a session at once after another process revoked it', async () => {
    const { users, auth } = await t.world();
    expect(await profile(auth.teacher)).toBe(200);
    expect(await profile(auth.teacher)).toBe(200);
    const n = await userSessionsRepository.revokeAllForUser(
      other.db,
      users.teacher.user_id,
      'test',
      Date.now(),
    );
    expect(n).toBe(1);
    expect(await profile(auth.teacher)).toBe(401);
  });

  it('refuses a user at once after another process deactivated it, and sees a role change at once', async () => {
    const { users, auth } = await t.world();
    const adminOnly = () =>
      t.app
        .inject({ method: 'GET', url: '/admin/dashboard/stats', headers: auth.student })
        .then((r) => r.statusCode);
    expect(await profile(auth.student)).toBe(200);
    const before = await adminOnly();
    expect(before).toBe(403);
    await other.db
      .updateTable('users')
      .set({ role: 'admin' })
      .where('user_id', '=', users.student.user_id)
      .execute();
    expect(await adminOnly()).not.toBe(403);
    await other.db
      .updateTable('users')
      .set({ is_active: 0 })
      .where('user_id', '=', users.student.user_id)
      .execute();
    expect(await profile(auth.student)).toBe(401);
  });
});

/**
 * GET /auth/profile answers from the session check's row (no read of its own): a changed name or
 * email — by the user, an admin, or another process — must show on the very next request.
 */
describe('GET /auth/profile from the session check', () => {
  const me = (headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: '/auth/profile', headers }).then((r) => r.json().data);

  it('answers without a read of the user row of its own', async () => {
    const { users, auth } = await t.world();
    const { usersRepository } = await import('../../../src/modules/users/users.repository.js');
    const spy = vi.spyOn(usersRepository, 'findSelf');
    try {
      const got = await me(auth.student);
      expect(got).toMatchObject({
        user_id: users.student.user_id,
        name: users.student.name,
        email: users.student.email,
        role: 'student',
        org_id: users.student.org_id,
        is_active: true,
      });
      // The same fields as the read of the user row gives (GET /admin/users/{id}).
      const full = await t.app
        .inject({ method: 'GET', url: `/admin/users/${users.student.user_id}`, headers: auth.admin })
        .then((r) => r.json().data);
      expect(got).toEqual(full);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('shows the user’s own name change on the next request', async () => {
    const { auth } = await t.world();
    await me(auth.student);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/auth/profile',
      headers: auth.student,
      payload: { name: 'Renamed Self' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().data.name).toBe('Renamed Self');
    expect((await me(auth.student)).name).toBe('Renamed Self');
  });

  it('shows an admin’s change of name and email on the next request', async () => {
    const { users, auth } = await t.world();
    await me(auth.student);
    const email = `changed-${users.student.user_id}@example.com`;
    const put = await t.app.inject({
      method: 'PUT',
      url: `/admin/users/${users.student.user_id}`,
      headers: auth.admin,
      payload: { name: 'Renamed By Admin', email },
    });
    expect(put.statusCode).toBe(200);
    const got = await me(auth.student);
    expect(got.name).toBe('Renamed By Admin');
    expect(got.email).toBe(email);
  });

  it('shows another process’s change of name, email and last login on the next request', async () => {
    const { users, auth } = await t.world();
    const before = await me(auth.teacher);
    const at = Date.now() + 60_000;
    await other.db
      .updateTable('users')
      .set({
        name: 'Renamed Elsewhere',
        email: `elsewhere-${users.teacher.user_id}@example.com`,
        last_login_at: at,
        updated_at: at,
      })
      .where('user_id', '=', users.teacher.user_id)
      .execute();
    const got = await me(auth.teacher);
    expect(got.name).toBe('Renamed Elsewhere');
    expect(got.email).toBe(`elsewhere-${users.teacher.user_id}@example.com`);
    expect(got.last_login_at).toBe(new Date(at).toISOString());
    expect(got.updated_at).not.toBe(before.updated_at);
  });
});
