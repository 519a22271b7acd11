import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceStatus } from '../../../src/modules/attendance/attendance.table.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { recordRow, sessionRow } from '../../helpers/rows.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const DAY = 86_400_000;
const STATUS: Record<string, AttendanceStatus> = { P: 'present', L: 'late', A: 'absent', E: 'excused' };

/** Closed sessions, one a day from 2026-03-02 09:00 UTC, with the student's status in each; returns the last id. */
async function history(orgId: string, teacherId: string, userId: string, statuses: string, from = 0) {
  let last = '';
  for (let i = 0; i < statuses.length; i++) {
    const start = Date.UTC(2026, 2, 2, 9) + (from + i) * DAY;
    const s = sessionRow(orgId, {
      session_name: `Lecture ${from + i + 1}`,
      start_time: start,
      end_time: start + 3_600_000,
      created_by: teacherId,
      closed_at: start + 3_600_000,
    });
    await t.db.insertInto('attendance_sessions').values(s).execute();
    await t.db
      .insertInto('attendance_records')
      .values(recordRow({ orgId, sessionId: s.session_id, userId }, { status: STATUS[statuses[i]!]! }))
      .execute();
    last = s.session_id;
  }
  return last;
}

async function closeEvent(orgId: string, sessionId: string, now = Date.now()) {
  await t.app.outbox.emit(
    t.db,
    {
      type: 'session.closed',
      org_id: orgId,
      at: new Date(now).toISOString(),
      actor_id: null,
      session_id: sessionId,
    },
    now,
  );
  await t.app.outbox.deliverDue(now);
}

