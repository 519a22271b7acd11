/**
 * Two server processes on one database: state that matters (revoked sessions, login limits)
 * must hold across them. Needs a server database (TEST_DATABASE_URL=postgres://… or mysql://…)
 * and Redis (TEST_REDIS_URL) — SQLite in memory cannot be shared between processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../helpers/databases.js';
import { type ServerProcess, startServer } from '../helpers/server-process.js';

const dbUrl = process.env.TEST_DATABASE_URL ?? '';
const redisUrl = process.env.TEST_REDIS_URL;
const runnable = /^(postgres|mysql|mariadb)/.test(dbUrl) && Boolean(redisUrl);
if (!runnable) {
  console.warn('multiprocess.test.ts skipped: needs TEST_DATABASE_URL on a server engine and TEST_REDIS_URL');
}

describe.skipIf(!runnable)('two processes, one database, one Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  const email = `multi-${Date.now().toString(36)}@example.com`;
  const password = 'Multi-Passw0rd';

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    const env = {
      DATABASE_URL: fresh.url,
      REDIS_URL: redisUrl ?? '',
      JWT_SECRET_KEY: 'multi-process-jwt-secret-0123456789abcdef',
      SECRET_KEY: 'multi-process-secret-key-0123456789abcdef',
      BOOTSTRAP_ADMIN_EMAIL: email,
      BOOTSTRAP_ADMIN_PASSWORD: password,
      LOGIN_MAX_PER_ACCOUNT: '3',
      LOGIN_MAX_PER_ACCOUNT_IP: '3',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    };
    a = await startServer(env); // migrates and bootstraps
    b = await startServer(env);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  const login = (s: ServerProcess, pw: string) =>
    fetch(`${s.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: pw }),
    });

  it('a session revoked through one process is refused by the other', async () => {
    const res = await login(a, password);
    expect(res.status).toBe(200);
    const token = (await res.json()).data.jwt_token;
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${b.url}/auth/profile`, { headers })).status).toBe(200);
    expect((await fetch(`${a.url}/auth/logout`, { method: 'POST', headers })).status).toBe(200);
    expect((await fetch(`${b.url}/auth/profile`, { headers })).status).toBe(401);
  });

  it('a login limit reached through one process holds on the other', async () => {
    for (let i = 0; i < 3; i++) expect((await login(a, `Wrong-pass${i}`)).status).toBe(401);
    const res = await login(b, password);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
