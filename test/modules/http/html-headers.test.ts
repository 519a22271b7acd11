/**
 * Security headers of HTML answers (decision 002): the web app's pages get the strict policy
 * whatever route serves them; the JSON API keeps its headers; /docs keeps swagger-ui's own policy
 * and still loads. A page route is registered here, in the test only, beside whatever the app serves.
 * The web app is built first when it is not (test/helpers/web-build.ts): the real pages are checked,
 * never only the "not built" fallback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppInstance, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { type DatabaseHandle, openDatabase } from '../../../src/db/connection.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { HTML_CSP } from '../../../src/plugins/security-headers.js';
import { installWebApp } from '../../../src/plugins/web-app.js';
import { ensureWebBuilt } from '../../helpers/web-build.js';

const PAGE = '<!doctype html><html><head><script type="module" src="/app/main.js"></script></head></html>';
let app: AppInstance;
let database: DatabaseHandle;
beforeAll(async () => {
  ensureWebBuilt();
  database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database);
  app = await buildApp({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:' }),
    database,
    logger: false,
  });
  app.get('/test-only/page', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  await app.ready();
}, 180_000);
afterAll(async () => {
  await app.close();
  await database.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });

/** `content-security-policy` as a map of directive → sources. */
function directives(header: unknown): Map<string, string[]> {
  expect(typeof header).toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

function expectPagePolicy(res: Awaited<ReturnType<typeof get>>) {
  const csp = directives(res.headers['content-security-policy']);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  expect(csp.get('script-src')).toEqual(["'self'"]); // no inline script, no eval
  expect(csp.get('style-src')).toEqual(["'self'"]);
  expect(csp.get('img-src')).toEqual(["'self'", 'data:']); // QR codes are SVG data URLs
  expect(csp.get('connect-src')).toEqual(["'self'"]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(String(res.headers['content-security-policy'])).not.toMatch(/unsafe-|\*/);
  expect(res.headers['referrer-policy']).toBe('same-origin');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['permissions-policy']).toContain('geolocation=(self)');
  expect(res.headers['permissions-policy']).toContain('camera=()');
}

describe('HTML answers', () => {
  it('a page gets the strict policy, Referrer-Policy and no framing', async () => {
    const res = await get('/test-only/page');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectPagePolicy(res);
    expect(res.headers['content-security-policy']).toBe(HTML_CSP);
  });

  it('every page the app serves (/, /app/*, /c/*) is the built app under the policy', async () => {
    for (const url of [
      '/',
      '/app',
      '/app/',
      '/app/teacher/sessions',
      '/c/0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expectPagePolicy(res);
      expect(res.headers['content-security-policy'], url).toBe(HTML_CSP);
      // The real page: the module bundle it loads is served from this origin, as script-src allows.
      const bundles = [...res.body.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map(
        (m) => m[1]!,
      );
      expect(bundles.length, url).toBeGreaterThan(0);
      for (const src of bundles) {
        expect(src, url).toMatch(/^\/assets\//);
        const js = await get(src);
        expect(js.statusCode, src).toBe(200);
        expect(js.headers['content-type'], src).toMatch(/javascript/);
      }
      // Nothing the policy would refuse: no inline script or style, no inline event handler.
      expect(res.body, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.body, url).not.toMatch(/<style[\s>]|\sstyle=|\son[a-z]+=/i);
    }
  });

  it('without a build, the page routes answer 503 text (and no API path turns into a page)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'att-no-web-'));
    const bare = Fastify({ logger: false });
    try {
      await installWebApp(bare, `${empty}/`);
      for (const url of ['/', '/app/teacher/sessions', '/c/0193aaaa-bbbb-7ccc-8ddd-eeeeffff0000']) {
        const res = await bare.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type'], url).toMatch(/^text\/plain/);
        expect(res.body).toContain('npm run build');
      }
      expect((await bare.inject({ method: 'GET', url: '/assets/x.js' })).statusCode).toBe(404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('the JSON API keeps its headers (and gets no page policy)', async () => {
    for (const url of ['/health', '/no/such/route', '/openapi.json']) {
      const res = await get(url);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-security-policy']).toBe("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
      expect(res.headers['referrer-policy']).toBeUndefined();
    }
  });

  it('/docs keeps working under swagger-ui’s own policy (hashed, no inline script allowed)', async () => {
    let res = await get('/docs');
    if (res.statusCode === 302) res = await get(String(res.headers.location));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp.get('script-src')).toContain("'self'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('frame-ancestors')).toEqual(["'self'"]);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    // Every script the page names is served (as JavaScript), and so is the document it reads.
    const scripts = [...res.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const js = await get(new URL(src, 'http://x/docs/').pathname);
      expect(js.statusCode, src).toBe(200);
      expect(js.headers['content-type']).toMatch(/javascript/);
    }
    expect(res.body).not.toMatch(/<script>(?!\s*<\/script>)/); // no inline script block
    expect((await get('/openapi.json')).json().openapi).toBe('3.1.0');
  });
});
