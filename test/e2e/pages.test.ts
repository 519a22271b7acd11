/**
 * The web app in Debian's Chromium: each role's main page at phone and desktop widths (screenshots
 * into docs/screenshots/), accessibility (axe), the CSP (no violation), the student's check-in with
 * its refusals, a flaky network and a 429, the check-in page's JavaScript budget and its load time on
 * a slow network.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import {
  browserSkipReason,
  expectAccessible,
  launch,
  newContext,
  screenshot,
  signIn,
  startServer,
  watchProblems,
} from './browser.js';
import { northOfRoom, ROOM, type School, seedSchool } from './seed.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e: ${skip}`);

describe.skipIf(skip)('web app in Chromium', () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let school: School;

  beforeAll(async () => {
    ({ t, base } = await startServer());
    school = await seedSchool(t);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const records = (userId: string) =>
    t.db
      .selectFrom('attendance_records')
      .selectAll()
      .where('session_id', '=', school.openSessionId)
      .where('user_id', '=', userId)
      .execute();

  async function rolePage(
    email: string,
    phone: boolean,
    path = '/',
  ): Promise<{ page: Page; problems: string[] }> {
    const ctx = await newContext(browser, base, { phone, geo: { ...ROOM, accuracy: 12 } });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    await signIn(page, email, path);
    return { page, problems };
  }

  it('sign-in page: accessible, no CSP violation, wrong password said plainly', async () => {
    for (const phone of [true, false]) {
      const ctx = await newContext(browser, base, { phone });
      const page = await ctx.newPage();
      const problems = watchProblems(page);
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot(page, `signin-${phone ? 'phone' : 'desktop'}`);
      await expectAccessible(page, 'sign-in');
      await page.getByLabel('Email').fill(school.students[0]!.email);
      await page.getByLabel('Password').fill('wrong-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The email or password is not right.').waitFor();
      expect(problems).toEqual([]);
      await ctx.close();
    }
  });

  it('student home at phone and desktop widths: open session, history and rate', async () => {
    for (const [phone, dark] of [
      [true, false],
      [false, false],
      [true, true],
    ] as const) {
      const ctx = await newContext(browser, base, { phone, dark, geo: { ...ROOM, accuracy: 12 } });
      const page = await ctx.newPage();
      const problems = watchProblems(page);
      await signIn(page, school.students[4]!.email);
      await page.waitForURL('**/app/student');
      await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();
      await page.getByText('Attendance rate', { exact: true }).waitFor();
      await screenshot(page, `student-${phone ? 'phone' : 'desktop'}${dark ? '-dark' : ''}`);
      await expectAccessible(page, 'student home');
      expect(problems).toEqual([]);
      await ctx.close();
    }
  });

  it('student checks in inside the area: accuracy shown, present, one record', async () => {
    const { page, problems } = await rolePage(school.students[0]!.email, true);
    await page.getByRole('button', { name: 'Check in to Physics' }).click();
    await page.getByRole('button', { name: 'Share my location' }).click();
    await page.getByText(/Accuracy: ± 12 m/).waitFor();
    await screenshot(page, 'student-checkin-phone');
    await expectAccessible(page, 'check-in');
    await page.getByRole('button', { name: 'Check in now' }).click();
    await page.getByText('You are marked present. Welcome!').waitFor();
    const rows = await records(school.students[0]!.user_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'present', check_in_accuracy: 12 });
    // The card now offers check-out.
    await page.getByRole('button', { name: 'Check out' }).click();
    await page.getByText(/Checked out at/).waitFor();
    expect((await records(school.students[0]!.user_id))[0]!.check_out_time).not.toBeNull();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('outside the area: says how far and the radius; too imprecise: says turn on precise location', async () => {
    const ctx = await newContext(browser, base, { phone: true, geo: { ...northOfRoom(300), accuracy: 10 } });
    const page = await ctx.newPage();
    await signIn(page, school.students[1]!.email);
    await page.getByRole('button', { name: 'Check in to Physics' }).click();
    await page.getByRole('button', { name: 'Share my location' }).click();
    await page.getByText(/Accuracy: ± 10 m/).waitFor();
    await page.getByRole('button', { name: 'Check in now' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      /You are 30\d m from the session; it accepts check-ins within 50 m/,
    );
    await screenshot(page, 'student-refused-phone');

    await ctx.setGeolocation({ ...ROOM, accuracy: 400 });
    await page.reload();
    await page.getByRole('button', { name: 'Check in to Physics' }).click();
    await page.getByRole('button', { name: 'Share my location' }).click();
    await page.getByText(/Accuracy: ± 400 m/).waitFor();
    await page.getByRole('button', { name: 'Check in now' }).click();
    await page.getByText(/Turn on precise location/).waitFor();
    expect(await records(school.students[1]!.user_id)).toHaveLength(0);
    await ctx.close();
  });

  it('flaky network: the response is lost, the retry replays it (same Idempotency-Key), one record', async () => {
    const { page, problems } = await rolePage(school.students[2]!.email, true);
    const keys: string[] = [];
    let lost = false;
    await page.route('**/attendance/check-in', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (!lost) {
        lost = true;
        await route.fetch(); // reaches the server and commits …
        return route.abort('connectionreset'); // … but the phone never hears back
      }
      return route.continue();
    });
    await page.getByRole('button', { name: 'Check in to Physics' }).click();
    await page.getByRole('button', { name: 'Share my location' }).click();
    await page.getByText(/Accuracy/).waitFor();
    await page.getByRole('button', { name: 'Check in now' }).click();
    await page.getByText('You are marked present. Welcome!').waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await records(school.students[2]!.user_id)).toHaveLength(1);
    expect(problems.filter((p) => !p.includes('ERR_CONNECTION_RESET'))).toEqual([]);
    await page.context().close();
  });

  it('429: says when to try again', async () => {
    const { page } = await rolePage(school.students[3]!.email, true);
    await page.route('**/attendance/check-in', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '42' },
        body: JSON.stringify({ success: false, message: 'Too many requests', error_code: 'RATE_LIMITED' }),
      }),
    );
    await page.getByRole('button', { name: 'Check in to Physics' }).click();
    await page.getByRole('button', { name: 'Share my location' }).click();
    await page.getByText(/Accuracy/).waitFor();
    await page.getByRole('button', { name: 'Check in now' }).click();
    await page.getByText(/Too many attempts\. Try again at .+ \(in 42 s\)\./).waitFor();
    expect(await records(school.students[3]!.user_id)).toHaveLength(0);
    await page.context().close();
  });

  it('budget: the check-in page ships ≤ 60 KB of JavaScript gzipped and is usable in < 3 s at 1.6 Mbit/s, 150 ms', async () => {
    const ctx = await newContext(browser, base, { phone: true, geo: { ...ROOM, accuracy: 12 } });
    const page = await ctx.newPage();
    await signIn(page, school.students[3]!.email);
    await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();

    const scripts = new Map<string, number>();
    page.on('response', async (r) => {
      if (r.request().resourceType() === 'script')
        scripts.set(r.url(), gzipSync(await r.body(), { level: 9 }).length);
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
    const started = Date.now();
    // A reload: the sign-in comes back from the refresh token, then the open sessions load.
    await page.reload();
    await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();
    const usableMs = Date.now() - started;
    const gz = [...scripts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `check-in page: ${scripts.size} scripts, ${(gz / 1024).toFixed(1)} KB JavaScript gzipped; usable after ${usableMs} ms at 1.6 Mbit/s, 150 ms latency`,
    );
    expect(gz).toBeLessThanOrEqual(60 * 1024);
    expect(usableMs).toBeLessThan(3000);
    await ctx.close();
  });

  it('teacher: my sessions, create one at my location, report with corrections and CSV download', async () => {
    for (const phone of [true, false]) {
      const { page, problems } = await rolePage(school.teacher.email, phone);
      await page.waitForURL('**/app/teacher');
      await page.getByRole('heading', { name: 'Today' }).waitFor();
      await page.getByRole('link', { name: 'Physics' }).first().waitFor();
      await screenshot(page, `teacher-${phone ? 'phone' : 'desktop'}`);
      await expectAccessible(page, 'teacher sessions');
      expect(problems).toEqual([]);
      if (phone) await page.context().close();
      else {
        // Create a session with "use my current location".
        await page.getByRole('link', { name: 'New session' }).first().click();
        await page.getByLabel('Name').fill('Chemistry');
        await page.getByRole('button', { name: 'Use my current location' }).click();
        await page.getByText(/Centre set: 52\.52000, 13\.40500/).waitFor();
        await page.getByLabel('Radius (m)').fill('40');
        await expectAccessible(page, 'create session');
        await screenshot(page, 'teacher-create-desktop');
        await page.getByRole('button', { name: 'New session' }).last().click();
        await page.getByRole('heading', { name: 'Chemistry' }).waitFor();
        const created = await t.db
          .selectFrom('attendance_sessions')
          .selectAll()
          .where('session_name', '=', 'Chemistry')
          .executeTakeFirstOrThrow();
        expect(created).toMatchObject({ location_lat: 52.52, location_lon: 13.405, location_radius: 40 });
        expect(created.created_by).toBe(school.teacher.user_id);

        // The open session's report: mark a student present, excuse another, download CSV.
        await page.goto(`/app/teacher/sessions/${school.openSessionId}`);
        await page.getByRole('table').waitFor();
        const row = (name: string) => page.getByRole('row').filter({ hasText: name });
        await row('Dorothy Vaughan').getByRole('button', { name: 'Mark present' }).click();
        await page.getByText('Dorothy Vaughan: Present.').waitFor();
        await row('Edsger Dijkstra').getByRole('button', { name: 'Excuse' }).click();
        await page.getByText('Edsger Dijkstra: Excused.').waitFor();
        await screenshot(page, 'teacher-report-desktop');
        await expectAccessible(page, 'session report');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'CSV' }).click(),
        ]);
        const csv = readFileSync(await download.path(), 'utf8');
        const lines = csv.trim().split(/\r?\n/);
        expect(lines.length).toBeGreaterThan(2);
        const header = lines[0]!.split(',');
        const statusCol = header.indexOf('status');
        expect(statusCol).toBeGreaterThanOrEqual(0);
        const statusOf = (name: string) => lines.find((l) => l.includes(name))?.split(',')[statusCol];
        expect(statusOf('Dorothy Vaughan')).toBe('present');
        expect(statusOf('Edsger Dijkstra')).toBe('excused');
        expect(problems).toEqual([]);
        await page.context().close();
      }
    }
  });

  it('admin: dashboard with the trend chart, users, groups, settings', async () => {
    for (const phone of [true, false]) {
      const { page, problems } = await rolePage(school.admin.email, phone);
      await page.waitForURL('**/app/admin');
      await page.getByText('Rate, last 30 days', { exact: true }).waitFor();
      await page.locator('.chart canvas').waitFor();
      await screenshot(page, `admin-${phone ? 'phone' : 'desktop'}`);
      await expectAccessible(page, 'admin dashboard');
      if (!phone) {
        await page.getByRole('link', { name: 'Users' }).click();
        await page.getByRole('cell', { name: 'Student' }).first().waitFor();
        await page.getByPlaceholder('Search by name or email').fill('barbara');
        await page.getByRole('row').filter({ hasText: 'Barbara Liskov' }).waitFor();
        await expect.poll(() => page.getByRole('row').count()).toBe(2);
        await expectAccessible(page, 'users');
        await screenshot(page, 'admin-users-desktop');
        await page.getByRole('link', { name: 'Groups' }).click();
        await page.getByRole('button', { name: /Physics 1A/ }).click();
        await page.getByText('alan@riverside.test').waitFor();
        await expectAccessible(page, 'groups');
        await page.getByRole('link', { name: 'Organization' }).click();
        await page.getByLabel('Time zone').waitFor();
        await expectAccessible(page, 'organization settings');
      }
      expect(problems).toEqual([]);
      await page.context().close();
    }
  });
});
