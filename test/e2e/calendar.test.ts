/**
 * The calendar subscription card in Chromium: a student and a teacher make their link through the
 * page, the link it shows answers text/calendar with their sessions, "New link" (after the in-page
 * confirm) kills the old one, "Stop sharing" makes it answer 404; Copy puts the link on the
 * clipboard, or selects it where there is no clipboard. Also the admin menu's link to the series form.
 * Screenshots at 360 px and desktop width into docs/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import {
  browserSkipReason,
  expectAccessible,
  newContext,
  PHONE,
  screenshot,
  signIn,
  startServerAndBrowser,
  stopServerAndBrowser,
  watchProblems,
} from './browser.js';
import { type School, seedSchool } from './seed.js';

const skip = browserSkipReason();
if (skip) console.warn(`test/e2e: ${skip}`);

describe.skipIf(skip)('calendar subscription and menus in Chromium', { timeout: 180_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;
  let school: School;

  beforeAll(async () => {
    ({ t, base, browser } = await startServerAndBrowser());
    school = await seedSchool(t);
  }, 120_000);
  afterAll(() => stopServerAndBrowser(t, browser));

  async function open(email: string, phone: boolean, init?: string) {
    const ctx = await newContext(browser, base, { phone });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    if (init) await ctx.addInitScript(init);
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    await signIn(page, email);
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Subscribe to my calendar' }).waitFor();
    return { ctx, page, problems };
  }

  const linkField = (page: Page) => page.getByLabel('Your calendar link');

  async function createLink(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.getByText('Link created.').waitFor();
    const url = await linkField(page).inputValue();
    expect(url).toMatch(new RegExp(`^${base}/calendar/cal_[A-Za-z0-9_-]{43}\\.ics$`));
    return url;
  }

  async function stopSharing(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Stop sharing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop sharing your calendar?' });
    await dialog.getByRole('button', { name: 'Stop sharing' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  const tokenRows = (userId: string) =>
    t.db.selectFrom('calendar_tokens').select('user_id').where('user_id', '=', userId).execute();

  it('student (phone): creates the link, the feed lists their sessions, copies it, renews it, stops sharing', async () => {
    const student = school.students[1]!;
    const { ctx, page, problems } = await open(student.email, true);
    await expectAccessible(page, 'calendar (no link)');
    await screenshot(page, 'calendar-student-empty-phone');

    const url = await createLink(page);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('calendar-url');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const ics = await res.text();
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain('SUMMARY:Physics');
    expect(ics).toContain('SUMMARY:Mathematics');
    expect(await tokenRows(student.user_id)).toHaveLength(1);

    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link copied. Paste it into your calendar app.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    await expectAccessible(page, 'calendar (link shown)');
    await screenshot(page, 'calendar-student-phone');

    // New link: the in-page dialog says the old one stops working; after it, it does.
    await page.getByRole('button', { name: 'New link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Make a new link?' });
    await dialog.getByText(/The link you have now stops working at once/).waitFor();
    await expectAccessible(page, 'calendar (new link dialog)');
    await screenshot(page, 'calendar-renew-dialog-phone', { fullPage: false });
    await dialog.getByRole('button', { name: 'Make a new link' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => linkField(page).inputValue()).not.toBe(url);
    const renewed = await linkField(page).inputValue();
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(renewed)).status).toBe(200);

    await stopSharing(page);
    await page.getByText('Sharing stopped: the link no longer works.').waitFor();
    await expect(linkField(page).count()).resolves.toBe(0);
    const gone = await fetch(renewed);
    expect(gone.status).toBe(404);
    expect((await gone.json()).error_code).toBe('NOT_FOUND');
    expect(await tokenRows(student.user_id)).toHaveLength(0);
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('teacher (desktop): the feed lists the sessions they teach; stop sharing twice says there was none', async () => {
    const { ctx, page, problems } = await open(school.teacher.email, false);
    const url = await createLink(page);
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const ics = await res.text();
    expect(ics).toContain('BEGIN:VCALENDAR');
    expect(ics).toContain('SUMMARY:Physics');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(8);
    await expectAccessible(page, 'calendar (teacher)');
    await screenshot(page, 'calendar-teacher-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'calendar-teacher-phone');

    await stopSharing(page);
    await page.getByText('Sharing stopped: the link no longer works.').waitFor();
    expect((await fetch(url)).status).toBe(404);
    await stopSharing(page);
    await page.getByText('You had no calendar link, so nothing was shared.').waitFor();
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('without a clipboard, Copy selects the link and says how to copy it', async () => {
    const { ctx, page, problems } = await open(
      school.students[2]!.email,
      true,
      "Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });",
    );
    const url = await createLink(page);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText(/The link is selected: copy it with Ctrl\+C/).waitFor();
    const sel = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return { id: el.id, text: el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0) };
    });
    expect(sel).toEqual({ id: 'calendar-url', text: url });
    expect(problems).toEqual([]);
    await ctx.close();
  });

  it('admin menu links the series form, marked as the current page', async () => {
    const ctx = await newContext(browser, base, { phone: false });
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    await signIn(page, school.admin.email);
    const menu = page.getByRole('navigation', { name: 'Main menu' });
    await menu.getByRole('link', { name: 'New series' }).click();
    await page.waitForURL('**/app/admin/sessions/new-series');
    await page.getByRole('heading', { name: 'Create a series of sessions' }).waitFor();
    // The weekdays are checkboxes with their names beside them, not stretched boxes.
    const mon = page.getByRole('checkbox', { name: 'Mon' });
    expect((await mon.boundingBox())!.width).toBeLessThan(40);
    await screenshot(page, 'admin-series-desktop', { fullPage: false });
    await page.setViewportSize(PHONE);
    await screenshot(page, 'admin-series-phone', { fullPage: false });
    // Only the most specific item is current (Sessions is a prefix of it).
    expect(await menu.locator('[aria-current="page"]').allTextContents()).toEqual(['New series']);
    // Filled in and sent: the shared settings (late threshold, rotating code) reach every session.
    await page.getByLabel('Name').fill('Lab series');
    await mon.check();
    await page.getByRole('checkbox', { name: 'Wed' }).check();
    const from = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(from);
    await page.getByLabel('Until').fill(until);
    await page.getByLabel('Late after (minutes)').fill('7');
    await page.getByLabel('Check-in code').selectOption('rotating');
    await page.getByRole('button', { name: 'New series' }).click();
    await page.getByText(/^Series created: \d+ sessions\.$/).waitFor();
    const made = await t.db
      .selectFrom('attendance_sessions')
      .select(['late_after_minutes', 'code_mode', 'group_id'])
      .where('session_name', '=', 'Lab series')
      .execute();
    expect(made.length).toBeGreaterThanOrEqual(3);
    expect(new Set(made.map((m) => JSON.stringify(m)))).toEqual(
      new Set([JSON.stringify({ late_after_minutes: 7, code_mode: 'rotating', group_id: null })]),
    );
    await page.waitForURL('**/app/admin/sessions');
    // Only the most specific item is current (Sessions is a prefix of it).
    // After sending, the form goes back to the sessions: only the most specific item is current.
    expect(await menu.locator('[aria-current="page"]').allTextContents()).toEqual(['Sessions']);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
