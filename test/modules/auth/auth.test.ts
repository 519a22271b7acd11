import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('POST /auth/register', () => {
  it('creates a student with the seed example body and stores a lower-cased email and an argon2id hash', async () => {
    const org = await t.factory.org();
    await t.factory.webhook(org.org_id, ['user.created']);
    const res = await post('/auth/register', {
      name: 'John Doe',
      email: 'John.Doe@Example.com',
      password: 'securePassword123',
      role: 'student',
      org_id: org.org_id,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.success).toBe(true);
    expect(body.data).toMatchObject({
      name: 'John Doe',
      email: 'john.doe@example.com',
      role: 'student',
      org_id: org.org_id,
      is_active: true,
    });
    expect(body.data.password_hash).toBeUndefined();
    const row = await t.db
      .selectFrom('users')
      .selectAll()
      .where('user_id', '=', body.data.user_id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.email).toBe('john.doe@example.com');
    // Announced like an admin's creation: a user.created event row for the org's webhook, the student as actor.
    const events = await t.db
      .selectFrom('outbox')
      .select('payload')
      .where('channel', '=', 'event')
      .where('topic', '=', 'user.created')
      .execute();
    const mine = events.map((e) => JSON.parse(e.payload)).filter((e) => e.user_id === body.data.user_id);
    expect(mine).toEqual([expect.objectContaining({ org_id: org.org_id, actor_id: body.data.user_id })]);
  });

  it('refuses a duplicate email in any letter case with 409 EMAIL_TAKEN', async () => {
    const org = await t.factory.org();
    const body = { name: 'A', email: 'dup@example.com', password: 'securePassword123', org_id: org.org_id };
    expect((await post('/auth/register', body)).statusCode).toBe(201);
    const res = await post('/auth/register', { ...body, email: 'DUP@example.com' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error_code).toBe('EMAIL_TAKEN');
    const n = await t.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('email', '=', 'dup@example.com')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it.each(['admin', 'teacher', 'super_admin'])(
    'refuses self-registration as %s with 403 and creates nothing',
    async (role) => {
      const org = await t.factory.org();
      const res = await post('/auth/register', {
        name: 'X',
        email: `x-${role}@example.com`,
        password: 'securePassword123',
        role,
        org_id: org.org_id,
      });
      expect(res.statusCode).toBe(403);
      expect(
        await t.db
          .selectFrom('users')
          .select('user_id')
          .where('email', '=', `x-${role}@example.com`)
          .executeTakeFirst(),
      ).toBeUndefined();
    },
  );

  it('answers 403 when the organization turned self-registration off, 404 for an unknown org', async () => {
    const closed = await t.factory.org({ self_registration: 0 });
    const body = { name: 'A', email: 'closed@example.com', password: 'securePassword123' };
    expect((await post('/auth/register', { ...body, org_id: closed.org_id })).statusCode).toBe(403);
    const res = await post('/auth/register', { ...body, org_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('NOT_FOUND');
  });

  it('lists every bad field in one 400', async () => {
    const res = await post('/auth/register', {
      name: '',
      email: 'not-an-email',
      password: 5,
      org_id: 'nope',
      extra: 1,
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error_code).toBe('VALIDATION_ERROR');
    const fields = body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'extra', 'name', 'org_id', 'password']));
  });

  it.each([
    ['short1A', 'at least 8'],
    ['alllowercaseletters', 'mix'],
    ['12345678901', 'mix'],
  ])('enforces the password policy (%s)', async (password, fragment) => {
    const org = await t.factory.org();
    const res = await post('/auth/register', {
      name: 'A',
      email: `p${password}@example.com`,
      password,
      org_id: org.org_id,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ field: 'password' });
    expect(res.json().errors[0].message).toContain(fragment);
  });
});

describe('POST /auth/login', () => {
  it('returns tokens, the user and the session with device info and IP', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('teacher', org.org_id);
    const res = await post('/auth/login', {
      email: user.email.toUpperCase(),
      password: PASSWORD,
      device_info: 'Mozilla/5.0 test',
    });
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({
      token_type: 'Bearer',
      user: { user_id: user.user_id, role: 'teacher' },
      session: { device_info: 'Mozilla/5.0 test', ip_address: '127.0.0.1' },
    });
    expect(d.expires_in).toBe(15 * 60);
    expect(d.jwt_token.split('.')).toHaveLength(3);
    const row = await t.db
      .selectFrom('users')
      .select('last_login_at')
      .where('user_id', '=', user.user_id)
      .executeTakeFirstOrThrow();
    expect(row.last_login_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it('gives the same status and message for an unknown email and a wrong password', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    const a = await post('/auth/login', { email: 'nobody@example.com', password: 'whatever1A' });
    const b = await post('/auth/login', { email: user.email, password: 'wrong-Password1' });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
  });

  it('refuses a deactivated user', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id, { is_active: 0 });
    const res = await post('/auth/login', { email: user.email, password: PASSWORD });
    expect(res.statusCode).toBe(401);
  });

  it('verifies a bcrypt hash from the seed and upgrades it to argon2id', async () => {
    const bcrypt = (await import('bcryptjs')).default;
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id, {
      password_hash: await bcrypt.hash(PASSWORD, 4),
    });
    const res = await post('/auth/login', { email: user.email, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const row = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('user_id', '=', user.user_id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect((await post('/auth/login', { email: user.email, password: PASSWORD })).statusCode).toBe(200);
  });

  it('limits failed attempts per account and address with 429 and Retry-After, even with the right password afterwards', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    for (let i = 0; i < t.config.loginMaxPerAccountIp; i++) {
      expect((await post('/auth/login', { email: user.email, password: `wrong-${i}Aa` })).statusCode).toBe(
        401,
      );
    }
    const res = await post('/auth/login', { email: user.email, password: PASSWORD });
    expect(res.statusCode).toBe(429);
    expect(res.json().error_code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 400 for a missing password', async () => {
    const res = await post('/auth/login', { email: 'a@b.c' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'password', message: 'is required' }]);
  });
});

describe('per-IP login limit', () => {
  it('refuses an address past LOGIN_MAX_PER_IP', async () => {
    const small = await createTestApp({ LOGIN_MAX_PER_IP: '3' });
    try {
      const org = await small.factory.org();
      const user = await small.factory.user('student', org.org_id);
      for (let i = 0; i < 3; i++) {
        const r = await small.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: user.email, password: PASSWORD },
        });
        expect(r.statusCode).toBe(200);
      }
      const r = await small.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: user.email, password: PASSWORD },
      });
      expect(r.statusCode).toBe(429);
    } finally {
      await small.close();
    }
  });
});

