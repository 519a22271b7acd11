/**
 * API.md Part 2 "Web app": the refresh token in an HttpOnly cookie for browsers (`X-Auth-Cookie: 1`),
 * a body-less refresh that uses it from PUBLIC_URL's origin only, logout clearing it, logout-all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';

const ORIGIN = 'http://localhost:5000'; // PUBLIC_URL's default outside production
let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

type Res = Awaited<ReturnType<TestContext['app']['inject']>>;
const setCookie = (res: Res): string => {
  const h = res.headers['set-cookie'];
  return Array.isArray(h) ? h.join('\n') : (h ?? '');
};
const cookieValue = (res: Res) => /attendance_refresh=([^;]*)/.exec(setCookie(res))?.[1];

async function cookieLogin(ctx: TestContext = t) {
  const org = await ctx.factory.org();
  const user = await ctx.factory.user('student', org.org_id);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'x-auth-cookie': '1' },
    payload: { email: user.email, password: PASSWORD },
  });
  return { user, res };
}
const cookieRefresh = (cookie: string, headers: Record<string, string> = { origin: ORIGIN }, ctx = t) =>
  ctx.app.inject({
    method: 'POST',
    url: '/auth/refresh',
    headers: { cookie: `other=1; attendance_refresh=${cookie}`, ...headers },
  });
const profile = (jwt: string) =>
  t.app.inject({ method: 'GET', url: '/auth/profile', headers: { authorization: `Bearer ${jwt}` } });

describe('refresh token in an HttpOnly cookie', () => {
  it('login with X-Auth-Cookie: 1 sets the cookie (HttpOnly, SameSite=Strict, Path=/auth) and leaves it out of the body', async () => {
    const { res } = await cookieLogin();
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.refresh_token).toBeUndefined();
    expect(data.jwt_token).toBeTruthy();
    const header = setCookie(res);
    expect(header).toMatch(/^attendance_refresh=[0-9a-f-]{36}\.0\.[A-Za-z0-9_-]{43}; /);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/auth');
    expect(header).toContain(`Max-Age=${t.config.sessionExpiryHours * 3600}`);
    expect(header).not.toContain('Secure'); // PUBLIC_URL is http here
    // Without the header, Part 1's body stays as it was and no cookie is set.
    const org = await t.factory.org();
    const plain = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: (await t.factory.user('student', org.org_id)).email, password: PASSWORD },
    });
    expect(plain.json().data.refresh_token).toBeTruthy();
    expect(plain.headers['set-cookie']).toBeUndefined();
  });

  it('POST /auth/refresh with no body uses the cookie from PUBLIC_URL origin and rotates it', async () => {
    const { res } = await cookieLogin();
    const first = cookieValue(res)!;
    const r = await cookieRefresh(first);
    expect(r.statusCode).toBe(200);
    expect(r.json().data.refresh_token).toBeUndefined();
    const next = cookieValue(r)!;
    expect(next).toMatch(/\.1\./);
    expect((await profile(r.json().data.jwt_token)).statusCode).toBe(200);
    const again = await cookieRefresh(next);
    expect(again.statusCode).toBe(200);
    expect(cookieValue(again)).toMatch(/\.2\./);
  });

  it('a cookie refresh without Origin or from another origin is 403 and leaves the session alive', async () => {
    const { res } = await cookieLogin();
    const cookie = cookieValue(res)!;
    const variants: Record<string, string>[] = [
      {},
      { origin: 'http://localhost:3000' },
      { origin: 'https://evil.test' },
    ];
    for (const headers of variants) {
      const r = await cookieRefresh(cookie, headers);
      expect(r.statusCode).toBe(403);
      expect(r.json().error_code).toBe('FORBIDDEN');
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    expect((await cookieRefresh(cookie)).statusCode).toBe(200);
  });

  it('no body and no cookie is 401; a body token still works without cookie mode', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/auth/refresh', headers: { origin: ORIGIN } });
    expect(none.statusCode).toBe(401);
    const garbage = await cookieRefresh('garbage');
    expect(garbage.statusCode).toBe(401);
    const s = await t.login(await t.factory.user('teacher', (await t.factory.org()).org_id));
    const body = await t.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: s.refresh },
    });
    expect(body.statusCode).toBe(200);
    expect(body.json().data.refresh_token).toBeTruthy();
    expect(body.headers['set-cookie']).toBeUndefined();
  });

  it('a body refresh with X-Auth-Cookie: 1 moves the new token into the cookie', async () => {
    const s = await t.login(await t.factory.user('teacher', (await t.factory.org()).org_id));
    const r = await t.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      headers: { 'x-auth-cookie': '1' },
      payload: { refresh_token: s.refresh },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().data.refresh_token).toBeUndefined();
    expect(cookieValue(r)).toMatch(/\.1\./);
  });

  it('logout clears the cookie and the cookie no longer refreshes', async () => {
    const { res } = await cookieLogin();
    const jwt = res.json().data.jwt_token;
    const out = await t.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(out.statusCode).toBe(200);
    expect(setCookie(out)).toMatch(/^attendance_refresh=; Max-Age=0; Path=\/auth; HttpOnly; SameSite=Strict/);
    expect((await cookieRefresh(cookieValue(res)!)).statusCode).toBe(401);
  });

  it('under an https PUBLIC_URL the cookie is Secure and the origin is that one', async () => {
    const secure = await createTestApp({ PUBLIC_URL: 'https://attendance.school.test/' });
    try {
      const { res } = await cookieLogin(secure);
      expect(setCookie(res)).toContain('; Secure');
      const cookie = cookieValue(res)!;
      expect((await cookieRefresh(cookie, { origin: ORIGIN }, secure)).statusCode).toBe(403);
      const ok = await cookieRefresh(cookie, { origin: 'https://attendance.school.test' }, secure);
      expect(ok.statusCode).toBe(200);
      expect(setCookie(ok)).toContain('; Secure');
    } finally {
      await secure.close();
    }
  });
});

describe('POST /auth/logout-all', () => {
  it('revokes every session of the caller, this one included, and no one else’s', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    const other = await t.login(await t.factory.user('student', org.org_id));
    const a = await t.login(user);
    const b = await t.login(user);
    const c = await t.login(user);
    const res = await t.app.inject({ method: 'POST', url: '/auth/logout-all', headers: b.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({ sessions_revoked: 3 });
    expect(setCookie(res)).toContain('attendance_refresh=; Max-Age=0');
    for (const s of [a, b, c]) {
      expect((await profile(s.token)).statusCode).toBe(401);
      const r = await t.app.inject({
        method: 'POST',
        url: '/auth/refresh',
        payload: { refresh_token: s.refresh },
      });
      expect(r.statusCode).toBe(401);
    }
    expect((await profile(other.token)).statusCode).toBe(200);
    const rows = await t.db
      .selectFrom('user_sessions')
      .select(['is_active', 'revoked_reason'])
      .where('user_id', '=', user.user_id)
      .execute();
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.is_active === 0 && r.revoked_reason === 'logout_all')).toBe(true);
    expect((await t.app.inject({ method: 'POST', url: '/auth/logout-all' })).statusCode).toBe(401);
  });
});

describe('CORS and the cookie', () => {
  it('CORS never allows credentials, even for a configured origin', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/auth/refresh',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
