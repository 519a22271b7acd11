/**
 * One class, played in the browser on SQLite (the Part 1 flow; the rotating QR, live room and review
 * come with the integrity and live routes): an admin creates a teacher and three students; the
 * teacher creates a session with a code at the browser's location; student 1 opens the scanned link
 * `/c/{id}#k=<code>`, signs in (the code survives) and is present; student 2 is 30 m outside the
 * fence with 80 m accuracy and is refused; student 3 does not come; the teacher closes the session;
 * the report shows 1 present and 2 absent, and the CSV download parses to the same.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type TestContext } from '../helpers/app.js';
import {
  browserSkipReason,
  decodeQr,
  launch,
  newContext,
  screenshot,
  signIn,
  startServer,
  watchProblems,
} from './browser.js';
import { northOfRoom, ROOM } from './seed.js';

const skip = browserSkipReason();

describe.skipIf(skip)('a class in the browser (SQLite)', { timeout: 240_000 }, () => {
  let t: TestContext;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ t, base } = await startServer());
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

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

    // 2. The teacher creates a session with a code, centred where the browser is.
    const teacherCtx = await newContext(browser, base, { geo: { ...ROOM, accuracy: 8 } });
    const tp = await teacherCtx.newPage();
    watchProblems(tp);
    await signIn(tp, 'tess@hillside.test');
    await tp.getByRole('link', { name: 'New session' }).first().click();
    await tp.getByLabel('Name').fill('Biology');
    await tp.getByRole('button', { name: 'Use my current location' }).click();
    await tp.getByText(/Centre set/).waitFor();
    await tp.getByLabel('Radius (m)').fill('50');
    await tp.getByLabel('Check-in code').selectOption('static');
    await tp.getByLabel('Code students type').fill('4711');
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
    });

    // The projector view: a QR the test decodes from a screenshot, the code in digits, the count.
    await tp.getByRole('link', { name: 'Projector view' }).click();
    await tp.locator('.qr svg').waitFor();
    await tp.getByText('0 of 3 checked in').waitFor();
    await screenshot(tp, 'projector-desktop');
    const scanned = await decodeQr(browser, await tp.screenshot());
    expect(scanned).toBe(`${base}/c/${sessionId}#k=4711`);
    expect(await tp.locator('.projector-code').textContent()).toContain('4711');

    // 3. Student 1 opens the scanned link on a phone, signs in; the code is kept; present.
    const phone = async (geo: { latitude: number; longitude: number; accuracy: number }) => {
      const ctx = await newContext(browser, base, { phone: true, geo });
      const page = await ctx.newPage();
      return { ctx, page, problems: watchProblems(page) };
    };
    const s1 = await phone({ ...ROOM, accuracy: 10 });
    await s1.page.goto(scanned!);
    await s1.page.getByText('Sign in to finish checking in. Your scan is kept.').waitFor();
    await s1.page.getByLabel('Email').fill('sam1@hillside.test');
    await s1.page.getByLabel('Password').fill(PASSWORD);
    await s1.page.getByRole('button', { name: 'Sign in' }).click();
    await s1.page.getByRole('heading', { name: 'Biology' }).waitFor();
    await s1.page.getByRole('button', { name: 'Share my location' }).click();
    await s1.page.getByText(/Accuracy: ± 10 m/).waitFor();
    await s1.page.getByRole('button', { name: 'Check in now' }).click();
    await s1.page.getByText('You are marked present. Welcome!').waitFor();
    expect(s1.problems).toEqual([]);

    // 4. Student 2: 30 m outside the fence, ± 80 m: the accuracy circle crosses the fence, so the
    //    check-in is accepted and flagged for review (boundary_policy `flag`, the default).
    const s2 = await phone({ ...northOfRoom(80), accuracy: 80 });
    await signIn(s2.page, 'sam2@hillside.test', `/c/${sessionId}#k=4711`);
    await s2.page.getByRole('button', { name: 'Share my location' }).click();
    await s2.page.getByText(/Accuracy: ± 80 m/).waitFor();
    await s2.page.getByRole('button', { name: 'Check in now' }).click();
    await s2.page.getByText(/Your teacher will review it/).waitFor();

    // The projector's count follows without a reload (a flagged check-in counts until rejected).
    await tp.getByText('2 of 3 checked in').waitFor({ timeout: 10_000 });

    // The teacher rejects student 2's flagged check-in. The live room's review queue is not built
    // yet (README, web app), so the rejection goes through the API with the teacher's own sign-in.
    const teacherLogin = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'tess@hillside.test', password: PASSWORD },
    });
    const teacherAuth = { authorization: `Bearer ${teacherLogin.json().data.jwt_token}` };
    const queue = await t.app.inject({
      method: 'GET',
      url: `/attendance/review?session_id=${sessionId}&state=pending`,
      headers: teacherAuth,
    });
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().data).toHaveLength(1);
    const flagged = queue.json().data[0] as { record_id: string; flags: string[] };
    expect(flagged.flags).toContain('uncertain_location');
    const rejected = await t.app.inject({
      method: 'POST',
      url: `/attendance/records/${flagged.record_id}/review`,
      headers: teacherAuth,
      payload: { decision: 'reject', notes: 'not in the room' },
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().data.status).toBe('absent');

    // 5. The teacher sees student 1, closes the session: 1 present, 2 absent.
    await tp.goBack();
    await tp.getByRole('row').filter({ hasText: 'Sam One' }).getByText('Present').waitFor();
    await tp.getByRole('button', { name: 'Close session now' }).click();
    await tp.getByText('Session closed; absentees recorded.').waitFor();
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
