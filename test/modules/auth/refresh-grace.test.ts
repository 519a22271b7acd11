/**
 * Issue 17 item 4: two tabs refreshing with the same token at once. The loser used to be taken for a
 * thief and revoke the session, so the winner's new token got 401 too. Within REFRESH_GRACE_SECONDS
 * of a rotation the just-rotated token returns the same new pair; older or later reuse still revokes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());
afterEach(() => vi.useRealTimers());

const refresh = (token: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/auth/refresh', headers, payload: { refresh_token: token } });
const profile = (jwt: string) =>
  t.app.inject({ method: 'GET', url: '/auth/profile', headers: { authorization: `Bearer ${jwt}` } });
/** Moves Date (only) forward by `ms` from now; the service reads time through Date.now. */
const later = (ms: number) => vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + ms });

async function fresh() {
  const org = await t.factory.org();
  return t.login(await t.factory.user('student', org.org_id));
}
const sessionRow = (id: string) =>
  t.db.selectFrom('user_sessions').selectAll().where('session_id', '=', id).executeTakeFirstOrThrow();

describe('refresh grace (REFRESH_GRACE_SECONDS, default 10)', () => {
  it('two concurrent refreshes with the same token both get the same new pair, and it works', async () => {
    const s = await fresh();
    const [a, b] = await Promise.all([refresh(s.refresh), refresh(s.refresh)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().data).toEqual(b.json().data);
    const pair = a.json().data;
    expect(pair.refresh_token).not.toBe(s.refresh);
    expect((await profile(pair.jwt_token)).statusCode).toBe(200);
    expect(await sessionRow(s.sessionId)).toMatchObject({
      is_active: 1,
      refresh_gen: 1,
      revoked_reason: null,
    });
    // The pair rotates on as usual.
    const next = await refresh(pair.refresh_token);
    expect(next.statusCode).toBe(200);
    expect((await profile(next.json().data.jwt_token)).statusCode).toBe(200);
  });

  it('five tabs at once: one rotation, five identical answers', async () => {
    const s = await fresh();
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(s.refresh)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect((await sessionRow(s.sessionId)).refresh_gen).toBe(1);
  });

  it('the just-rotated token presented again within the grace returns the same pair', async () => {
    const s = await fresh();
    const first = (await refresh(s.refresh)).json().data;
    later((t.config.refreshGraceSeconds - 2) * 1000);
    const again = await refresh(s.refresh);
    expect(again.statusCode).toBe(200);
    expect(again.json().data).toEqual(first);
  });

  it('the just-rotated token after the grace is theft: 401 and the session is revoked', async () => {
    const s = await fresh();
    const pair = (await refresh(s.refresh)).json().data;
    later((t.config.refreshGraceSeconds + 1) * 1000);
    const replay = await refresh(s.refresh);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().message).toMatch(/already used/);
    vi.useRealTimers();
    expect((await profile(pair.jwt_token)).statusCode).toBe(401);
    expect(await sessionRow(s.sessionId)).toMatchObject({ is_active: 0, revoked_reason: 'refresh_reuse' });
  });

  it('an older generation within the grace is theft: 401 and the session is revoked', async () => {
    const s = await fresh();
    const p1 = (await refresh(s.refresh)).json().data;
    const p2 = (await refresh(p1.refresh_token)).json().data;
    // s.refresh is generation 0; the session is at 2 and was rotated a moment ago.
    expect((await refresh(s.refresh)).statusCode).toBe(401);
    expect((await profile(p2.jwt_token)).statusCode).toBe(401);
    expect((await sessionRow(s.sessionId)).revoked_reason).toBe('refresh_reuse');
  });

  it('REFRESH_GRACE_SECONDS=0 turns the grace off: the concurrent loser revokes (Part 1 behaviour)', async () => {
    const strict = await createTestApp({ REFRESH_GRACE_SECONDS: '0' });
    try {
      const org = await strict.factory.org();
      const s = await strict.login(await strict.factory.user('student', org.org_id));
      const go = () =>
        strict.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: s.refresh } });
      expect((await go()).statusCode).toBe(200);
      expect((await go()).statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('no refresh token is stored: the row holds no token, no MAC and no access token', async () => {
    const s = await fresh();
    const pair = (await refresh(s.refresh)).json().data;
    const row = JSON.stringify(await sessionRow(s.sessionId));
    for (const secret of [s.refresh, pair.refresh_token, pair.jwt_token])
      for (const part of secret.split('.').filter((p: string) => p.length > 20 && !/^[0-9a-f-]{36}$/.test(p)))
        expect(row).not.toContain(part);
  });

  it('cookie mode: two tabs refreshing through the cookie get the same cookie', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-auth-cookie': '1' },
      payload: { email: user.email, password: 'Passw0rd!test' },
    });
    const cookie = /attendance_refresh=([^;]*)/.exec(String(login.headers['set-cookie']))![1];
    const tab = () =>
      t.app.inject({
        method: 'POST',
        url: '/auth/refresh',
        headers: { origin: 'http://localhost:5000', cookie: `attendance_refresh=${cookie}` },
      });
    const [a, b] = await Promise.all([tab(), tab()]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.headers['set-cookie']).toEqual(b.headers['set-cookie']);
    expect(a.json().data.jwt_token).toBe(b.json().data.jwt_token);
  });
});
