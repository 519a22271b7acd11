/**
 * GET /metrics: 404 without METRICS_TOKEN, 401 with a wrong token, Prometheus text with the right
 * one — parsed by a Prometheus text-format parser, with the check-ins of this test counted and no
 * raw URL (ids, tickets) in any label.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStreams, registerOutboxDepth } from '../../../src/lib/metrics.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { CENTRE, insertSession, north } from '../attendance/fixtures.js';

const TOKEN = 'metrics-token-for-tests-0123456789';
let t: TestContext;
let plain: TestContext;
beforeAll(async () => {
  t = await createTestApp({ METRICS_TOKEN: TOKEN });
  plain = await createTestApp();
});
afterAll(async () => {
  await t.close();
  await plain.close();
});

interface Family {
  name: string;
  type: string;
  metrics: { value?: string; count?: string; labels?: Record<string, string> }[];
}

async function scrape(): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(res.body) as Family[];
  return { text: res.body, families: new Map(families.map((f) => [f.name, f])) };
}

const sample = (f: Family | undefined, labels: Record<string, string>) =>
  f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
const checkIns = async (outcome: string) =>
  Number(sample((await scrape()).families.get('attendance_check_ins_total'), { outcome })?.value ?? 0);

describe('/metrics access', () => {
  it('answers 404 (the JSON envelope) when METRICS_TOKEN is not set', async () => {
    const res = await plain.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: `Bearer ${TOKEN.slice(0, -1)}X` }],
    ['a longer token', { authorization: `Bearer ${TOKEN}0` }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('answers 401 with %s', async (_name, headers) => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ success: false, error_code: 'UNAUTHORIZED' });
    expect(res.body).not.toContain('http_request_duration_seconds');
  });
});

describe('/metrics content', () => {
  it('counts check-ins by outcome', async () => {
    const w = await t.world();
    const session = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const before = { ok: await checkIns('checked_in'), outside: await checkIns('outside_geofence') };

    const far = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: w.auth.student,
      payload: { session_id: session.session_id, ...north(500), accuracy: 10 },
    });
    expect(far.statusCode).toBe(422);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: w.auth.student,
      payload: { session_id: session.session_id, ...CENTRE, accuracy: 10 },
    });
    expect(ok.statusCode).toBe(201);
    // The record exists: the counter counts what the database holds.
    const rows = await t.db
      .selectFrom('attendance_records')
      .select('status')
      .where('session_id', '=', session.session_id)
      .execute();
    expect(rows).toHaveLength(1);

    expect(await checkIns('checked_in')).toBe(before.ok + 1);
    expect(await checkIns('outside_geofence')).toBe(before.outside + 1);
  });

  it('times requests by route template, never by raw URL', async () => {
    const w = await t.world();
    const secretId = '0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000';
    const history = await t.app.inject({
      method: 'GET',
      url: `/attendance/records/${secretId}/history`,
      headers: w.auth.student,
    });
    expect(history.statusCode).toBe(404);
    await t.app.inject({ method: 'GET', url: '/no/such/path/ticket-SECRET-42' });
    const { text, families } = await scrape();
    expect(text).not.toContain(secretId);
    expect(text).not.toContain('SECRET-42');
    const requests = families.get('http_requests_total');
    const counted = sample(requests, {
      method: 'GET',
      route: '/attendance/records/:record_id/history',
      status_code: '404',
    });
    expect(Number(counted?.value)).toBe(1);
    expect(
      Number(sample(requests, { route: 'unmatched', status_code: '404' })?.value),
    ).toBeGreaterThanOrEqual(1);
    // Latency: a histogram per route (this parser folds labelled histograms into one sample, so
    // the per-route series are read from the text).
    expect(families.get('http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/attendance\/records\/:record_id\/history",status_code="404"\} 1$/m,
    );
  });

  it('exposes open streams, outbox depth, the database pool and event-loop lag', async () => {
    openStreams.inc({ kind: 'live' });
    openStreams.inc({ kind: 'live' });
    const unregister = registerOutboxDepth(async () => 7);
    try {
      const { families } = await scrape();
      expect(Number(sample(families.get('attendance_open_streams'), { kind: 'live' })?.value)).toBe(2);
      expect(Number(families.get('attendance_outbox_depth')?.metrics[0]?.value)).toBe(7);
      const pool = families.get('attendance_db_pool_connections');
      expect(Number(sample(pool, { dialect: t.dialect, state: 'max' })?.value)).toBeGreaterThanOrEqual(1);
      expect(sample(pool, { dialect: t.dialect, state: 'waiting' })).toBeDefined();
      expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
      expect(families.get('nodejs_eventloop_lag_p99_seconds')).toBeDefined();
    } finally {
      openStreams.dec({ kind: 'live' }, 2);
      unregister();
    }
    expect((await scrape()).families.get('attendance_outbox_depth')?.metrics ?? []).toHaveLength(0);
  });
  it('reads the outbox depth of the app that runs: a user created and not yet delivered counts', async () => {
    // The last app built registers its outbox (one registry per process, one app per process in production).
    const live = await createTestApp({ METRICS_TOKEN: TOKEN });
    try {
      const depth = async () => {
        const res = await live.app.inject({
          method: 'GET',
          url: '/metrics',
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        const families = parsePrometheusTextFormat(res.body) as Family[];
        return Number(families.find((f) => f.name === 'attendance_outbox_depth')?.metrics[0]?.value);
      };
      const w = await live.world();
      // Events are stored only for a subscriber (the outbox's interest): the org has a webhook.
      const hook = await live.factory.webhook(w.org.org_id, ['user.created']);
      const before = await depth();
      const res = await live.app.inject({
        method: 'POST',
        url: '/admin/users',
        headers: w.auth.admin,
        payload: {
          name: 'Queued Person',
          email: 'queued@example.test',
          password: 'Passw0rd!test',
          role: 'student',
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(await depth()).toBe(before + 1);
      // Switched off before the pass: the event is settled and fans out to nothing.
      await live.db
        .updateTable('webhooks')
        .set({ is_active: 0 })
        .where('webhook_id', '=', hook.webhook_id)
        .execute();
      await live.app.outbox.deliverDue();
      expect(await depth()).toBe(0);
    } finally {
      await live.close();
    }
  });
});
