/**
 * Browser-test harness: Debian's Chromium through playwright-core (no browser download), the real
 * app on a free port (SQLite in memory) serving the built web app, and checks every page shares:
 * no CSP violation or page error, no serious/critical axe finding.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../helpers/app.js';
import { ensureWebBuilt } from '../helpers/web-build.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (!existsSync(CHROMIUM))
    return `${CHROMIUM} is missing (apt-get install chromium): browser tests skipped`;
  const url = process.env.TEST_DATABASE_URL ?? 'sqlite::memory:';
  if (!url.startsWith('sqlite')) return 'browser tests run in the SQLite pass only';
  return undefined;
}

const ROOT = new URL('../../', import.meta.url).pathname;

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** A port free right now (the cookie refresh checks Origin against PUBLIC_URL, so it is known first). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startServer(
  env: Record<string, string> = {},
): Promise<{ t: TestContext; base: string }> {
  ensureWebBuilt();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ PUBLIC_URL: base, ...env });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { t, base };
}

/** The service on a port and a browser: what a browser test file starts in its beforeAll. */
export async function startServerAndBrowser(
  env: Record<string, string> = {},
): Promise<{ t: TestContext; base: string; browser: Browser }> {
  const { t, base } = await startServer(env);
  try {
    return { t, base, browser: await launch() };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** Ends what startServerAndBrowser started (either may be missing when its beforeAll failed). */
export async function stopServerAndBrowser(t: TestContext | undefined, browser: Browser | undefined) {
  await browser?.close();
  await t?.close();
}

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 860 };

export async function newContext(
  browser: Browser,
  base: string,
  opts: {
    phone?: boolean;
    geo?: { latitude: number; longitude: number; accuracy: number };
    dark?: boolean;
  } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: base,
    viewport: opts.phone ? PHONE : DESKTOP,
    deviceScaleFactor: 1,
    isMobile: opts.phone ?? false,
    hasTouch: opts.phone ?? false,
    colorScheme: opts.dark ? 'dark' : 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    geolocation: opts.geo,
    permissions: opts.geo ? ['geolocation'] : [],
    acceptDownloads: true,
  });
}

/** Collects what would show a broken page: CSP violations, uncaught errors, failed assets. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().includes('/assets/') && r.status() >= 400) problems.push(`asset ${r.status()}: ${r.url()}`);
  });
  // The app asks in its own dialogs: a native alert/confirm/prompt is a defect (and would block).
  page.on('dialog', (d) => {
    problems.push(`native ${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => undefined);
  });
  return problems;
}

export async function signIn(page: Page, email: string, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** axe-core on the current page: no serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) =>
        `${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
  ).toEqual([]);
}

/** A full-page screenshot; `fullPage: false` for what the viewport shows (a modal dialog's backdrop covers only that). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({
    path: join(ROOT, 'docs/screenshots', `${name}.png`),
    fullPage: opts.fullPage ?? true,
  });
}

/**
 * Decodes a QR code from a screenshot with jsQR. Chromium turns the PNG into pixels (a blank page,
 * outside the app), jsQR reads them: the same path a phone camera takes, minus the camera.
 */
export async function decodeQr(browser: Browser, png: Buffer): Promise<string | null> {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await page.addScriptTag({ path: join(ROOT, 'node_modules/jsqr/dist/jsQR.js') });
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, canvas.width, canvas.height);
      const jsQR = (
        window as unknown as { jsQR: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null }
      ).jsQR;
      return jsQR(d.data, d.width, d.height)?.data ?? null;
    }, png.toString('base64'));
  } finally {
    await ctx.close();
  }
}

/**
 * A phone on a slow network (1.6 Mbit/s down, 750 kbit/s up, 150 ms, cache off) from now on, and a
 * tally of the JavaScript the page loads after this call: `scripts()` answers how many files and
 * their gzipped bytes. The check-in page's budget (test) and its load time (bench/web-budget.ts).
 */
export async function slowNetwork(
  ctx: BrowserContext,
  page: Page,
): Promise<{ scripts: () => { count: number; gzipBytes: number } }> {
  const sizes = new Map<string, number>();
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script')
      sizes.set(r.url(), gzipSync(await r.body(), { level: 9 }).length);
  });
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  return {
    scripts: () => ({ count: sizes.size, gzipBytes: [...sizes.values()].reduce((a, b) => a + b, 0) }),
  };
}
