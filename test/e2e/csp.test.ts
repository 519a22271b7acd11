/**
 * The browser tests assert "no CSP violation" through `watchProblems` (browser.ts). Those assertions
 * mean something only if a violation would be seen, so a canary: a page that breaks the app's own
 * policy (an inline script, an inline style), served by this test under the app's header, must be
 * reported — and the same page without the header must not be, so the report comes from the policy.
 * Then the real app: its document carries the policy, and its sign-in page breaks none of it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_CSP } from '../../src/plugins/security-headers.js';
import type { TestContext } from '../helpers/app.js';
import {
  browserSkipReason,
  newContext,
  startServerAndBrowser,
  stopServerAndBrowser,
  watchProblems,
} from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e: ${skip}`);

const CANARY = `<!doctype html><html lang="en"><head><title>canary</title>
<script>window.inlineRan = true;</script>
<script src="/allowed.js"></script>
</head><body><p style="color: red">canary</p></body></html>`;

describe.skipIf(skip)('CSP violations are seen by the browser tests', { timeout: 120_000 }, () => {
  let browser: Browser;
  let t: TestContext;
  let base: string;
  let canary: Server;
  let canaryBase: string;

  beforeAll(async () => {
    canary = createServer((req, res) => {
      if (req.url === '/allowed.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end('window.allowedRan = true;');
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
      if (req.url === '/') headers['content-security-policy'] = HTML_CSP;
      res.writeHead(200, headers);
      res.end(CANARY);
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    canaryBase = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
    ({ t, base, browser } = await startServerAndBrowser());
  }, 120_000);
  afterAll(async () => {
    await stopServerAndBrowser(t, browser);
    await new Promise((resolve) => canary?.close(resolve));
  });

  it('a page breaking the app’s policy is reported by watchProblems (the canary)', async () => {
    const ctx = await newContext(browser, canaryBase);
    try {
      const page = await ctx.newPage();
      const problems = watchProblems(page);
      const res = await page.goto('/');
      expect(res?.headers()['content-security-policy']).toBe(HTML_CSP);
      // Both refusals are reported: the inline script and the inline style.
      await expect.poll(() => problems.filter((p) => p.startsWith('CSP:')).length).toBeGreaterThanOrEqual(2);
      expect(
        problems.some((p) => /CSP: .*inline script/i.test(p)),
        problems.join('\n'),
      ).toBe(true);
      expect(
        problems.some((p) => /CSP: .*inline style/i.test(p)),
        problems.join('\n'),
      ).toBe(true);
      // The policy did refuse the inline script, and let the same-origin one run.
      expect(await page.evaluate(() => (window as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
      expect(await page.evaluate(() => (window as { allowedRan?: boolean }).allowedRan)).toBe(true);

      // The same page without the header: nothing reported, the inline script runs.
      const free = await ctx.newPage();
      const none = watchProblems(free);
      await free.goto('/no-policy');
      expect(await free.evaluate(() => (window as { inlineRan?: boolean }).inlineRan)).toBe(true);
      expect(none).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('the app’s document carries the policy, and its sign-in page breaks none of it', async () => {
    const ctx = await newContext(browser, base);
    try {
      const page = await ctx.newPage();
      const problems = watchProblems(page);
      const res = await page.goto('/');
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toBe(HTML_CSP);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
