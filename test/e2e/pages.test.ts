/**
 * The web app in Debian's Chromium: each role's main page at phone and desktop widths (screenshots
 * into docs/screenshots/), accessibility (axe), the CSP (no violation), the student's check-in with
 * its refusals, a flaky network and a 429, the check-in page's JavaScript budget and its load time on
 * a slow network.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type TestContext } from '../helpers/app.js';
import {
  browserSkipReason,
  expectAccessible,
  newContext,
  screenshot,
  signIn,
  slowNetwork,
  startServerAndBrowser,
  stopServerAndBrowser,
  watchProblems,
} from './browser.js';
import { northOfRoom, ROOM, type School, seedSchool } from './seed.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e: ${skip}`);

describe.skipIf(skip)('web app in Chromium', { timeout: 180_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let school: School;

  beforeAll(async () => {
    // Webhooks may post to the receiver this test starts on 127.0.0.1.
    ({ t, base, browser } = await startServerAndBrowser({ WEBHOOK_ALLOW_PRIVATE: 'true' }));
    school = await seedSchool(t);
  }, 120_000);
  afterAll(() => stopServerAndBrowser(t, browser));

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

  it('budget: the check-in page ships ≤ 60 KB of JavaScript gzipped (load time at 1.6 Mbit/s, 150 ms printed)', async () => {
    const ctx = await newContext(browser, base, { phone: true, geo: { ...ROOM, accuracy: 12 } });
    const page = await ctx.newPage();
    await signIn(page, school.students[3]!.email);
    await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();

    const net = await slowNetwork(ctx, page);
    const started = Date.now();
    // A reload: the sign-in comes back from the refresh token, then the open sessions load.
    await page.reload();
    await page.getByRole('button', { name: 'Check in to Physics' }).waitFor();
    const usableMs = Date.now() - started;
    const { count, gzipBytes: gz } = net.scripts();
    console.log(
      `check-in page: ${count} scripts, ${(gz / 1024).toFixed(1)} KB JavaScript gzipped; usable after ${usableMs} ms at 1.6 Mbit/s, 150 ms latency`,
    );
    expect(gz).toBeLessThanOrEqual(60 * 1024);
    // The load time is printed, not asserted (no timed assertion in the suite: CI load would make it
    // flaky); bench/web-budget.ts measures it for BENCHMARKS.md.
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
      // An end before the start is refused with a message, and nothing is created.
      await page.getByRole('link', { name: 'New session' }).first().click();
      await page.getByLabel('Name').fill('Backwards');
      const startValue = await page.getByLabel('Starts').inputValue();
      await page.getByLabel('Ends').fill(`${startValue.slice(0, 10)}T00:00`);
      await page.getByRole('button', { name: 'New session' }).last().click();
      // Named as the form names its fields, not as the API does (end_time, start_time).
      await page.getByText('Please check the form: Ends must be after Starts.').waitFor();
      await screenshot(page, `teacher-create-error-${phone ? 'phone' : 'desktop'}`);
      expect(
        await t.db
          .selectFrom('attendance_sessions')
          .select('session_id')
          .where('session_name', '=', 'Backwards')
          .execute(),
      ).toEqual([]);
      if (phone) await page.context().close();
      else {
        // Create a session with "use my current location" (a fresh form: its times back to the defaults).
        await page.reload();
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
        // An in-page dialog (no prompt()): a note, then the confirm step.
        const mark = page.getByRole('dialog', { name: 'Mark Dorothy Vaughan present' });
        await mark.getByLabel('Note (optional)').fill('came in through the lab door');
        await expectAccessible(page, 'mark dialog');
        await mark.getByRole('button', { name: 'Mark present' }).click();
        await page.getByText('Dorothy Vaughan: Present.').waitFor();
        const dorothy = await records(school.students[3]!.user_id);
        expect(dorothy[0]).toMatchObject({ status: 'present', notes: 'came in through the lab door' });
        await row('Edsger Dijkstra').getByRole('button', { name: 'Excuse' }).click();
        const excuse = page.getByRole('dialog', { name: 'Excuse Edsger Dijkstra' });
        // Escape cancels: nothing is written. (Pressed once the dialog shows, as a person would: a key
        // pressed before the dialog opened went nowhere on a loaded machine.)
        await excuse.waitFor();
        await page.keyboard.press('Escape');
        await excuse.waitFor({ state: 'detached' });
        expect(await records(school.students[4]!.user_id)).toHaveLength(0);
        await row('Edsger Dijkstra').getByRole('button', { name: 'Excuse' }).click();
        await excuse.getByRole('button', { name: 'Excuse' }).click();
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
  it('live room at phone and desktop widths, light and dark; a dropped feed is shown', async () => {
    for (const [phone, dark] of [
      [true, false],
      [false, false],
      [true, true],
    ] as const) {
      const ctx = await newContext(browser, base, { phone, dark });
      const page = await ctx.newPage();
      const problems = watchProblems(page);
      await signIn(page, school.teacher.email, `/app/teacher/sessions/${school.openSessionId}/live`);
      await page.getByRole('heading', { name: 'Expected attendees' }).waitFor();
      await page.getByRole('row').filter({ hasText: 'Barbara Liskov' }).waitFor();
      await page.getByText(/^Live · updated/).waitFor(); // the SSE stream, not polling
      const name = `live-room-${phone ? 'phone' : 'desktop'}${dark ? '-dark' : ''}`;
      await screenshot(page, name);
      await expectAccessible(page, 'live room');
      if (phone && !dark) {
        // The network goes: the open stream drops and reconnecting fails; the page says so, with the
        // time of the last update, and comes back by itself.
        await ctx.setOffline(true);
        const lost = page.getByRole('alert').filter({ hasText: 'Connection lost' });
        await lost.waitFor({ timeout: 20_000 });
        // Scrolled to the end, the page's last row stands above the floating banner, not under it.
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        const lastRowBox = await page.getByRole('row').last().boundingBox();
        const bannerBox = await lost.boundingBox();
        expect(lastRowBox!.y + lastRowBox!.height).toBeLessThanOrEqual(bannerBox!.y);
        await screenshot(page, 'live-room-lost-phone', { fullPage: false });
        await expectAccessible(page, 'live room, feed lost');
        await ctx.setOffline(false);
        await page
          .getByRole('alert')
          .filter({ hasText: 'Connection lost' })
          .waitFor({ state: 'detached', timeout: 20_000 });
        await page.getByText(/^Live · updated/).waitFor();
      }
      expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
      await ctx.close();
    }
  });

  let rotatingId = '';
  it('projector: rotating code with a countdown, the count, a warning when updates stop', async () => {
    const now = Date.now();
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: school.headers.teacher,
      payload: {
        session_name: 'Optics seminar',
        start_time: new Date(now - 60_000).toISOString(),
        end_time: new Date(now + 3_600_000).toISOString(),
        group_id: school.groupId,
        location_lat: ROOM.latitude,
        location_lon: ROOM.longitude,
        location_radius: 50,
        code_mode: 'rotating',
        code_period_seconds: 30,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().data.session_id as string;
    rotatingId = id;
    for (const dark of [false, true]) {
      const ctx = await newContext(browser, base, { dark });
      const page = await ctx.newPage();
      const problems = watchProblems(page);
      await signIn(page, school.teacher.email, `/app/teacher/sessions/${id}/projector`);
      await page.locator('.qr svg').waitFor();
      await page.getByText(/New code in \d+ s/).waitFor();
      await page.getByText('0 of 5 checked in').waitFor();
      expect(await page.locator('.projector-code').textContent()).toMatch(/\d{6}$/);
      await screenshot(page, `projector-desktop${dark ? '-dark' : ''}`);
      await expectAccessible(page, 'projector');
      if (!dark) {
        await ctx.setOffline(true);
        await page.getByRole('alert').filter({ hasText: 'Connection lost' }).waitFor({ timeout: 15_000 });
        await screenshot(page, 'projector-lost-desktop', { fullPage: false });
      }
      expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
      await ctx.close();
    }
  });

  it('admin: warning rules, webhooks (secret once, deliveries), audit log, import with progress', async () => {
    for (const phone of [false, true]) {
      const { page, problems } = await rolePage(school.admin.email, phone);
      await page.waitForURL('**/app/admin');
      if (!phone) {
        // A warning rule.
        await page.goto('/app/admin/warnings');
        await page.getByRole('button', { name: 'New warning rule' }).click();
        const form = page.getByRole('form', { name: 'New warning rule' });
        await form.getByLabel('Name').fill('Below 80 %');
        await form.getByLabel('Threshold (%)').fill('80');
        await form.getByLabel('Only after this many sessions').fill('3');
        await form.getByLabel('their teachers').check();
        await expectAccessible(page, 'warning rule form');
        await form.getByRole('button', { name: 'Save' }).click();
        await page
          .getByRole('article', { name: 'Below 80 %' })
          .getByText(/Rate below 80/)
          .waitFor();
        const rule = await t.db.selectFrom('warning_rules').selectAll().executeTakeFirstOrThrow();
        expect(rule).toMatchObject({
          name: 'Below 80 %',
          kind: 'rate_below',
          threshold: 0.8,
          min_sessions: 3,
        });

        // A webhook to a receiver on this machine that refuses the first delivery, then takes it.
        const received: string[] = [];
        const receiver = createHttpServer((req, res) => {
          req.resume();
          received.push(String(req.headers['webhook-id']));
          res.statusCode = received.length === 1 ? 503 : 204;
          res.end();
        });
        await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
        const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/attendance`;
        // What happened before the webhook existed is not sent to it: drain the outbox first.
        for (let i = 0; i < 20; i++) {
          const st = await t.app.outbox.deliverDue();
          if (st.delivered + st.retried + st.failed + st.skipped === 0) break;
        }
        await page.goto('/app/admin/webhooks');
        await page.getByRole('button', { name: 'New webhook' }).click();
        await page.getByLabel('Address (URL)').fill(hookUrl);
        await page.getByRole('button', { name: 'Save' }).click();
        // The secret is shown once.
        const secret = page.locator('code.secret');
        await secret.waitFor();
        expect(await secret.textContent()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        // An event after the webhook exists; the outbox (driven by hand in tests) tries it: 503.
        const forced = await t.app.inject({
          method: 'POST',
          url: '/attendance/force-check-in',
          headers: school.headers.teacher,
          payload: { session_id: school.openSessionId, user_id: school.students[1]!.user_id, status: 'late' },
        });
        expect(forced.statusCode, forced.body).toBe(201);
        await t.app.outbox.deliverDue();
        expect(received).toHaveLength(1);
        await page.getByRole('button', { name: 'Deliveries' }).click();
        const delivery = page.getByRole('row').filter({ hasText: 'attendance.recorded' });
        await delivery.getByText('Pending').waitFor();
        await delivery.getByText('503').waitFor();
        await screenshot(page, 'admin-webhooks-secret-desktop');
        // A manual retry: queued now, delivered on the next pass, same webhook-id.
        await delivery.getByRole('button', { name: 'Retry now' }).click();
        await page.getByText('Delivery queued again.').waitFor();
        await t.app.outbox.deliverDue();
        expect(received).toHaveLength(2);
        expect(received[1]).toBe(received[0]);
        await page.getByRole('button', { name: 'Deliveries' }).click();
        await page.getByRole('button', { name: 'Deliveries' }).click();
        await delivery.getByText('Delivered').waitFor();
        await new Promise((r) => receiver.close(r));
        await expectAccessible(page, 'webhooks');
        await page.getByRole('button', { name: 'I have saved it' }).click();
        await secret.waitFor({ state: 'detached' });
        // Rotation asks first, then shows the new secret once.
        await page.getByRole('button', { name: 'New secret' }).click();
        await page
          .getByRole('dialog', { name: 'Replace the signing secret?' })
          .getByRole('button', { name: 'New secret' })
          .click();
        await secret.waitFor();
      }
      const screens = ['warnings', 'webhooks', 'audit'];
      for (const name of screens) {
        await page.goto(`/app/admin/${name}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        if (name === 'audit')
          await page
            .getByText(/^(webhook|session)\./)
            .first()
            .waitFor();
        if (name === 'warnings') await page.getByRole('article', { name: 'Below 80 %' }).waitFor();
        if (name === 'webhooks')
          await page
            .getByText(/^http:\/\/127\.0\.0\.1:\d+\/attendance$/)
            .first()
            .waitFor();
        await screenshot(page, `admin-${name}-${phone ? 'phone' : 'desktop'}`);
        await expectAccessible(page, `admin ${name}`);
      }
      if (!phone) {
        // Audit filter and CSV export.
        await page.getByLabel('Kind of action').selectOption('webhook.');
        await page.getByText('webhook.secret_rotated', { exact: true }).waitFor();
        await expect.poll(() => page.getByText(/^session\./).count()).toBe(0);
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download CSV' }).click(),
        ]);
        const csv = readFileSync(await download.path(), 'utf8');
        expect(csv).toContain('webhook.created');
        expect(csv).not.toContain('session.created');

        // Import as a job with progress: two students.
        await page.goto('/app/admin/import');
        await page
          .getByLabel('CSV text')
          .fill(
            'name,email,role,password\nIda Rhodes,ida@riverside.test,student,\nJohn Backus,john@riverside.test,student,',
          );
        await page.getByRole('button', { name: 'Import', exact: true }).click();
        await page.getByText('2 created, 0 failed.').waitFor();
        expect(await page.locator('td code').count()).toBe(2);
        await screenshot(page, 'admin-import-desktop');
        await expectAccessible(page, 'import');

        // Deactivating asks first, in the page.
        await page.getByRole('link', { name: 'Users' }).click();
        await page.getByPlaceholder('Search by name or email').fill('ida@');
        await page.getByRole('button', { name: 'Deactivate Ida Rhodes' }).click();
        const ask = page.getByRole('dialog', { name: 'Deactivate Ida Rhodes?' });
        await expectAccessible(page, 'deactivate dialog');
        await ask.getByRole('button', { name: 'Deactivate' }).click();
        await page.getByRole('button', { name: 'Reactivate Ida Rhodes' }).waitFor();
        const ida = await t.db
          .selectFrom('users')
          .select('is_active')
          .where('email', '=', 'ida@riverside.test')
          .executeTakeFirstOrThrow();
        expect(ida.is_active).toBeFalsy();
      }
      expect(problems).toEqual([]);
      await page.context().close();
    }
  });
  it('scan page: a code that expired before the scan says so; the 6 digits typed check in', async () => {
    expect(rotatingId).not.toBe('');
    const ctx = await newContext(browser, base, { phone: true, geo: { ...ROOM, accuracy: 15 } });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    const scanned = page.waitForResponse((r) => r.url().endsWith('/attendance/scan'));
    await page.goto(`/c/${rotatingId}#k=000000`);
    expect((await scanned).status()).toBe(422);
    await page.getByLabel('Email').fill(school.students[4]!.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/This code changed before it reached us/).waitFor();
    await page.getByRole('button', { name: 'Share my location' }).click();
    await page.getByText(/Accuracy: ± 15 m/).waitFor();
    // Without the digits the check-in cannot be sent.
    expect(await page.getByRole('button', { name: 'Check in now' }).isDisabled()).toBe(true);
    await screenshot(page, 'scan-expired-phone');
    await expectAccessible(page, 'scan page, code expired');
    const code = await t.app.inject({
      method: 'GET',
      url: `/admin/sessions/${rotatingId}/code`,
      headers: school.headers.teacher,
    });
    await page.getByLabel('Code', { exact: true }).fill(code.json().data.code);
    await page.getByRole('button', { name: 'Check in now' }).click();
    await page.getByText('You are marked present. Welcome!').waitFor();
    const rows = await t.db
      .selectFrom('attendance_records')
      .select('status')
      .where('session_id', '=', rotatingId)
      .where('user_id', '=', school.students[4]!.user_id)
      .execute();
    expect(rows).toEqual([{ status: 'present' }]);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
