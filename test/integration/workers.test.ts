/** WEB_CONCURRENCY=2: migrations once in the primary, two workers on one port, any request on any worker. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServer } from '../helpers/server-process.js';

describe('several workers', () => {
  let s: ServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'att-workers-'));
  const email = 'workers@example.com';
  const password = 'Workers-Passw0rd';

  beforeAll(async () => {
    s = await startServer({
      DATABASE_URL: `sqlite:///${join(dir, 'w.db')}`,
      WEB_CONCURRENCY: '2',
      JWT_SECRET_KEY: 'workers-jwt-secret-0123456789abcdef0123',
      SECRET_KEY: 'workers-secret-key-0123456789abcdef0123',
      BOOTSTRAP_ADMIN_EMAIL: email,
      BOOTSTRAP_ADMIN_PASSWORD: password,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a token issued by one worker is honoured by whichever worker answers, and logout holds everywhere', async () => {
    const res = await fetch(`${s.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    const headers = { authorization: `Bearer ${(await res.json()).data.jwt_token}`, connection: 'close' };
    const before = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${s.url}/auth/profile`, { headers }).then((r) => r.status)),
    );
    expect(before.every((c) => c === 200)).toBe(true);
    expect((await fetch(`${s.url}/auth/logout`, { method: 'POST', headers })).status).toBe(200);
    const after = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${s.url}/auth/profile`, { headers }).then((r) => r.status)),
    );
    expect(after.every((c) => c === 401)).toBe(true);
  });

  it('the bootstrap ran once: one super_admin', async () => {
    expect(s.output().match(/Created the first super_admin/g)).toHaveLength(1);
  });

  it('SIGTERM stops the primary and its workers with exit code 0', async () => {
    expect(await s.stop('SIGTERM')).toBe(0);
  });
});