describe('tokens and sessions', () => {
  async function student() {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    return { user, session: await t.login(user) };
  }
  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

  it('GET /auth/verify and /auth/profile answer for a valid token, 401 without one', async () => {
    const { user, session } = await student();
    const v = await get('/auth/verify', session.headers);
    expect(v.statusCode).toBe(200);
    expect(v.json().data).toMatchObject({
      valid: true,
      user: { user_id: user.user_id },
      session: { session_id: session.sessionId, current: true },
    });
    expect((await get('/auth/profile', session.headers)).json().data.email).toBe(user.email);
    for (const url of ['/auth/verify', '/auth/profile', '/auth/sessions']) {
      const r = await get(url, {});
      expect(r.statusCode).toBe(401);
      expect(r.json().error_code).toBe('UNAUTHORIZED');
    }
    expect((await get('/auth/profile', { authorization: 'Bearer not.a.token' })).statusCode).toBe(401);
    expect((await get(`/auth/profile?token=${session.token}`, {})).statusCode).toBe(401);
  });

  it('logout revokes the access token and the refresh token at once', async () => {
    const { session } = await student();
    expect((await post('/auth/logout', {}, session.headers)).statusCode).toBe(200);
    expect((await get('/auth/profile', session.headers)).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: session.refresh })).statusCode).toBe(401);
    const row = await t.db
      .selectFrom('user_sessions')
      .selectAll()
      .where('session_id', '=', session.sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ is_active: 0, revoked_reason: 'logout' });
  });

  it('refresh rotates; presenting the old refresh token again revokes the whole session', async () => {
    const { session } = await student();
    const r1 = await post('/auth/refresh', { refresh_token: session.refresh });
    expect(r1.statusCode).toBe(200);
    const pair = r1.json().data;
    expect(pair.refresh_token).not.toBe(session.refresh);
    expect((await get('/auth/profile', { authorization: `Bearer ${pair.jwt_token}` })).statusCode).toBe(200);
    // The thief (or the victim) replays the rotated token after REFRESH_GRACE_SECONDS: the session
    // dies for both (within the grace, see refresh-grace.test.ts).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + (t.config.refreshGraceSeconds + 1) * 1000 });
    const replay = await post('/auth/refresh', { refresh_token: session.refresh }).finally(() =>
      vi.useRealTimers(),
    );
    expect(replay.statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: pair.refresh_token })).statusCode).toBe(401);
    expect((await get('/auth/profile', { authorization: `Bearer ${pair.jwt_token}` })).statusCode).toBe(401);
    expect((await get('/auth/profile', session.headers)).statusCode).toBe(401);
  });

  it('a forged refresh token is refused without revoking the real session', async () => {
    const { session } = await student();
    const [sid] = session.refresh.split('.');
    const forged = `${sid}.1.${'A'.repeat(43)}`;
    expect((await post('/auth/refresh', { refresh_token: forged })).statusCode).toBe(401);
    expect((await get('/auth/profile', session.headers)).statusCode).toBe(200);
    expect((await post('/auth/refresh', { refresh_token: 'garbage' })).statusCode).toBe(401);
  });

  it('change-password revokes every other session, keeps this one, and the new password works', async () => {
    const { user, session } = await student();
    const other = await t.login(user);
    const bad = await post(
      '/auth/change-password',
      { old_password: 'Wrong-pass1', new_password: 'NewPassw0rd!' },
      session.headers,
    );
    expect(bad.statusCode).toBe(400);
    const res = await post(
      '/auth/change-password',
      { old_password: PASSWORD, new_password: 'NewPassw0rd!' },
      session.headers,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().data.sessions_revoked).toBe(1);
    expect((await get('/auth/profile', other.headers)).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: other.refresh })).statusCode).toBe(401);
    expect((await get('/auth/profile', session.headers)).statusCode).toBe(200);
    expect((await post('/auth/login', { email: user.email, password: PASSWORD })).statusCode).toBe(401);
    expect((await post('/auth/login', { email: user.email, password: 'NewPassw0rd!' })).statusCode).toBe(200);
  });

  it('PUT /auth/profile updates the name only', async () => {
    const { user, session } = await student();
    const res = await t.app.inject({
      method: 'PUT',
      url: '/auth/profile',
      headers: session.headers,
      payload: { name: 'New Name' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.name).toBe('New Name');
    const row = await t.db
      .selectFrom('users')
      .select('name')
      .where('user_id', '=', user.user_id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('New Name');
    const role = await t.app.inject({
      method: 'PUT',
      url: '/auth/profile',
      headers: session.headers,
      payload: { name: 'x', role: 'admin' },
    });
    expect(role.statusCode).toBe(400);
    expect(role.json().errors).toEqual([{ field: 'role', message: 'is not an allowed field' }]);
  });

  it('lists own sessions and revokes one; another user cannot revoke it (404)', async () => {
    const { user, session } = await student();
    const second = await t.login(user);
    const list = await get('/auth/sessions', session.headers);
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json()
        .data.map((s: { session_id: string }) => s.session_id)
        .sort(),
    ).toEqual([session.sessionId, second.sessionId].sort());
    const stranger = await student();
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/auth/sessions/${second.sessionId}`,
      headers: stranger.session.headers,
    });
    expect(foreign.statusCode).toBe(404);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/auth/sessions/${second.sessionId}`,
      headers: session.headers,
    });
    expect(del.statusCode).toBe(200);
    expect((await get('/auth/profile', second.headers)).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/auth/sessions/not-a-uuid', headers: session.headers }))
        .statusCode,
    ).toBe(400);
  });

  it('a deactivated user is cut off at once', async () => {
    const { user, session } = await student();
    await t.db.updateTable('users').set({ is_active: 0 }).where('user_id', '=', user.user_id).execute();
    expect((await get('/auth/profile', session.headers)).statusCode).toBe(401);
  });
});
