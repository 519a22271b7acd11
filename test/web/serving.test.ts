/**
 * Which paths answer HTML: `/`, `/app/*` and `/c/{id}` only, under the page CSP; everything else
 * keeps the JSON 404 of the API (API.md "Web app").
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWebApp, PAGE_CSP } from '../../src/plugins/web-app.js';
import { createTestApp, type TestContext } from '../helpers/app.js';

describe('web app serving', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('unknown API paths keep the JSON 404; API paths are never pages', async () => {
    for (const url of ['/nope', '/admin/nope', '/appx', '/c', '/c/a/b', '/assets/missing.js', '/auth']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect(res.json().error_code, url).toBe('NOT_FOUND');
    }
    const api = await t.app.inject({ url: '/auth/profile' });
    expect(api.statusCode).toBe(401);
  });

  it('serves index.html at /, /app/* and /c/{id} with the page CSP, bundles with a long cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>x</title><script type="module" src="/assets/a.js"></script>',
    );
    writeFileSync(join(dir, 'assets/a.js'), 'console.log(1)');
    const app = Fastify();
    app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error_code: 'NOT_FOUND' }));
    await installWebApp(app, `${dir}/`);
    for (const url of ['/', '/app', '/app/student', '/app/teacher/sessions/x', '/c/0193abcd']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
      expect(res.body).toContain('<title>x</title>');
    }
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
    const js = await app.inject({ url: '/assets/a.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    const missing = await app.inject({ url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).not.toMatch(/html/);
    await app.close();
  });

  it('without a build the pages say how to build, not a stack trace', async () => {
    const app = Fastify();
    await installWebApp(app, join(tmpdir(), 'no-such-build/'));
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await app.close();
  });
});
