/**
 * Property-based fuzzing of every route in /openapi.json: schema-shaped valid inputs, malformed ones,
 * raw non-JSON bodies, odd content types, bad path ids and odd query strings, sent by a logged-in
 * super_admin and an org admin. Invariants: never a 5xx, always the envelope, healthy afterwards.
 * Budget: FUZZ_RUNS per route (CI default 60; `npm run fuzz -- --runs 10000` for a long run).
 */

import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { type JsonSchema, junk, malformed, pathParam, rawBody, valid } from './arbitraries.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** FUZZ_ROUTES=<regex>: only the routes whose "METHOD path" matches (to fuzz one feature). */
const ONLY = process.env.FUZZ_ROUTES ? new RegExp(process.env.FUZZ_ROUTES) : undefined;
const fuzzStats = { cases: 0, routes: 0 };

interface Operation {
  parameters?: { name: string; in: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

let t: TestContext;
let routes: { method: string; path: string; op: Operation }[] = [];

beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_PER_IP: '1000000', LOGIN_MAX_PER_ACCOUNT: '10000' });
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  routes = Object.entries<Record<string, Operation>>(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
});
afterAll(async () => t.close());

/** Routes whose success is a stream that stays open (the live feed): read the status, then hang up. */
const STREAMS = new Set(['/attendance/session/{session_id}/live']);

async function injectStream(request: InjectOptions) {
  const res = await t.app.inject({ ...request, payloadAsStream: true });
  const stream = res.stream();
  let body = '';
  if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) stream.destroy();
  else for await (const chunk of stream) body += chunk;
  return { statusCode: res.statusCode, headers: res.headers, body };
}

function checkEnvelope(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  label: string,
) {
  expect(res.statusCode, `${label} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  const ct = String(res.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json')) return; // exports and the docs page
  const body = JSON.parse(res.body);
  if (res.statusCode >= 400) {
    expect(body.success, label).toBe(false);
    expect(typeof body.message, label).toBe('string');
    expect(typeof body.error_code, label).toBe('string');
  } else if (body && typeof body === 'object' && 'success' in body) {
    expect(body.success, label).toBe(true);
  }
}

describe('fuzzing every route from the OpenAPI document', () => {
  it('never answers 5xx, always with the envelope, and stays healthy', async () => {
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes) {
      if (route.path === '/openapi.json' || route.path.startsWith('/docs')) continue;
      if (ONLY && !ONLY.test(`${route.method} ${route.path}`)) continue;
      fuzzStats.routes++;
      // A fresh org and users per route: a route that revokes sessions or changes passwords must not
      // starve the next one of a working token.
      const w = await t.world();
      const superUser = await t.factory.user('super_admin', null);
      const actors = [w.auth.admin, w.auth.teacher, w.auth.student, (await t.login(superUser)).headers, {}];
      const bodySchema = route.op.requestBody?.content?.['application/json']?.schema;
      const query = (route.op.parameters ?? []).filter((p) => p.in === 'query');
      const knownIds = [w.org.org_id, w.users.admin.user_id, w.users.student.user_id];

      const input = fc.record({
        actor: fc.integer({ min: 0, max: actors.length - 1 }),
        ids: fc.array(fc.oneof(pathParam, fc.constantFrom(...knownIds)), { minLength: 4, maxLength: 4 }),
        query: fc.dictionary(
          query.length ? fc.constantFrom(...query.map((q) => q.name), 'unknown') : fc.constant('x'),
          fc.oneof(
            fc.string({ maxLength: 30 }),
            fc.constantFrom('-1', '0', '999999999999', 'NaN', '1e999', 'true', '2026-13-45', '%', "'"),
          ),
          { maxKeys: 3 },
        ),
        body: fc.oneof(
          { arbitrary: valid(bodySchema), weight: 3 },
          { arbitrary: malformed(bodySchema), weight: 3 },
          { arbitrary: junk, weight: 1 },
        ),
        raw: fc.option(rawBody, { freq: 6 }),
        contentType: fc.constantFrom(
          'application/json',
          'application/json',
          'application/json',
          'text/plain',
          'application/xml',
          'text/csv',
          'application/json; charset=latin1',
        ),
      });

      await fc.assert(
        fc.asyncProperty(input, async (c) => {
          fuzzStats.cases++;
          let i = 0;
          const url = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(c.ids[i++ % c.ids.length]!));
          const qs = new URLSearchParams(c.query).toString();
          const hasBody = !['GET', 'DELETE'].includes(route.method);
          const payload = hasBody ? (c.raw ?? JSON.stringify(c.body ?? {})) : undefined;
          const request = {
            method: route.method as 'GET',
            url: qs ? `${url}?${qs}` : url,
            headers: { ...actors[c.actor], ...(hasBody ? { 'content-type': c.contentType } : {}) },
            payload,
          };
          const res = STREAMS.has(route.path) ? await injectStream(request) : await t.app.inject(request);
          checkEnvelope(res, `${route.method} ${route.path}`);
        }),
        {
          numRuns: RUNS,
          seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
          endOnFailure: true,
        },
      );
    }
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    console.log(`fuzz: ${fuzzStats.cases} cases over ${fuzzStats.routes} routes, no 5xx`);
  }, 900_000);
});
