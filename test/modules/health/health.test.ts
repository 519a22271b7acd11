/** /health, /health/live, /health/ready: what probes and anonymous callers get. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';

const TOKEN = 'metrics-token-for-tests-0123456789';
let t: TestContext;
beforeAll(async () => {
  t = await createTestApp({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

describe('health', () => {
  it('/health tells anonymous callers nothing about the database engine', async () => {
    const res = await get('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ status: 'ok', database: 'ok' });
    expect(res.json().data).not.toHaveProperty('dialect');
    expect(res.body).not.toMatch(/sqlite|postgres|mysql/i);
    // A user's token is not the operator's.
    const w = await t.world();
    expect((await get('/health', w.auth.admin)).json().data).not.toHaveProperty('dialect');
    expect((await get('/health', { authorization: `Bearer ${TOKEN}x` })).json().data).not.toHaveProperty(
      'dialect',
    );
  });

  it('/health shows the dialect to the operator (metrics token)', async () => {
    const res = await get('/health', { authorization: `Bearer ${TOKEN}` });
    expect(res.json().data.dialect).toBe(t.dialect);
  });

  it('/health/live answers without the database', async () => {
    const res = await get('/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, message: 'Alive', data: { status: 'ok' } });
  });

  it('/health/ready is 200 with every migration applied, 503 while one is pending', async () => {
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().data).toEqual({ status: 'ready', database: 'ok', migrations: 'applied' });

    // Take the last migration's row away: the schema is what an older release left.
    const last = await t.db
      .selectFrom('kysely_migration' as never)
      .select(['name' as never, 'timestamp' as never])
      .orderBy('name' as never, 'desc')
      .executeTakeFirstOrThrow();
    await t.db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', (last as { name: string }).name as never)
      .execute();
    try {
      const pending = await get('/health/ready');
      expect(pending.statusCode).toBe(503);
      expect(pending.json()).toMatchObject({
        success: false,
        data: { status: 'not_ready', database: 'ok', migrations: 'pending', pending_migrations: 1 },
      });
      // Liveness is unaffected: restarting would not apply the migration by itself.
      expect((await get('/health/live')).statusCode).toBe(200);
    } finally {
      await t.db
        .insertInto('kysely_migration' as never)
        .values(last as never)
        .execute();
    }
    expect((await get('/health/ready')).statusCode).toBe(200);
  });
});
