/**
 * The outbox across a crash: users are created (each 201 means its user.created event row committed),
 * the server is SIGKILLed before its worker ran, and after a restart on the same SQLite file every
 * event reaches a real loopback receiver, signed, and is marked delivered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'att-outbox-'));
const file = join(dir, 'outbox.db');
const env = {
  JWT_SECRET_KEY: 'outbox-crash-jwt-secret-0123456789abcdef',
  SECRET_KEY: 'outbox-crash-secret-key-0123456789abcdef',
  DATABASE_URL: `sqlite:///${file}`,
  BOOTSTRAP_ADMIN_EMAIL: 'root@example.test',
  BOOTSTRAP_ADMIN_PASSWORD: 'Crash-Passw0rd',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  WEBHOOK_ALLOW_PRIVATE: 'true',
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function call(url: string, method: string, path: string, token: string | null, body?: object) {
  const res = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as { data: Record<string, string> } };
}

describe('outbox durability', () => {
  it('loses no event to a SIGKILL between commit and delivery', async () => {
    const rx = await startReceiver();
    // No outbox worker in the first process: nothing is delivered before the kill.
    const first = await startServer({ ...env, OUTBOX_POLL_MS: '0' });
    const created: string[] = [];
    let secret = '';
    try {
      const login = await call(first.url, 'POST', '/auth/login', null, {
        email: env.BOOTSTRAP_ADMIN_EMAIL,
        password: env.BOOTSTRAP_ADMIN_PASSWORD,
      });
      const token = login.json.data.jwt_token!;
      const org = await call(first.url, 'POST', '/admin/organizations', token, { name: 'Crash School' });
      const orgId = org.json.data.org_id!;
      const hook = await call(first.url, 'POST', '/admin/webhooks', token, {
        url: rx.url,
        events: ['user.created'],
        org_id: orgId,
      });
      expect(hook.status).toBe(201);
      secret = hook.json.data.secret!;
      for (let i = 0; i < 20; i++) {
        const u = await call(first.url, 'POST', '/admin/users', token, {
          name: `Student ${i}`,
          email: `crash${i}@example.test`,
          password: 'Passw0rd!test',
          role: 'student',
          org_id: orgId,
        });
        expect(u.status).toBe(201);
        created.push(u.json.data.user_id!);
      }
    } finally {
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
    }
    expect(rx.received).toHaveLength(0);

    // The scheduler (off under NODE_ENV=test) runs the outbox job in the restarted process.
    const second = await startServer({ ...env, OUTBOX_POLL_MS: '100', SCHEDULER_ENABLED: 'true' });
    try {
      const deadline = Date.now() + 20_000;
      while (rx.received.length < created.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const verifier = new Webhook(secret);
      const got = rx.received.map(
        (r) =>
          (verifier.verify(r.body, r.headers as Record<string, string>) as { data: { user_id: string } }).data
            .user_id,
      );
      expect(new Set(got)).toEqual(new Set(created));
      // The settling UPDATE follows the 2xx: wait for it.
      const db = new SqliteDriver(file, { readonly: true });
      let states: unknown[] = [];
      while (Date.now() < deadline + 10_000) {
        states = db
          .prepare("select state, count(*) as n from outbox where channel = 'webhook' group by state")
          .all();
        if (states.length === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      db.close();
      expect(states).toEqual([{ state: 'delivered', n: 20 }]);
      expect(rx.received.length, second.output()).toBe(20);
    } finally {
      await second.stop();
      await rx.close();
    }
  }, 90_000);
});
