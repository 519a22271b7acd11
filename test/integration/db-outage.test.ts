/**
 * Database outage: the app talks to PostgreSQL (or MySQL) through a TCP proxy that this test can cut
 * and restore — from the app's side exactly what a stopped and restarted server looks like
 * (connections dropped, new ones refused), without stopping the server other test files use.
 * During the outage: 503 in the envelope, /health degraded; afterwards: recovery without a restart.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { freshDatabaseUrl } from '../helpers/databases.js';

const base = process.env.TEST_DATABASE_URL ?? '';
const runnable = /^(postgres|mysql|mariadb)/.test(base);
if (!runnable) console.warn('db-outage.test.ts skipped: needs TEST_DATABASE_URL on a server engine');

function tcpProxy(target: { host: string; port: number }) {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  let port = 0;
  return {
    async start() {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
      const addr = server.address();
      if (typeof addr === 'object' && addr) port = addr.port;
      return port;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
  };
}

describe.skipIf(!runnable)('database outage and recovery', () => {
  let t: TestContext;
  let proxy: ReturnType<typeof tcpProxy>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    const u = new URL(fresh.url.replace(/^postgres(ql)?:/, 'http:').replace(/^mysql:/, 'http:'));
    proxy = tcpProxy({
      host: u.hostname,
      port: Number(u.port || (base.startsWith('postgres') ? 5432 : 3306)),
    });
    const port = await proxy.start();
    const proxied = fresh.url
      .replace(`${u.hostname}:${u.port}`, `127.0.0.1:${port}`)
      .replace(`@${u.hostname}/`, `@127.0.0.1:${port}/`);
    t = await createTestApp({ DATABASE_URL: proxied });
  });
  afterAll(async () => {
    await proxy?.stop();
    await t?.close().catch(() => undefined);
    await drop?.();
  });

  it('answers 503 in the envelope while the database is down and recovers when it is back', async () => {
    const w = await t.world();
    const profile = () => t.app.inject({ method: 'GET', url: '/auth/profile', headers: w.auth.student });
    expect((await profile()).statusCode).toBe(200);

    await proxy.stop();
    const down = await profile();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ success: false, error_code: 'SERVICE_UNAVAILABLE' });
    expect(down.body).not.toMatch(/ECONNREFUSED|terminated|stack/i);
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().data).toMatchObject({ status: 'degraded', database: 'unavailable' });
    // The load balancer's probe takes the instance out; the liveness probe does not restart it.
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().data).toMatchObject({ status: 'not_ready', database: 'unavailable' });
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: w.users.student.email, password: 'whatever1A' },
    });
    expect(login.statusCode).toBe(503);

    await proxy.start();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await profile()).statusCode;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(recovered).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  }, 60_000);
});
