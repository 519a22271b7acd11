/**
 * One class, played in the browser on SQLite (issue #12, "Done when"): an admin creates a teacher and
 * three students; the teacher creates a rotating-code session at the browser's location; the
 * projector shows a QR that the test decodes from a screenshot and opens on an emulated phone;
 * student 1 scans (the code becomes a scan ticket at once), signs in and is present; student 2 is
 * 30 m outside the fence with 80 m accuracy and is flagged; student 3 does not come; the teacher's
 * live room shows student 1 within 2 s without a reload, the teacher rejects student 2 in the review
 * queue and closes the session there; the report shows 1 present, 2 absent, and the CSV download
 * parses to the same.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type TestContext } from '../helpers/app.js';
import {
  browserSkipReason,
  decodeQr,
  expectAccessible,
  newContext,
  screenshot,
  signIn,
  startServerAndBrowser,
  stopServerAndBrowser,
  watchProblems,
} from './browser.js';
import { northOfRoom, ROOM } from './seed.js';

const skip = browserSkipReason();

describe.skipIf(skip)('a class in the browser (SQLite)', { timeout: 240_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, base, browser } = await startServerAndBrowser());
  }, 120_000);
  afterAll(() => stopServerAndBrowser(t, browser));

  it('admin → teacher → three students → report and CSV', async () => {
    const org = await t.factory.org({ name: 'Hillside College', timezone: 'America/New_York' });
    const admin = await t.factory.user('admin', org.org_id, {
      name: 'Head Office',
      email: 'office@hillside.test',
    });

    // 1. The admin creates the teacher and three students in the Users page.
    const adminCtx = await newContext(browser, base);
    const ap = await adminCtx.newPage();
    const adminProblems = watchProblems(ap);
    await signIn(ap, admin.email);
    await ap.getByRole('link', { name: 'Users' }).click();
    const people = [
      { name: 'Tess Teacher', email: 'tess@hillside.test', role: 'teacher' },
      { name: 'Sam One', email: 'sam1@hillside.test', role: 'student' },
      { name: 'Sam Two', email: 'sam2@hillside.test', role: 'student' },
      { name: 'Sam Three', email: 'sam3@hillside.test', role: 'student' },
    ];
    for (const p of people) {
      await ap.getByRole('button', { name: 'New user' }).click();
      const form = ap.getByRole('form', { name: 'New user' });
      await form.getByLabel('Name').fill(p.name);
      await form.getByLabel('Email').fill(p.email);
      await form.getByLabel('Role').selectOption(p.role);
      await form.getByLabel('Password').fill(PASSWORD);
      await form.getByRole('button', { name: 'Save' }).click();
      await ap.getByRole('row').filter({ hasText: p.email }).waitFor();
    }
    const created = await t.db
      .selectFrom('users')
      .select(['email', 'role', 'org_id'])
      .where('org_id', '=', org.org_id)
      .execute();
    expect(created.filter((u) => u.role === 'student')).toHaveLength(3);
    expect(created.find((u) => u.email === 'tess@hillside.test')?.role).toBe('teacher');
    expect(adminProblems).toEqual([]);
    await adminCtx.close();

    // 2. The teacher creates a rotating-code session, centred where the browser is.
    const teacherCtx = await newContext(browser, base, { geo: { ...ROOM, accuracy: 8 } });
    const tp = await teacherCtx.newPage();
    const teacherProblems = watchProblems(tp);
    await signIn(tp, 'tess@hillside.test');
    await tp.getByRole('link', { name: 'New session' }).first().click();
    await tp.getByLabel('Name').fill('Biology');
    await tp.getByRole('button', { name: 'Use my current location' }).click();
    await tp.getByText(/Centre set/).waitFor();
    await tp.getByLabel('Radius (m)').fill('50');
    await tp.getByLabel('Check-in code').selectOption('rotating');
    await tp.getByRole('button', { name: 'New session' }).last().click();
    await tp.getByRole('heading', { name: 'Biology' }).waitFor();
    const sessionId = tp.url().split('/').pop()!;
    const session = await t.db
      .selectFrom('attendance_sessions')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      location_lat: ROOM.latitude,
      location_lon: ROOM.longitude,
      location_radius: 50,
      code_mode: 'rotating',
    });

    // The projector (a second tab): a QR the test decodes from a screenshot, the 6 digits, the count.
    const pj = await teacherCtx.newPage();
    watchProblems(pj);
    await pj.goto(`${tp.url()}/projector`);
    await pj.locator('.qr svg').waitFor();
    await pj.getByText('0 of 3 checked in').waitFor();
    await pj.getByText(/New code in \d+ s/).waitFor();
    await screenshot(pj, 'projector-desktop');
    await expectAccessible(pj, 'projector');
    /** What a phone camera would read now: the QR decoded from a screenshot, checked against the digits. */
    const scanQr = async (): Promise<string> => {
      for (;;) {
        const before = (await pj.locator('.projector-code').textContent())?.replace(/\D/g, '');
        const url = await decodeQr(browser, await pj.screenshot());
        const after = (await pj.locator('.projector-code').textContent())?.replace(/\D/g, '');
        if (before !== after) continue; // the code turned while the picture was taken
        expect(after).toMatch(/^\d{6}$/);
        expect(url).toBe(`${base}/c/${sessionId}#k=${after}`);
        return url!;
      }
    };

    // The live room (the teacher's laptop), open before anyone arrives.
    await tp.getByRole('link', { name: 'Live room' }).click();
    await tp.getByRole('heading', { name: 'Expected attendees' }).waitFor();
    await tp.getByRole('row').filter({ hasText: 'Sam One' }).getByText('Not yet').waitFor();
    await tp.getByText(/^Live · updated/).waitFor(); // the SSE stream is open (not polling)
    await tp.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    // 3. Student 1 opens the scanned link on a phone: the code is traded for a scan ticket before the
    //    sign-in, the ticket survives the sign-in, the check-in carries it; present.
    const phone = async (geo: { latitude: number; longitude: number; accuracy: number }) => {
      const ctx = await newContext(browser, base, { phone: true, geo });
      const page = await ctx.newPage();
      return { ctx, page, problems: watchProblems(page) };
    };
    const s1 = await phone({ ...ROOM, accuracy: 10 });
    const scanned = s1.page.waitForResponse((r) => r.url().endsWith('/attendance/scan'));
    await s1.page.goto(await scanQr());
    expect((await scanned).status()).toBe(200);
    await s1.page.getByText('Sign in to finish checking in. Your scan is kept.').waitFor();
    expect(s1.page.url()).toBe(`${base}/c/${sessionId}`); // the code left the address bar
    await screenshot(s1.page, 'scan-signin-phone');
    await s1.page.getByLabel('Email').fill('sam1@hillside.test');
    await s1.page.getByLabel('Password').fill(PASSWORD);
    await s1.page.getByRole('button', { name: 'Sign in' }).click();
    await s1.page.getByRole('heading', { name: 'Biology' }).waitFor();
    await s1.page.getByText(/Scan received\. Check in before/).waitFor();
    await s1.page.getByRole('button', { name: 'Share my location' }).click();
    await s1.page.getByText(/Accuracy: ± 10 m/).waitFor();
    await expectAccessible(s1.page, 'scan check-in');
    await s1.page.getByRole('button', { name: 'Check in now' }).click();
    await s1.page
      .getByText('You are marked present. Welcome!')
      .waitFor({ timeout: 8000 })
      .catch(async (e) => {
        await s1.page.screenshot({ path: '/tmp/s1-fail.png', fullPage: true });
        throw e;
      });
    // The check-in spent the scan ticket (not a typed code).
    const spent = await t.db
      .selectFrom('scan_ticket_uses')
      .select('ticket_id')
      .where('session_id', '=', sessionId)
      .execute();
    expect(spent).toHaveLength(1);
    expect(s1.problems).toEqual([]);

    // The live room shows student 1 within 2 s, without a reload.
    await tp.getByRole('row').filter({ hasText: 'Sam One' }).getByText('Present').waitFor({ timeout: 2000 });
    expect(await tp.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // 4. Student 2: 30 m outside the fence, ± 80 m: the accuracy circle crosses the fence, so the
    //    check-in is accepted and flagged for review (boundary_policy `flag`, the default).
    const s2 = await phone({ ...northOfRoom(80), accuracy: 80 });
    await signIn(s2.page, 'sam2@hillside.test', await scanQr());
    await s2.page.getByRole('button', { name: 'Share my location' }).click();
    await s2.page.getByText(/Accuracy: ± 80 m/).waitFor();
    await s2.page.getByRole('button', { name: 'Check in now' }).click();
    await s2.page.getByText(/Your teacher will review it/).waitFor();
    await screenshot(s2.page, 'student-review-phone');

    // The projector's count follows without a reload (a flagged check-in counts until rejected).
    await pj.getByText('2 of 3 checked in').waitFor({ timeout: 10_000 });

    // 5. The teacher rejects student 2 in the live room's review queue, with a note.
    const queue = tp.getByRole('region', { name: /Review queue/ });
    await queue.getByRole('button', { name: 'Reject Sam Two' }).waitFor({ timeout: 10_000 });
    await queue.getByText(/location uncertain/).waitFor();
    await screenshot(tp, 'live-room-review-desktop');
    await expectAccessible(tp, 'live room');
    await queue.getByRole('button', { name: 'Reject Sam Two' }).click();
    const dialog = tp.getByRole('dialog', { name: 'Reject the check-in of Sam Two?' });
    await dialog.getByLabel('Note (optional)').fill('not in the room');
    await screenshot(tp, 'live-reject-dialog-desktop', { fullPage: false });
    await expectAccessible(tp, 'reject dialog');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await tp.getByText('Sam Two: check-in rejected, marked absent.').waitFor();
    await queue.getByText('Nothing to review').waitFor();
    const sam2 = await t.db
      .selectFrom('attendance_records')
      .innerJoin('users', 'users.user_id', 'attendance_records.user_id')
      .select(['status', 'review_state', 'notes'])
      .where('session_id', '=', sessionId)
      .where('users.email', '=', 'sam2@hillside.test')
      .executeTakeFirstOrThrow();
    expect(sam2).toMatchObject({ status: 'absent', review_state: 'rejected' });
    await pj.getByText('1 of 3 checked in').waitFor({ timeout: 10_000 });

    // 6. The teacher closes the session in the live room (a confirm step), then reads the report.
    await tp.getByRole('button', { name: 'Close session now' }).click();
    await tp
      .getByRole('dialog', { name: 'Close session now' })
      .getByRole('button', { name: 'Close and mark absentees' })
      .click();
    await tp.getByText('Session closed; absentees recorded.').waitFor();
    await tp.getByRole('row').filter({ hasText: 'Sam Three' }).getByText('Absent').waitFor();
    expect(teacherProblems).toEqual([]);
    await tp.getByRole('link', { name: 'Report' }).click();
    const stat = (label: string) =>
      tp
        .locator('.stat')
        .filter({ has: tp.getByText(label, { exact: true }) })
        .locator('.stat-value');
    await expect.poll(() => stat('Absent').textContent()).toBe('2');
    expect(await stat('Present').textContent()).toBe('1');
    const rows = await t.db
      .selectFrom('attendance_records')
      .select(['user_id', 'status'])
      .where('session_id', '=', sessionId)
      .execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['absent', 'absent', 'present']);

    const [download] = await Promise.all([
      tp.waitForEvent('download'),
      tp.getByRole('button', { name: 'CSV' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    const header = lines[0]!.split(',');
    const status = header.indexOf('status');
    const statuses = lines.slice(1).map((l) => l.split(',')[status]);
    expect(statuses.sort()).toEqual(['absent', 'absent', 'present']);
    await Promise.all([teacherCtx.close(), s1.ctx.close(), s2.ctx.close()]);
  });
});