async function rule(headers: Record<string, string>, body: object) {
  const res = await t.app.inject({ method: 'POST', url: '/admin/warning-rules', headers, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { rule_id: string };
}

const warningsOf = (userId: string) =>
  t.db.selectFrom('warnings').selectAll().where('user_id', '=', userId).execute();

describe('warning rules on session close', () => {
  it('rate_below fires below the threshold, naming the sessions and dates missed, and emails each recipient', async () => {
    const w = await t.world();
    await rule(w.auth.admin, {
      name: 'Under 70%',
      kind: 'rate_below',
      threshold: 0.7,
      notify: { student: true, teachers: true, admins: true, emails: ['dean@example.test'] },
    });
    const last = await history(w.org.org_id, w.users.teacher.user_id, w.users.student.user_id, 'PPPAAPPPAA');
    await closeEvent(w.org.org_id, last);
    const [warning] = await warningsOf(w.users.student.user_id);
    expect(warning!.message).toBe(
      `${w.users.student.name}: attendance 60% (6 of 10 sessions) is below 70%. Missed: Lecture 4 (2026-03-05), Lecture 5 (2026-03-06), Lecture 9 (2026-03-10), Lecture 10 (2026-03-11).`,
    );
    const to = JSON.parse(warning!.recipients).sort();
    expect(to).toEqual(
      [w.users.admin.email, w.users.student.email, w.users.teacher.email, 'dean@example.test'].sort(),
    );
    const mails = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('channel', '=', 'email')
      .where('target_id', '=', warning!.warning_id)
      .execute();
    expect(mails.map((m) => JSON.parse(m.payload).to[0]).sort()).toEqual(to);
    expect(JSON.parse(mails[0]!.payload).html).toContain('<li>Lecture 4 — 2026-03-05</li>');
    const api = await t.app.inject({ method: 'GET', url: '/admin/warnings', headers: w.auth.admin });
    expect(api.json().data[0]).toMatchObject({
      user_id: w.users.student.user_id,
      kind: 'rate_below',
      details: { counted: 10, attended: 6 },
    });
    // warning.triggered goes out as an event for webhooks.
    const ev = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('topic', '=', 'warning.triggered')
      .where('channel', '=', 'event')
      .execute();
    expect(ev.some((e) => JSON.parse(e.payload).data.warning_id === warning!.warning_id)).toBe(true);
  });

  it('does not fire when the threshold is exactly met, or below min_sessions', async () => {
    const w = await t.world();
    await rule(w.auth.admin, { name: 'Under 70%', kind: 'rate_below', threshold: 0.7 });
    await closeEvent(
      w.org.org_id,
      await history(w.org.org_id, w.users.teacher.user_id, w.users.student.user_id, 'PPPPAPPPAA'),
    );
    expect(await warningsOf(w.users.student.user_id)).toHaveLength(0);
    const other = await t.factory.user('student', w.org.org_id);
    await closeEvent(
      w.org.org_id,
      await history(w.org.org_id, w.users.teacher.user_id, other.user_id, 'AAAA'),
    );
    expect(await warningsOf(other.user_id)).toHaveLength(0);
  });

  it('warns once per cooldown', async () => {
    const w = await t.world();
    await rule(w.auth.admin, {
      name: 'Three in a row',
      kind: 'consecutive_absences',
      threshold: 3,
      min_sessions: 1,
      cooldown_days: 7,
    });
    const s = w.users.student.user_id;
    const now = Date.now();
    await closeEvent(w.org.org_id, await history(w.org.org_id, w.users.teacher.user_id, s, 'PAAA'), now);
    expect(await warningsOf(s)).toHaveLength(1);
    await closeEvent(
      w.org.org_id,
      await history(w.org.org_id, w.users.teacher.user_id, s, 'A', 4),
      now + 6 * DAY,
    );
    expect(await warningsOf(s)).toHaveLength(1);
    await closeEvent(
      w.org.org_id,
      await history(w.org.org_id, w.users.teacher.user_id, s, 'A', 5),
      now + 8 * DAY,
    );
    const all = await warningsOf(s);
    expect(all).toHaveLength(2);
    expect(all.map((x) => x.message).sort()[1]).toContain('5 absences in a row');
  });

  it('consecutive absences: an excused session neither breaks nor extends the run', async () => {
    const w = await t.world();
    await rule(w.auth.admin, {
      name: 'Three in a row',
      kind: 'consecutive_absences',
      threshold: 3,
      min_sessions: 1,
    });
    await closeEvent(
      w.org.org_id,
      await history(w.org.org_id, w.users.teacher.user_id, w.users.student.user_id, 'PAAEA'),
    );
    const [warning] = await warningsOf(w.users.student.user_id);
    expect(warning!.message).toContain('3 absences in a row');
    expect(warning!.message).toContain(
      'Lecture 2 (2026-03-03), Lecture 3 (2026-03-04), Lecture 5 (2026-03-06)',
    );
    const other = await t.factory.user('student', w.org.org_id);
    await closeEvent(
      w.org.org_id,
      await history(w.org.org_id, w.users.teacher.user_id, other.user_id, 'PAEEA'),
    );
    expect(await warningsOf(other.user_id)).toHaveLength(0);
  });
});

describe('/admin/warning-rules', () => {
  it('validates thresholds per kind and keeps organizations apart', async () => {
    const a = await t.world();
    const b = await t.world();
    const post = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/admin/warning-rules', headers: a.auth.admin, payload });
    expect((await post({ name: 'x', kind: 'rate_below', threshold: 1.5 })).statusCode).toBe(400);
    expect((await post({ name: 'x', kind: 'consecutive_absences', threshold: 2.5 })).statusCode).toBe(400);
    expect((await post({ name: 'x', kind: 'nope', threshold: 1 })).statusCode).toBe(400);
    const r = await rule(a.auth.admin, { name: 'ok', kind: 'rate_below', threshold: 0.5 });
    const row = await t.db
      .selectFrom('warning_rules')
      .selectAll()
      .where('rule_id', '=', r.rule_id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ min_sessions: 5, cooldown_days: 7, is_active: 1 });
    expect(
      (await t.app.inject({ method: 'GET', url: `/admin/warning-rules/${r.rule_id}`, headers: b.auth.admin }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/warning-rules', headers: a.auth.teacher }))
        .statusCode,
    ).toBe(403);
    const upd = await t.app.inject({
      method: 'PUT',
      url: `/admin/warning-rules/${r.rule_id}`,
      headers: a.auth.admin,
      payload: { threshold: 0.8 },
    });
    expect(upd.json().data.threshold).toBe(0.8);
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/admin/warning-rules/${r.rule_id}`,
          headers: a.auth.admin,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      await t.db.selectFrom('warning_rules').select('rule_id').where('rule_id', '=', r.rule_id).execute(),
    ).toHaveLength(0);
  });
});
