import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let superAuth: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
});
afterAll(async () => t.close());

const DAY = 86_400_000;
const post = (headers: Record<string, string>, payload: object) =>
  t.app.inject({ method: 'POST', url: '/admin/users/deactivate-inactive', headers, payload });
const isActive = async (id: string) =>
  (await t.db.selectFrom('users').select('is_active').where('user_id', '=', id).executeTakeFirstOrThrow())
    .is_active;

/** An organization with users idle for various times; `t.world()` users log in now (recent). */
async function scene() {
  const w = await t.world();
  const org = w.org.org_id;
  const old = Date.now() - 100 * DAY;
  const idle = await t.factory.user('student', org, { last_login_at: old, created_at: old - DAY });
  const neverLoggedOld = await t.factory.user('teacher', org, { last_login_at: null, created_at: old });
  const neverLoggedNew = await t.factory.user('student', org, { last_login_at: null });
  const recentLogin = await t.factory.user('student', org, {
    last_login_at: Date.now() - DAY,
    created_at: old,
  });
  const idleSuper = await t.factory.user('super_admin', org, { last_login_at: old, created_at: old });
  const alreadyOff = await t.factory.user('student', org, {
    last_login_at: old,
    created_at: old,
    is_active: 0,
  });
  return { w, idle, neverLoggedOld, neverLoggedNew, recentLogin, idleSuper, alreadyOff };
}

describe('POST /admin/users/deactivate-inactive', () => {
  it('deactivates idle users of the organization only, never super_admins or the caller, and ends their sessions', async () => {
    const s = await scene();
    const other = await scene();
    // The idle student still has a session from long ago (a refresh-kept login).
    const session = await t.login({ email: s.idle.email });
    await t.db
      .updateTable('users')
      .set({ last_login_at: Date.now() - 100 * DAY })
      .where('user_id', '=', s.idle.user_id)
      .execute();
    // The caller has never logged in "recently" by the data either: still never deactivated.
    await t.db
      .updateTable('users')
      .set({ last_login_at: Date.now() - 100 * DAY })
      .where('user_id', '=', s.w.users.admin.user_id)
      .execute();

    const res = await post(s.w.auth.admin, { inactive_days: 30 });
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d.count).toBe(2);
    expect(d.user_ids.sort()).toEqual([s.idle.user_id, s.neverLoggedOld.user_id].sort());
    expect(await isActive(s.idle.user_id)).toBe(0);
    expect(await isActive(s.neverLoggedOld.user_id)).toBe(0);
    for (const u of [
      s.neverLoggedNew,
      s.recentLogin,
      s.idleSuper,
      s.w.users.admin,
      other.idle,
      other.neverLoggedOld,
    ])
      expect(await isActive(u.user_id)).toBe(1);
    expect(
      (await t.app.inject({ method: 'GET', url: '/auth/profile', headers: session.headers })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/auth/profile', headers: s.w.auth.admin })).statusCode,
    ).toBe(200);

    // Running again finds nobody new.
    expect((await post(s.w.auth.admin, { inactive_days: 30 })).json().data).toEqual({
      count: 0,
      user_ids: [],
    });
  });

  it('lets super_admin target one organization with org_id, or all without it', async () => {
    const a = await scene();
    const b = await scene();
    const one = await post(superAuth, { inactive_days: 30, org_id: a.w.org.org_id });
    expect(one.json().data.user_ids.sort()).toEqual([a.idle.user_id, a.neverLoggedOld.user_id].sort());
    expect(await isActive(b.idle.user_id)).toBe(1);
    const all = await post(superAuth, { inactive_days: 30 });
    expect(all.json().data.user_ids).toEqual(
      expect.arrayContaining([b.idle.user_id, b.neverLoggedOld.user_id]),
    );
    expect(await isActive(b.idle.user_id)).toBe(0);
    expect(await isActive(b.idleSuper.user_id)).toBe(1);
    expect((await post(superAuth, { inactive_days: 30, org_id: newId() })).statusCode).toBe(404);
  });

  it('answers 404 to an admin naming another organization, 403 to teachers and students, 401, 400', async () => {
    const a = await scene();
    const b = await scene();
    expect((await post(a.w.auth.admin, { inactive_days: 30, org_id: b.w.org.org_id })).statusCode).toBe(404);
    expect(await isActive(b.idle.user_id)).toBe(1);
    expect((await post(a.w.auth.teacher, { inactive_days: 30 })).statusCode).toBe(403);
    expect((await post(a.w.auth.student, { inactive_days: 30 })).statusCode).toBe(403);
    expect((await post({}, { inactive_days: 30 })).statusCode).toBe(401);
    for (const body of [
      {},
      { inactive_days: 0 },
      { inactive_days: '30' },
      { inactive_days: 1.5 },
      { inactive_days: 30, x: 1 },
    ]) {
      const res = await post(a.w.auth.admin, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await isActive(a.idle.user_id)).toBe(1);
  });
});
