import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSecretBox } from '../../../src/modules/webhooks/webhook-secrets.js';
import { webhooksRepository } from '../../../src/modules/webhooks/webhooks.repository.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { startReceiver } from '../../helpers/webhook-receiver.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
});
afterAll(async () => t.close());

type Headers = Record<string, string>;
const HOUR = 3_600_000;

async function createHook(headers: Headers, url: string, events = ['user.created']) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/webhooks',
    headers,
    payload: { url, events },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { webhook_id: string; secret: string };
}

async function createUser(headers: Headers) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/admin/users',
    headers,
    payload: {
      name: 'Hooked',
      email: `h-${Math.random().toString(36).slice(2)}@example.test`,
      password: 'Passw0rd!test',
      role: 'student',
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json().data.user_id as string;
}

const outboxOf = (webhookId: string) =>
  t.db.selectFrom('outbox').selectAll().where('target_id', '=', webhookId).execute();

describe('webhook endpoints', () => {
  it('shows the secret once, stores it encrypted, and rotates it', async () => {
    const w = await t.world();
    const hook = await createHook(w.auth.admin, 'https://example.com/hook');
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(hook.secret.slice(6), 'base64')).toHaveLength(32);
    const row = await t.db
      .selectFrom('webhooks')
      .selectAll()
      .where('webhook_id', '=', hook.webhook_id)
      .executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(hook.secret.slice(6));
    const read = await t.app.inject({
      method: 'GET',
      url: `/admin/webhooks/${hook.webhook_id}`,
      headers: w.auth.admin,
    });
    expect(read.json().data.secret).toBeUndefined();
    expect(read.body).not.toContain(hook.secret.slice(6));
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/admin/webhooks/${hook.webhook_id}/rotate-secret`,
      headers: w.auth.admin,
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().data.secret).toMatch(/^whsec_/);
    expect(rotated.json().data.secret).not.toBe(hook.secret);
  });

  it('validates input and keeps organizations apart', async () => {
    const a = await t.world();
    const b = await t.world();
    const post = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/admin/webhooks', headers: a.auth.admin, payload });
    expect((await post({ url: 'ftp://example.com/x', events: ['user.created'] })).statusCode).toBe(400);
    expect((await post({ url: 'https://example.com/x', events: ['nope'] })).statusCode).toBe(400);
    expect((await post({ url: 'https://example.com/x', events: [] })).statusCode).toBe(400);
    const hook = await createHook(a.auth.admin, 'https://example.com/a');
    const other = await t.app.inject({
      method: 'GET',
      url: `/admin/webhooks/${hook.webhook_id}`,
      headers: b.auth.admin,
    });
    expect(other.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/admin/webhooks', headers: b.auth.admin });
    expect(list.json().data).toHaveLength(0);
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/webhooks', headers: a.auth.teacher })).statusCode,
    ).toBe(403);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/admin/webhooks/${hook.webhook_id}`,
      headers: a.auth.admin,
    });
    expect(del.statusCode).toBe(200);
    expect(
      await t.db
        .selectFrom('webhooks')
        .select('webhook_id')
        .where('webhook_id', '=', hook.webhook_id)
        .execute(),
    ).toHaveLength(0);
  });
});

