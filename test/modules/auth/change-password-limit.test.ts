/**
 * Issue 14 item 1, "the same pattern anywhere else": POST /auth/change-password verified
 * `old_password` with no limit, so a stolen access token could guess the password without meeting
 * the login's limits. A wrong old password now takes a slot of the login's own counters first (per
 * account and address, per account), so login and change-password share one budget of guesses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../src/lib/rate-limiter.js';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';
import { countingHasher, limitStoreCases } from '../../helpers/limits.js';

const PER_IP = 4;
const PER_ACCOUNT = 10;
const PARALLEL = 60;
const THIEF = '203.0.113.50';
const NEW_PASSWORD = 'Another-Passw0rd-2';

let t: TestContext | undefined;
let store: RateLimitStore | undefined;
afterEach(async () => {
  await t?.close();
  await store?.close?.();
  t = undefined;
  store = undefined;
});

describe.each(limitStoreCases('change-password-limit.test.ts'))(
  'change-password under parallel wrong old passwords ($name store)',
  (c) => {
    async function setUp() {
      const made = await c.make();
      store = made.store;
      const counting = countingHasher();
      t = await createTestApp(
        {
          LOGIN_MAX_PER_ACCOUNT_IP: String(PER_IP),
          LOGIN_MAX_PER_ACCOUNT: String(PER_ACCOUNT),
          LOGIN_WINDOW_SECONDS: String(c.windowSeconds),
        },
        { hasher: counting.h, limits: made.store },
      );
      const ctx = t;
      const org = await ctx.factory.org();
      const user = await ctx.factory.user('student', org.org_id);
      const { headers } = await ctx.login(user);
      const change = (old_password: string, remoteAddress = THIEF) =>
        ctx.app.inject({
          method: 'POST',
          url: '/auth/change-password',
          headers,
          remoteAddress,
          payload: { old_password, new_password: NEW_PASSWORD },
        });
      return { ctx, user, change, counter: counting.counter, passWindow: made.passWindow };
    }

    it(`${PARALLEL} parallel guesses from one address: LOGIN_MAX_PER_ACCOUNT_IP evaluated, the rest 429`, async () => {
      const { ctx, user, change, counter, passWindow } = await setUp();
      const before = counter.verified;
      const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => change(`Wrong-${i}-pw`)));
      expect(counter.verified - before).toBe(PER_IP);
      const statuses = answers.map((a) => a.statusCode);
      expect(statuses.filter((s) => s === 400)).toHaveLength(PER_IP);
      expect(statuses.filter((s) => s === 429)).toHaveLength(PARALLEL - PER_IP);
      const refused = answers.find((a) => a.statusCode === 429)!;
      expect(refused.json().error_code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

      // The right old password is refused too, and not evaluated, until the window passes.
      const right = await change(PASSWORD);
      expect(right.statusCode).toBe(429);
      expect(counter.verified - before).toBe(PER_IP);
      // The same counter as a login's from that address: it is refused there as well.
      const login = await ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: THIEF,
        payload: { email: user.email, password: PASSWORD },
      });
      expect(login.statusCode).toBe(429);
      // One audit entry for the burst, naming the route the guesses came through.
      const audit = await ctx.db
        .selectFrom('audit_log')
        .select(['actor_id', 'target_id', 'details'])
        .where('action', '=', 'auth.login_limited')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_id: user.user_id, target_id: user.user_id });
      expect(JSON.parse(audit[0]!.details!)).toMatchObject({
        scope: 'account_address',
        failures: PER_IP,
        via: 'change_password',
      });

      await passWindow(Number(right.headers['retry-after']));
      const after = await change(PASSWORD);
      expect(after.statusCode).toBe(200);
    });

    it('guesses spread over addresses stop at LOGIN_MAX_PER_ACCOUNT, shared with the login', async () => {
      const { ctx, user, change, counter } = await setUp();
      const before = counter.verified;
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => change(`Wrong-${i}-pw`, `192.0.2.${i % 30}`)),
      );
      expect(counter.verified - before).toBe(PER_ACCOUNT);
      expect(answers.filter((a) => a.statusCode === 400)).toHaveLength(PER_ACCOUNT);
      expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(PARALLEL - PER_ACCOUNT);
      // The account's budget is spent for logins from new addresses too: one budget, two routes.
      const login = await ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '198.51.100.200',
        payload: { email: user.email, password: PASSWORD },
      });
      expect(login.statusCode).toBe(429);
    });

    it('the owner at an address of theirs changes the password though a guesser spent the account budget', async () => {
      const { ctx, user } = await setUp();
      // setUp signed the owner in from inject's default address (127.0.0.1): a known address.
      for (let i = 0; i < PER_ACCOUNT; i++) {
        const guess = await ctx.app.inject({
          method: 'POST',
          url: '/auth/login',
          remoteAddress: `192.0.2.${i}`,
          payload: { email: user.email, password: `Wrong-${i}-pw` },
        });
        expect(guess.statusCode).toBe(401);
      }
      const headers = (await ctx.login(user)).headers;
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/auth/change-password',
        headers,
        payload: { old_password: PASSWORD, new_password: NEW_PASSWORD },
      });
      // The login's known-address exemption holds here too: the attack must not keep the owner from
      // changing the password, which is what the owner does when attacked.
      expect(res.statusCode, res.body).toBe(200);
    });

    it('a right old password gives its slot back: changes never use up the budget', async () => {
      const { ctx, user, counter } = await setUp();
      let password = PASSWORD;
      let headers = (await ctx.login(user)).headers;
      for (let i = 0; i < PER_IP + 2; i++) {
        const next = `Changed-${i}-Passw0rd`;
        const res = await ctx.app.inject({
          method: 'POST',
          url: '/auth/change-password',
          headers,
          remoteAddress: THIEF,
          payload: { old_password: password, new_password: next },
        });
        expect(res.statusCode, `change ${i}`).toBe(200);
        password = next;
        headers = (await ctx.login(user, password)).headers;
      }
      // All PER_IP slots are still free at that address: as many wrong guesses are evaluated.
      const before = counter.verified;
      for (let i = 0; i < PER_IP; i++) {
        const res = await ctx.app.inject({
          method: 'POST',
          url: '/auth/change-password',
          headers,
          remoteAddress: THIEF,
          payload: { old_password: `Wrong-${i}-pw`, new_password: NEW_PASSWORD },
        });
        expect(res.statusCode).toBe(400);
      }
      expect(counter.verified - before).toBe(PER_IP);
    });
  },
);
