/**
 * Issue 16: a browser frontend on another origin (listed in CORS_ORIGINS) edits and deletes through
 * fetch — PUT and DELETE need a CORS preflight that allows them and the Authorization header. Real
 * Chromium (Debian's /usr/bin/chromium) driven by playwright-core; skipped with a message without it.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { CHROMIUM, launch } from './browser.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] ${CHROMIUM} is missing: the CORS browser test is skipped`);

describe.skipIf(!hasChromium)('a page from another origin does PUT and DELETE with fetch (Chromium)', () => {
  let t: TestContext;
  let page: Server;
  let pageOrigin: string;
  let apiOrigin: string;
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    // The page's server first: its origin goes into CORS_ORIGINS.
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>frontend</title><p>frontend on another origin</p>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    t = await createTestApp({ CORS_ORIGINS: pageOrigin });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    apiOrigin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => page?.close(resolve));
  });

  it('PUT renames a user and DELETE (Content-Type: application/json, no body) deactivates one', async () => {
    const w = await t.world();
    const target = await t.factory.user('student', w.org.org_id);
    const tab = await browser.newPage();
    await tab.goto(`${pageOrigin}/`);
    const results = await tab.evaluate(
      async ({ api, auth, id }) => {
        // What a wrapper does: JSON content type and the bearer token on every request.
        const headers = { 'Content-Type': 'application/json', Authorization: auth };
        const put = await fetch(`${api}/admin/users/${id}`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ name: 'Renamed In Browser' }),
        });
        const del = await fetch(`${api}/admin/users/${id}`, { method: 'DELETE', headers });
        return {
          put: put.status,
          putName: (await put.json()).data?.name,
          del: del.status,
          requestId: del.headers.get('x-request-id'),
        };
      },
      { api: apiOrigin, auth: w.auth.admin.authorization, id: target.user_id },
    );
    await tab.close();
    expect(results).toMatchObject({ put: 200, putName: 'Renamed In Browser', del: 200 });
    expect(results.requestId).toBeTruthy(); // exposed to the page
    const row = await t.db
      .selectFrom('users')
      .select(['name', 'is_active'])
      .where('user_id', '=', target.user_id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Renamed In Browser');
    expect(Number(row.is_active)).toBe(0);
  });

  it('the same page served from an origin not in CORS_ORIGINS is refused by the browser; nothing changes', async () => {
    const w = await t.world();
    const target = await t.factory.user('student', w.org.org_id);
    const tab = await browser.newPage();
    // localhost:<port> is another origin than the listed 127.0.0.1:<port>.
    await tab.goto(pageOrigin.replace('127.0.0.1', 'localhost'));
    const outcome = await tab.evaluate(
      async ({ api, auth, id }) => {
        try {
          const res = await fetch(`${api}/admin/users/${id}`, {
            method: 'PUT',
            headers: { 'Content-Type': 'application/json', Authorization: auth },
            body: JSON.stringify({ name: 'Should Not Happen' }),
          });
          return `status ${res.status}`;
        } catch {
          return 'blocked';
        }
      },
      { api: apiOrigin, auth: w.auth.admin.authorization, id: target.user_id },
    );
    await tab.close();
    expect(outcome).toBe('blocked');
    const row = await t.db
      .selectFrom('users')
      .select('name')
      .where('user_id', '=', target.user_id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(target.name);
  });
});