describe('webhook delivery', () => {
  it('signs per Standard Webhooks; the receiver verifies with the standardwebhooks package', async () => {
    const rx = await startReceiver();
    try {
      const w = await t.world();
      const hook = await createHook(w.auth.admin, rx.url, ['user.created', 'session.closed']);
      const userId = await createUser(w.auth.admin);
      // The event row was written with the user, in its transaction.
      const events = await t.db
        .selectFrom('outbox')
        .selectAll()
        .where('channel', '=', 'event')
        .where('topic', '=', 'user.created')
        .execute();
      expect(events.some((e) => JSON.parse(e.payload).user_id === userId)).toBe(true);
      await t.app.outbox.deliverDue();
      const mine = rx.received.filter((r) => r.body.includes(userId));
      expect(mine).toHaveLength(1);
      const payload = new Webhook(hook.secret).verify(
        mine[0]!.body,
        mine[0]!.headers as Record<string, string>,
      ) as {
        type: string;
        data: { user_id: string; role: string };
      };
      expect(payload.type).toBe('user.created');
      expect(payload.data).toMatchObject({ user_id: userId, role: 'student' });
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(32).toString('base64')}`).verify(
          mine[0]!.body,
          mine[0]!.headers as Record<string, string>,
        ),
      ).toThrow();
      const [row] = await outboxOf(hook.webhook_id);
      expect(row).toMatchObject({
        state: 'delivered',
        attempts: 1,
        message_id: mine[0]!.headers['webhook-id'],
      });
    } finally {
      await rx.close();
    }
  });

  it('answering 500 three times then 200: delivered exactly once, same webhook-id, attempts logged', async () => {
    const rx = await startReceiver((n) => (n <= 3 ? 500 : 200));
    try {
      const w = await t.world();
      const hook = await createHook(w.auth.admin, rx.url);
      await createUser(w.auth.admin);
      let now = Date.now();
      await t.app.outbox.deliverDue(now);
      for (let i = 0; i < 6; i++) {
        now += 2 * HOUR; // past any backoff
        await t.app.outbox.deliverDue(now);
      }
      expect(rx.received).toHaveLength(4);
      expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      const [row] = await outboxOf(hook.webhook_id);
      expect(row).toMatchObject({ state: 'delivered', attempts: 4 });
      const res = await t.app.inject({
        method: 'GET',
        url: `/admin/webhooks/${hook.webhook_id}/deliveries`,
        headers: w.auth.admin,
      });
      const d = res.json().data[0];
      expect(d.state).toBe('delivered');
      expect(d.attempts_log.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500, 200]);
      expect(d.attempts_log[0].response_body).toHaveLength(1024);
      expect(d.attempts_log[0].duration_ms).toBeGreaterThanOrEqual(0);
    } finally {
      await rx.close();
    }
  });

  it('backs off exponentially, fails after 24 h, and a manual retry sends it again', async () => {
    let status = 503;
    const rx = await startReceiver(() => status);
    try {
      const w = await t.world();
      const hook = await createHook(w.auth.admin, rx.url);
      await createUser(w.auth.admin);
      const start = Date.now();
      await t.app.outbox.deliverDue(start);
      const gaps: number[] = [];
      let now = start;
      for (let i = 0; i < 4; i++) {
        const [row] = await outboxOf(hook.webhook_id);
        gaps.push(Number(row!.next_attempt_at) - now);
        now = Number(row!.next_attempt_at);
        await t.app.outbox.deliverDue(now);
      }
      // 10 s, 20 s, 40 s, 80 s, each ±20 %.
      gaps.forEach((g, i) => {
        expect(g).toBeGreaterThanOrEqual(10_000 * 2 ** i * 0.8 - 50);
        expect(g).toBeLessThanOrEqual(10_000 * 2 ** i * 1.2 + 1000);
      });
      await t.app.outbox.deliverDue(start + 23 * HOUR);
      expect((await outboxOf(hook.webhook_id))[0]!.state).toBe('pending');
      await t.app.outbox.deliverDue(start + 25 * HOUR);
      const [failed] = await outboxOf(hook.webhook_id);
      expect(failed).toMatchObject({ state: 'failed', last_error: 'HTTP 503' });
      status = 200;
      const retry = await t.app.inject({
        method: 'POST',
        url: `/admin/webhooks/${hook.webhook_id}/deliveries/${failed!.message_id}/retry`,
        headers: w.auth.admin,
      });
      expect(retry.statusCode).toBe(200);
      expect(retry.json().data.state).toBe('pending');
      await t.app.outbox.deliverDue();
      expect((await outboxOf(hook.webhook_id))[0]!.state).toBe('delivered');
      expect(rx.received.at(-1)!.headers['webhook-id']).toBe(failed!.message_id);
    } finally {
      await rx.close();
    }
  });

  it('does not follow redirects and counts them as failures', async () => {
    const rx = await startReceiver(() => 302);
    try {
      const w = await t.world();
      const hook = await createHook(w.auth.admin, rx.url);
      await createUser(w.auth.admin);
      await t.app.outbox.deliverDue();
      const [row] = await outboxOf(hook.webhook_id);
      expect(row).toMatchObject({ state: 'pending', last_error: 'HTTP 302', attempts: 1 });
      expect(rx.received).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  it('an inactive or deleted endpoint gets nothing; other event types are not sent', async () => {
    const rx = await startReceiver();
    try {
      const w = await t.world();
      const hook = await createHook(w.auth.admin, rx.url, ['session.closed']);
      await createUser(w.auth.admin);
      await t.app.outbox.deliverDue();
      expect(rx.received).toHaveLength(0);
      expect(await outboxOf(hook.webhook_id)).toHaveLength(0);
    } finally {
      await rx.close();
    }
  });
});

describe('what the outbox stores', () => {
  const eventsAbout = async (userId: string) =>
    (await t.db.selectFrom('outbox').select('payload').where('channel', '=', 'event').execute())
      .map((r) => JSON.parse(r.payload))
      .filter((e) => e.user_id === userId);

  it('stores an event only while a subscriber wants it: a webhook gets the changes made after its creation', async () => {
    const w = await t.world();
    // No webhook yet: the creation is not stored, so no later webhook can receive it.
    const before = await createUser(w.auth.admin);
    expect(await eventsAbout(before)).toEqual([]);
    // Another type, or another org's webhook, does not make it wanted either.
    await createHook(w.auth.admin, 'https://example.com/closed', ['session.closed']);
    const other = await t.world();
    await createHook(other.auth.admin, 'https://example.com/other-org');
    const stillUnwanted = await createUser(w.auth.admin);
    expect(await eventsAbout(stillUnwanted)).toEqual([]);
    const hook = await createHook(w.auth.admin, 'https://example.com/users');
    const after = await createUser(w.auth.admin);
    expect(await eventsAbout(after)).toEqual([
      expect.objectContaining({ type: 'user.created', user_id: after }),
    ]);
    // Switched off: not wanted any more.
    await t.db
      .updateTable('webhooks')
      .set({ is_active: 0 })
      .where('webhook_id', '=', hook.webhook_id)
      .execute();
    expect(await eventsAbout(await createUser(w.auth.admin))).toEqual([]);
  });

  it('stores every session.closed (warning rules are evaluated on it) even with no webhook', async () => {
    const w = await t.world();
    const now = Date.now();
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: w.auth.teacher,
      payload: {
        session_name: 'Closed with no webhook',
        start_time: new Date(now - 2 * HOUR).toISOString(),
        end_time: new Date(now + HOUR).toISOString(),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const sessionId = created.json().data.session_id as string;
    const close = await t.app.inject({
      method: 'POST',
      url: `/admin/sessions/${sessionId}/close`,
      headers: w.auth.teacher,
    });
    expect(close.statusCode, close.body).toBe(200);
    const stored = (
      await t.db.selectFrom('outbox').select('payload').where('topic', '=', 'session.closed').execute()
    ).map((r) => JSON.parse(r.payload).session_id);
    expect(stored).toContain(sessionId);
  });
});

describe('SSRF guard without WEBHOOK_ALLOW_PRIVATE', () => {
  it('refuses private URLs at creation and loopback at delivery', async () => {
    const strict = await createTestApp();
    const rx = await startReceiver();
    try {
      const w = await strict.world();
      for (const url of [
        'http://127.0.0.1/x',
        'http://localhost/x',
        'http://[::1]/x',
        'http://169.254.169.254/latest',
        'http://10.0.0.1/',
      ]) {
        const res = await strict.app.inject({
          method: 'POST',
          url: '/admin/webhooks',
          headers: w.auth.admin,
          payload: { url, events: ['user.created'] },
        });
        expect(res.statusCode, url).toBe(400);
      }
      // Stored as if created while allowed (or a name whose DNS changed since): refused per delivery.
      const box = createSecretBox(strict.config.secretKey);
      await strict.db
        .insertInto('webhooks')
        .values({
          webhook_id: '00000000-0000-7000-8000-00000000beef',
          org_id: w.org.org_id,
          url: rx.url,
          events: '["user.created"]',
          description: null,
          secret_enc: box.seal(`whsec_${Buffer.alloc(32, 1).toString('base64')}`),
          is_active: 1,
          created_by: null,
          created_at: Date.now(),
          updated_at: Date.now(),
        })
        .execute();
      await strict.app.inject({
        method: 'POST',
        url: '/admin/users',
        headers: w.auth.admin,
        payload: {
          name: 'S',
          email: `s-${Date.now()}@example.test`,
          password: 'Passw0rd!test',
          role: 'student',
        },
      });
      await strict.app.outbox.deliverDue();
      expect(rx.received).toHaveLength(0);
      const [row] = await strict.db
        .selectFrom('outbox')
        .selectAll()
        .where('channel', '=', 'webhook')
        .execute();
      expect(row).toMatchObject({ state: 'pending', last_error: expect.stringContaining('not public') });
    } finally {
      await rx.close();
      await strict.close();
    }
  });
});

describe('webhook fan-out of one outbox pass', () => {
  it('reads the org endpoints once per pass, and still fans out every event to each subscribed endpoint', async () => {
    const w = await t.world();
    const a = await createHook(w.auth.admin, 'https://example.com/a');
    const b = await createHook(w.auth.admin, 'https://example.com/b');
    await t.app.outbox.deliverDue();
    for (let i = 0; i < 5; i++) await createUser(w.auth.admin);
    const reads = vi.spyOn(webhooksRepository, 'activeOf');
    try {
      await t.app.outbox.deliverDue(Date.now(), 50);
      expect(reads.mock.calls.filter(([, orgId]) => orgId === w.org.org_id)).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
    expect(await outboxOf(a.webhook_id)).toHaveLength(5);
    expect(await outboxOf(b.webhook_id)).toHaveLength(5);
  });
});
