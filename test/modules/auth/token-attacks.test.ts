/** Forged, altered, stale and misplaced tokens: each answers 401 and nothing else. */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../../src/modules/auth/tokens.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let user: { user_id: string; email: string };
let session: Awaited<ReturnType<TestContext['login']>>;
let secret: Uint8Array;

beforeAll(async () => {
  t = await createTestApp();
  const org = await t.factory.org();
  user = await t.factory.user('admin', org.org_id);
  session = await t.login(user);
  secret = new TextEncoder().encode(t.config.jwtSecret);
});
afterAll(async () => t.close());

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const profile = (token: string) =>
  t.app.inject({ method: 'GET', url: '/auth/profile', headers: { authorization: `Bearer ${token}` } });
const claims = () => ({ sid: session.sessionId });
const sign = (c: Record<string, unknown>) =>
  new SignJWT(c)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.user_id)
    .setIssuer('attendance')
    .setAudience('attendance-api');

describe('access-token attacks', () => {
  it('the genuine token works (control)', async () => {
    expect((await profile(session.token)).statusCode).toBe(200);
    expect(
      (await profile(await sign(claims()).setIssuedAt().setExpirationTime('5m').sign(secret))).statusCode,
    ).toBe(200);
  });

  it('alg: none is refused', async () => {
    const [, payload] = session.token.split('.');
    expect((await profile(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`)).statusCode).toBe(401);
  });

  it('an RS256 token (HS/RS confusion) is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject(user.user_id)
      .setIssuer('attendance')
      .setAudience('attendance-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await profile(token)).statusCode).toBe(401);
  });

  it('a tampered payload is refused', async () => {
    const [h, p, s] = session.token.split('.');
    const body = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${b64({ ...body, sub: '00000000-0000-7000-8000-000000000000', role: 'super_admin' })}.${s}`;
    expect((await profile(forged)).statusCode).toBe(401);
  });

  it('a token signed with another secret is refused', async () => {
    const token = await sign(claims())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-another-secret-123456'));
    expect((await profile(token)).statusCode).toBe(401);
  });

  it('an expired token and a not-yet-valid token are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(
      (
        await profile(
          await sign(claims())
            .setIssuedAt(now - 3600)
            .setExpirationTime(now - 60)
            .sign(secret),
        )
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await profile(
          await sign(claims())
            .setIssuedAt()
            .setNotBefore(now + 3600)
            .setExpirationTime(now + 7200)
            .sign(secret),
        )
      ).statusCode,
    ).toBe(401);
  });

  it('a token without a session id, or with another user’s session, is refused', async () => {
    expect(
      (await profile(await sign({}).setIssuedAt().setExpirationTime('5m').sign(secret))).statusCode,
    ).toBe(401);
    const other = await t.factory.user('student', null);
    const foreign = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(other.user_id)
      .setIssuer('attendance')
      .setAudience('attendance-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(secret);
    expect((await profile(foreign)).statusCode).toBe(401);
  });

  it('a token in the query string or a cookie is not read', async () => {
    expect(
      (await t.app.inject({ method: 'GET', url: `/auth/profile?access_token=${session.token}` })).statusCode,
    ).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/auth/profile',
          headers: { cookie: `token=${session.token}` },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/auth/profile', headers: { authorization: session.token } }))
        .statusCode,
    ).toBe(401);
  });

  it('a revoked session and a deleted user are refused', async () => {
    const s2 = await t.login(user);
    await t.db
      .updateTable('user_sessions')
      .set({ is_active: 0 })
      .where('session_id', '=', s2.sessionId)
      .execute();
    expect((await profile(s2.token)).statusCode).toBe(401);
    const s3 = await t.login(user);
    await t.db.updateTable('users').set({ is_active: 0 }).where('user_id', '=', user.user_id).execute();
    expect((await profile(s3.token)).statusCode).toBe(401);
    await t.db.updateTable('users').set({ is_active: 1 }).where('user_id', '=', user.user_id).execute();
  });
});

/**
 * Verified tokens are kept by their full text (src/modules/auth/tokens.ts): the cache must answer
 * exactly what verifying again would — time claims checked at each use, no other text accepted.
 */
describe('the verified-token cache', () => {
  const svc = () =>
    createTokenService({ jwtSecret: 'j'.repeat(40), secretKey: 's'.repeat(40), accessTtlSeconds: 900 });
  const who = { userId: 'u1', sessionId: 's1' };

  it('refuses a verified token once it has expired, and before its iat (a clock set back)', () => {
    const tokens = svc();
    const t0 = Date.UTC(2026, 0, 1);
    const token = tokens.signAccess(who, t0);
    expect(tokens.verifyAccess(token, t0)).toEqual(who);
    expect(tokens.verifyAccess(token, t0 + 60_000)).toEqual(who);
    // exp = iat + 900 s, 5 s of tolerance either side.
    expect(tokens.verifyAccess(token, t0 + 904_000)).toEqual(who);
    expect(tokens.verifyAccess(token, t0 + 905_000)).toBeNull();
    const again = svc();
    expect(again.verifyAccess(token, t0)).toEqual(who);
    expect(again.verifyAccess(token, t0 - 6_000)).toBeNull();
    expect(again.verifyAccess(token, t0)).toEqual(who);
  });

  it('accepts no other text for a verified one: every altered character, a prefix, a suffix', () => {
    const tokens = svc();
    const token = tokens.signAccess(who);
    expect(tokens.verifyAccess(token)).toEqual(who);
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const altered = token.slice(0, i) + flip(token[i]!) + token.slice(i + 1);
      const got = tokens.verifyAccess(altered);
      // Base64url's last character may carry unused bits: an alteration there can decode the same.
      if (got !== null) expect(i === token.length - 1 || token[i + 1] === '.').toBe(true);
    }
    expect(tokens.verifyAccess(token.slice(0, -1))).toBeNull();
    expect(tokens.verifyAccess(`${token}A`)).toBeNull();
    // A token of another secret, with the same claims, is not the verified one.
    expect(
      svc().verifyAccess(
        createTokenService({
          jwtSecret: 'k'.repeat(40),
          secretKey: 's'.repeat(40),
          accessTtlSeconds: 900,
        }).signAccess(who),
      ),
    ).toBeNull();
  });
});
