/**
 * Issue 14 item 1: guesses sent together. The failure count used to be read before the password was
 * verified and written after, so 200 parallel wrong passwords were all evaluated (200 × 401). Each
 * attempt now takes its slot first; the test counts the verifications the hasher actually ran.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../src/lib/rate-limiter.js';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';
import { countingHasher, limitStoreCases } from '../../helpers/limits.js';

const MAX = 5;
const PARALLEL = 200;

const cases = limitStoreCases('login-limit.test.ts');

let t: TestContext | undefined;
let store: RateLimitStore | undefined;
afterEach(async () => {
  await t?.close();
  await store?.close?.();
  t = undefined;
  store = undefined;
});

describe.each(cases)('login limit under parallel guesses ($name store)', (c) => {
  it(`${PARALLEL} parallel wrong passwords: at most LOGIN_MAX_PER_ACCOUNT evaluated, the rest 429`, async () => {
    const made = await c.make();
    store = made.store;
    const { h, counter } = countingHasher();
    t = await createTestApp(
      {
        LOGIN_MAX_PER_ACCOUNT: String(MAX),
        LOGIN_MAX_PER_ACCOUNT_IP: String(MAX),
        LOGIN_WINDOW_SECONDS: String(c.windowSeconds),
      },
      { hasher: h, limits: made.store },
    );
    const ctx = t;
    const org = await ctx.factory.org();
    const victim = await ctx.factory.user('student', org.org_id);
    const bystander = await ctx.factory.user('student', org.org_id);

    const guess = (i: number) =>
      ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: victim.email, password: `Wrong-guess-${i}` },
      });
    const [answers, other] = await Promise.all([
      Promise.all(Array.from({ length: PARALLEL }, (_, i) => guess(i))),
      // Another account logs in in the middle of the storm.
      ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: bystander.email, password: PASSWORD },
      }),
    ]);
    expect(other.statusCode).toBe(200);
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX);
    expect(statuses.filter((s) => s === 429)).toHaveLength(PARALLEL - MAX);
    // The bystander's one verification plus at most MAX of the victim's.
    expect(counter.verified).toBe(MAX + 1);
    const refused = answers.find((a) => a.statusCode === 429)!;
    expect(refused.json().error_code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // One audit entry for the burst: the failure whose slot filled the counter, not every parallel
    // failure that found it full afterwards.
    const limited = await ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'auth.login_limited')
      .execute();
    expect(limited).toHaveLength(1);
    expect(JSON.parse(limited[0]!.details!)).toMatchObject({ failures: MAX });

    // The right password is refused too until the window passes, and is not even evaluated.
    const before = counter.verified;
    const right = await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: victim.email, password: PASSWORD },
    });
    expect(right.statusCode).toBe(429);
    expect(counter.verified).toBe(before);
    expect(
      await ctx.db
        .selectFrom('user_sessions')
        .select('session_id')
        .where('user_id', '=', victim.user_id)
        .execute(),
    ).toHaveLength(0);

    await made.passWindow(Number(right.headers['retry-after']));
    const after = await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: victim.email, password: PASSWORD },
    });
    expect(after.statusCode).toBe(200);
  });

  it('a right password gives its slot back: successful logins never use up the limit', async () => {
    const made = await c.make();
    store = made.store;
    t = await createTestApp(
      {
        LOGIN_MAX_PER_ACCOUNT: String(MAX),
        LOGIN_MAX_PER_ACCOUNT_IP: String(MAX),
        LOGIN_WINDOW_SECONDS: String(c.windowSeconds),
      },
      { limits: made.store },
    );
    const ctx = t;
    const org = await ctx.factory.org();
    const user = await ctx.factory.user('teacher', org.org_id);
    const logins = await Promise.all(
      Array.from({ length: MAX * 3 }, () =>
        ctx.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: user.email, password: PASSWORD },
        }),
      ),
    );
    // In parallel, successes hold a slot only while verifying: some may see the ceiling, none is lost.
    const ok = logins.filter((l) => l.statusCode === 200).length;
    expect(ok).toBeGreaterThanOrEqual(MAX);
    for (let i = 0; i < MAX * 2; i++) expect((await ctx.login(user)).token).toBeTruthy();
    // All slots are free again: MAX wrong passwords are still evaluated before the 429.
    for (let i = 0; i < MAX; i++) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: user.email, password: `Wrong-${i}-pass` },
      });
      expect(r.statusCode).toBe(401);
    }
    const locked = await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: user.email, password: PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
  });
});

describe('takeSlot primitive', () => {
  it.each(cases)('never counts past the limit and gives back only live slots ($name)', async (c) => {
    const made = await c.make();
    store = made.store;
    const key = `unit:${Math.random()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => made.store.takeSlot(key, 7, 60_000)));
    expect(results.filter((r) => r.taken)).toHaveLength(7);
    expect(Math.max(...results.map((r) => r.count))).toBe(7);
    expect((await made.store.peek(key)).count).toBe(7);
    await made.store.giveBack(key);
    expect((await made.store.peek(key)).count).toBe(6);
    expect((await made.store.takeSlot(key, 7, 60_000)).taken).toBe(true);
    expect((await made.store.takeSlot(key, 7, 60_000)).taken).toBe(false);
    // Giving back more than was taken never goes below zero.
    const empty = `unit:${Math.random()}`;
    await made.store.giveBack(empty);
    expect((await made.store.peek(empty)).count).toBe(0);
  });
});
