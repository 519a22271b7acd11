/** GET /admin/dashboard/stats and POST /admin/maintenance/cleanup-sessions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { recordRow, sessionRow } from '../../helpers/rows.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const H = 3_600_000;
/** A fixed-offset zone in which it is about noon now, so "today" holds every session of the test. */
function noonZone(): string {
  const offset = 12 - new Date().getUTCHours(); // -11..12
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

describe('GET /admin/dashboard/stats', () => {
  it('counts users, sessions today and open now, check-ins today, 7/30-day rates, next sessions', async () => {
    const org = await t.factory.org({ timezone: noonZone() });
    const teacher = await t.factory.user('teacher', org.org_id);
    const admin = await t.factory.user('admin', org.org_id);
    const [a, b, c] = [
      await t.factory.user('student', org.org_id),
      await t.factory.user('student', org.org_id),
      await t.factory.user('student', org.org_id),
    ];
    await t.factory.user('student', org.org_id, { is_active: 0 });
    const now = Date.now();
    const session = async (start: number, end: number, closed: boolean) => {
      const row = sessionRow(org.org_id, {
        session_name: `S ${start}`,
        start_time: start,
        end_time: end,
        timezone: org.timezone,
        created_by: teacher.user_id,
        closed_at: closed ? end : null,
      });
      await t.db.insertInto('attendance_sessions').values(row).execute();
      return row.session_id;
    };
    const rec = async (session_id: string, user_id: string, status: string, checkIn: number | null) =>
      t.db
        .insertInto('attendance_records')
        .values(
          recordRow(
            { orgId: org.org_id, sessionId: session_id, userId: user_id },
            {
              check_in_time: checkIn,
              status: status as 'present',
              created_at: checkIn ?? now,
            },
          ),
        )
        .execute();
    const earlier = await session(now - 2 * H, now - 1 * H, true);
    await rec(earlier, a.user_id, 'present', now - 2 * H);
    await rec(earlier, b.user_id, 'late', now - 1.7 * H);
    await rec(earlier, c.user_id, 'absent', null);
    const old = await session(now - 10 * 24 * H, now - 10 * 24 * H + H, true);
    await rec(old, a.user_id, 'present', now - 10 * 24 * H);
    await rec(old, b.user_id, 'absent', null);
    await rec(old, c.user_id, 'excused', null);
    const open = await session(now - 0.2 * H, now + 1 * H, false);
    await rec(open, a.user_id, 'present', now - 0.1 * H);
    const next = await session(now + 5 * 24 * H, now + 5 * 24 * H + H, false);
    // The scheduler counts closed sessions that were never counted (rows written by other tools).
    await t.app.scheduler.runNow('close-ended-sessions');

    const res = await t.app.inject({
      method: 'GET',
      url: '/admin/dashboard/stats',
      headers: (await t.login(admin)).headers,
    });
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d.users.student).toEqual({ active: 3, inactive: 1, total: 4 });
    expect(d.users.teacher).toEqual({ active: 1, inactive: 0, total: 1 });
    expect(d.sessions).toEqual({ today: 2, open_now: 1 });
    expect(d.check_ins_today).toBe(3);
    expect(d.attendance_rate_7d).toBe(0.6667);
    expect(d.attendance_rate_30d).toBe(0.5);
    expect(d.next_sessions.map((s: { session_id: string }) => s.session_id)).toEqual([next]);
  });

  it('counts an ended session once the scheduler has closed it (the read writes nothing), its absentees then count', async () => {
    const org = await t.factory.org({ timezone: noonZone() });
    const admin = await t.factory.user('admin', org.org_id);
    const came = await t.factory.user('student', org.org_id);
    const missed = await t.factory.user('student', org.org_id);
    const now = Date.now();
    const row = sessionRow(org.org_id, {
      start_time: now - 3 * H,
      end_time: now - 2 * H,
      closed_at: null,
      created_at: now - 4 * H,
    });
    await t.db.insertInto('attendance_sessions').values(row).execute();
    await t.db
      .insertInto('attendance_records')
      .values(
        recordRow(
          { orgId: org.org_id, sessionId: row.session_id, userId: came.user_id },
          { status: 'present', check_in_time: now - 3 * H },
        ),
      )
      .execute();

    const headers = (await t.login(admin)).headers;
    const read = () => t.app.inject({ method: 'GET', url: '/admin/dashboard/stats', headers });
    expect((await read()).json().data).toMatchObject({ attendance_rate_7d: null });
    const absentBefore = await t.db
      .selectFrom('attendance_records')
      .select('record_id')
      .where('session_id', '=', row.session_id)
      .execute();
    expect(absentBefore).toHaveLength(1);
    await t.app.scheduler.runNow('close-ended-sessions');
    expect((await read()).json().data).toMatchObject({ attendance_rate_7d: 0.5, attendance_rate_30d: 0.5 });
    const absent = await t.db
      .selectFrom('attendance_records')
      .select(['user_id', 'status'])
      .where('session_id', '=', row.session_id)
      .where('status', '=', 'absent')
      .execute();
    expect(absent).toEqual([{ user_id: missed.user_id, status: 'absent' }]);
  });

  it('lets teachers read their org (API.md "Clients written for the original"); refuses students (403) and anonymous callers (401)', async () => {
    const w = await t.world();
    const teacher = await t.app.inject({
      method: 'GET',
      url: '/admin/dashboard/stats',
      headers: w.auth.teacher,
    });
    expect(teacher.statusCode).toBe(200);
    expect(teacher.json().data.org_id).toBe(w.org.org_id);
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/dashboard/stats', headers: w.auth.student }))
        .statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/admin/dashboard/stats' })).statusCode).toBe(401);
  });
});

describe('POST /admin/maintenance/cleanup-sessions', () => {
  it('deletes expired and long-revoked login sessions of the admin’s organization only', async () => {
    const w = await t.world();
    const other = await t.world();
    const stale = await t.login(w.users.student);
    const otherStale = await t.login(other.users.student);
    const old = Date.now() - 40 * 24 * H;
    await t.db
      .updateTable('user_sessions')
      .set({ is_active: 0, revoked_at: old })
      .where('session_id', 'in', [stale.sessionId, otherStale.sessionId])
      .execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/maintenance/cleanup-sessions',
      headers: w.auth.admin,
      payload: { older_than_days: 30 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.deleted).toBe(1);
    const left = await t.db
      .selectFrom('user_sessions')
      .select('session_id')
      .where('session_id', 'in', [stale.sessionId, otherStale.sessionId])
      .execute();
    expect(left.map((r) => r.session_id)).toEqual([otherStale.sessionId]);
    // Active sessions are untouched: the admin's own token still works.
    expect(
      (await t.app.inject({ method: 'GET', url: '/auth/profile', headers: w.auth.admin })).statusCode,
    ).toBe(200);
  });

  it('validates the body and the role', async () => {
    const w = await t.world();
    const post = (headers: Record<string, string>, payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/maintenance/cleanup-sessions',
        headers,
        payload: payload as object,
      });
    expect((await post(w.auth.admin, { older_than_days: -1 })).statusCode).toBe(400);
    expect((await post(w.auth.admin, { older_than_days: '30' })).statusCode).toBe(400);
    expect((await post(w.auth.teacher, { older_than_days: 30 })).statusCode).toBe(403);
  });
});
