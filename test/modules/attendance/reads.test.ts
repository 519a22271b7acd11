import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { recordRow } from '../../helpers/rows.js';
import { bulkStudents, CENTRE, fieldsOf, insertGroup, insertSession, MIN, recordsOf } from './fixtures.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

async function insertRecord(
  orgId: string,
  sessionId: string,
  userId: string,
  status: 'present' | 'late' | 'absent' | 'excused',
) {
  const checkedIn = status === 'present' || status === 'late';
  await t.db
    .insertInto('attendance_records')
    .values(recordRow({ orgId, sessionId, userId }, { check_in_time: checkedIn ? Date.now() : null, status }))
    .execute();
}

describe('histories', () => {
  let w: Awaited<ReturnType<TestContext['world']>>;
  let me: { user_id: string; headers: Record<string, string> };
  beforeAll(async () => {
    const org = await t.factory.org({ timezone: 'America/New_York' });
    const users = {
      admin: await t.factory.user('admin', org.org_id),
      teacher: await t.factory.user('teacher', org.org_id),
      student: await t.factory.user('student', org.org_id),
    };
    w = {
      org,
      users,
      auth: {
        admin: (await t.login(users.admin)).headers,
        teacher: (await t.login(users.teacher)).headers,
        student: (await t.login(users.student)).headers,
      },
    };
    me = (await bulkStudents(t, org.org_id, 1))[0]!;
    // 2026-03-02 22:00 New York (03:00Z on the 3rd) and 2026-03-03 10:00 New York.
    const evening = await insertSession(t, org.org_id, users.teacher.user_id, {
      session_name: 'Evening',
      start_time: Date.UTC(2026, 2, 3, 3),
      end_time: Date.UTC(2026, 2, 3, 4),
    });
    const morning = await insertSession(t, org.org_id, users.teacher.user_id, {
      session_name: 'Morning',
      start_time: Date.UTC(2026, 2, 3, 15),
      end_time: Date.UTC(2026, 2, 3, 16),
    });
    await insertRecord(org.org_id, evening.session_id, me.user_id, 'present');
    await insertRecord(org.org_id, morning.session_id, me.user_id, 'late');
  });

  it('my-history lists my records with session name and times, newest first', async () => {
    const res = await get('/attendance/my-history', me.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((r: { session_name: string }) => r.session_name)).toEqual([
      'Morning',
      'Evening',
    ]);
    expect(res.json().data[0]).toMatchObject({
      status: 'late',
      user_id: me.user_id,
      session_start_time: '2026-03-03T15:00:00.000Z',
      session_end_time: '2026-03-03T16:00:00.000Z',
    });
    expect(res.json().pagination).toEqual({
      page: 1,
      per_page: 20,
      total: 2,
      pages: 1,
      total_pages: 1,
      has_next: false,
      has_prev: false,
    });
  });

  it('start_date/end_date are days of the org’s zone', async () => {
    const d2 = await get('/attendance/my-history?start_date=2026-03-02&end_date=2026-03-02', me.headers);
    expect(d2.json().data.map((r: { session_name: string }) => r.session_name)).toEqual(['Evening']);
    const d3 = await get('/attendance/my-history?start_date=2026-03-03', me.headers);
    expect(d3.json().data.map((r: { session_name: string }) => r.session_name)).toEqual(['Morning']);
  });

  it('400 for malformed or impossible dates', async () => {
    for (const [q, field] of [
      ['start_date=03/02/2026', 'start_date'],
      ['end_date=2026-02-30', 'end_date'],
      ['per_page=0', 'per_page'],
    ]) {
      const res = await get(`/attendance/my-history?${q}`, me.headers);
      expect(res.statusCode, q).toBe(400);
      expect(fieldsOf(res.json())).toEqual([field]);
    }
    expect((await get('/attendance/my-history', {})).statusCode).toBe(401);
  });

  it('user history: self and staff of the org; a fellow student, another org or no such user: the same 404', async () => {
    const url = `/attendance/user/${me.user_id}/history`;
    for (const headers of [me.headers, w.auth.teacher, w.auth.admin]) {
      const res = await get(url, headers);
      expect(res.statusCode).toBe(200);
      expect(res.json().pagination.total).toBe(2);
    }
    // 17.9: a student cannot tell a user of their org from an unknown id.
    const fellow = await get(url, w.auth.student);
    const unknown = await get(
      '/attendance/user/01900000-0000-7000-8000-000000000000/history',
      w.auth.student,
    );
    expect(fellow.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(fellow.json()).toEqual(unknown.json());
    const other = await t.factory.org();
    const foreignAdmin = (await t.login(await t.factory.user('admin', other.org_id))).headers;
    expect((await get(url, foreignAdmin)).statusCode).toBe(404);
    const foreignStudent = (await bulkStudents(t, other.org_id, 1))[0]!;
    expect((await get(url, foreignStudent.headers)).statusCode).toBe(404);
    expect((await get('/attendance/user/nope/history', w.auth.admin)).statusCode).toBe(400);
  });
});

describe('GET /attendance/active-sessions', () => {
  it('a student sees open sessions they are expected at, with their own record, without codes', async () => {
    const org = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    const [me, other] = await bulkStudents(t, org.org_id, 2);
    const mine = await insertGroup(t, org.org_id, [me!.user_id]);
    const theirs = await insertGroup(t, org.org_id, [other!.user_id]);
    const now = Date.now();
    const s = (name: string, patch = {}) =>
      insertSession(t, org.org_id, teacher.user_id, { session_name: name, ...patch });
    const orgWide = await s('org-wide', {
      require_code: 1,
      code: 'SECRET',
      start_time: now - 10 * MIN,
      late_after_minutes: 30,
    });
    await s('my group', { group_id: mine, start_time: now - 5 * MIN });
    await s('their group', { group_id: theirs });
    await s('opens soon', { start_time: now + 10 * MIN }); // inside the 15-minute opening window
    await s('later', { start_time: now + 30 * MIN });
    await s('ended', { start_time: now - 90 * MIN, end_time: now - MIN });
    await s('closed', { closed_at: now - MIN });
    await s('cancelled', { is_active: 0 });
    await insertSession(t, (await t.factory.org()).org_id, null, { session_name: 'other org' });
    await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: me!.headers,
      payload: { session_id: orgWide.session_id, ...CENTRE, code: 'SECRET' },
    });

    const res = await get('/attendance/active-sessions', me!.headers);
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.map((x: { session_name: string }) => x.session_name)).toEqual([
      'org-wide',
      'my group',
      'opens soon',
    ]);
    expect(data[0]).toMatchObject({ checked_in: true, status: 'present', require_code: true });
    expect(data[0].record_id).toBe((await recordsOf(t, orgWide.session_id))[0]!.record_id);
    expect(data[1]).toMatchObject({ checked_in: false, record_id: null, status: null });
    expect(res.body).not.toContain('SECRET');
    expect(data[0]).not.toHaveProperty('code');

    const staff = await get('/attendance/active-sessions', (await t.login(teacher)).headers);
    expect(staff.json().data.map((x: { session_name: string }) => x.session_name)).toEqual([
      'org-wide',
      'my group',
      'their group',
      'opens soon',
    ]);
    expect((await get('/attendance/active-sessions', {})).statusCode).toBe(401);
  });

  it('pages with the right total on full pages, the last page and past the end', async () => {
    const org = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    const [me] = await bulkStudents(t, org.org_id, 1);
    const now = Date.now();
    for (let i = 0; i < 5; i++)
      await insertSession(t, org.org_id, teacher.user_id, {
        session_name: `s${i}`,
        start_time: now - i * MIN,
      });
    const pageOf = async (query: string) => {
      const body = (await get(`/attendance/active-sessions?${query}`, me!.headers)).json();
      return {
        names: body.data.map((x: { session_name: string }) => x.session_name),
        pagination: body.pagination,
      };
    };
    expect(await pageOf('per_page=2')).toEqual({
      names: ['s4', 's3'],
      pagination: {
        page: 1,
        per_page: 2,
        total: 5,
        pages: 3,
        total_pages: 3,
        has_next: true,
        has_prev: false,
      },
    });
    expect(await pageOf('per_page=2&page=3')).toEqual({
      names: ['s0'],
      pagination: {
        page: 3,
        per_page: 2,
        total: 5,
        pages: 3,
        total_pages: 3,
        has_next: false,
        has_prev: true,
      },
    });
    expect(await pageOf('per_page=5')).toEqual({
      names: ['s4', 's3', 's2', 's1', 's0'],
      pagination: {
        page: 1,
        per_page: 5,
        total: 5,
        pages: 1,
        total_pages: 1,
        has_next: false,
        has_prev: false,
      },
    });
    expect(await pageOf('per_page=2&page=9')).toEqual({
      names: [],
      pagination: {
        page: 9,
        per_page: 2,
        total: 5,
        pages: 3,
        total_pages: 3,
        has_next: false,
        has_prev: true,
      },
    });
    expect(await pageOf('per_page=20')).toMatchObject({ pagination: { total: 5, pages: 1 } });
  });

  it('counts full pages for staff in their org and for a super_admin across orgs', async () => {
    const org = await t.factory.org();
    const other = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      await insertSession(t, org.org_id, teacher.user_id, {
        session_name: `mine ${i}`,
        start_time: now - i * MIN,
      });
      await insertSession(t, other.org_id, null, { session_name: `theirs ${i}`, start_time: now - i * MIN });
    }
    const staff = await get('/attendance/active-sessions?per_page=2', (await t.login(teacher)).headers);
    expect(staff.json().pagination).toEqual({
      page: 1,
      per_page: 2,
      total: 3,
      pages: 2,
      total_pages: 2,
      has_next: true,
      has_prev: false,
    });
    expect(staff.json().data.map((x: { session_name: string }) => x.session_name)).toEqual([
      'mine 2',
      'mine 1',
    ]);

    const superAdmin = (await t.login(await t.factory.user('super_admin', null))).headers;
    const all = await get('/attendance/active-sessions?per_page=2', superAdmin);
    expect(all.json().data).toHaveLength(2);
    // Every org's open sessions, this test's six among them (other test files' may add more).
    expect(all.json().pagination.total).toBeGreaterThanOrEqual(6);
    const names = new Set<string>();
    for (let page = 1; page <= all.json().pagination.pages; page++) {
      const res = await get(`/attendance/active-sessions?per_page=2&page=${page}`, superAdmin);
      for (const x of res.json().data as { session_name: string }[]) names.add(x.session_name);
    }
    for (let i = 0; i < 3; i++)
      expect([...names]).toEqual(expect.arrayContaining([`mine ${i}`, `theirs ${i}`]));
  });
});

describe('session attendance and report', () => {
  let w: Awaited<ReturnType<TestContext['world']>>;
  beforeAll(async () => {
    w = await t.world();
  });

  it('lists records with user name and email (staff); the legacy path answers the same', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: w.auth.student,
      payload: { session_id: s.session_id, ...CENTRE },
    });
    const res = await get(`/attendance/session/${s.session_id}/attendance`, w.auth.teacher);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toHaveLength(1);
    expect(res.json().data[0]).toMatchObject({
      user_id: w.users.student.user_id,
      user_name: w.users.student.name,
      user_email: w.users.student.email,
      status: 'present',
    });
    const legacy = await get(`/session/${s.session_id}/attendance`, w.auth.admin);
    expect(legacy.statusCode).toBe(200);
    expect(legacy.json().data).toEqual(res.json().data);
    expect((await get(`/session/${s.session_id}/attendance`, {})).statusCode).toBe(401);
    expect((await get(`/session/${s.session_id}/attendance`, w.auth.student)).statusCode).toBe(403);
    expect((await get(`/attendance/session/${s.session_id}/attendance`, w.auth.student)).statusCode).toBe(
      403,
    );
    const foreign = await insertSession(t, (await t.factory.org()).org_id, null);
    expect((await get(`/attendance/session/${foreign.session_id}/attendance`, w.auth.admin)).statusCode).toBe(
      404,
    );
    expect((await get(`/session/${foreign.session_id}/attendance`, w.auth.admin)).statusCode).toBe(404);
  });

  it('report: counts, expected, rate; an ended session not closed yet counts its missing as absent, writing nothing', async () => {
    const org = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    const auth = (await t.login(teacher)).headers;
    const students = await bulkStudents(t, org.org_id, 5);
    const s = await insertSession(t, org.org_id, teacher.user_id, {
      start_time: Date.now() - 120 * MIN,
      end_time: Date.now() - 60 * MIN,
    });
    await insertRecord(org.org_id, s.session_id, students[0]!.user_id, 'present');
    await insertRecord(org.org_id, s.session_id, students[1]!.user_id, 'late');
    await insertRecord(org.org_id, s.session_id, students[2]!.user_id, 'excused');

    const res = await get(`/attendance/session/${s.session_id}/report`, auth);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      expected: 5,
      counts: { present: 1, late: 1, absent: 2, excused: 1 },
      checked_in: 2,
      not_checked_in: 3,
      attendance_rate: 0.4,
    });
    // Reads do not write: the scheduler closes it.
    expect(res.json().data.session.closed_at).toBeNull();
    expect(await recordsOf(t, s.session_id)).toHaveLength(3);
    await t.db
      .updateTable('attendance_sessions')
      .set({ created_at: s.start_time - MIN })
      .where('session_id', '=', s.session_id)
      .execute();
    expect(await t.app.scheduler.runNow('close-ended-sessions')).toBe(true);
    expect(await recordsOf(t, s.session_id)).toHaveLength(5);
    // Once closed, the same figures from the records.
    const after = (await get(`/attendance/session/${s.session_id}/report`, auth)).json().data;
    expect(after.counts).toEqual({ present: 1, late: 1, absent: 2, excused: 1 });
    expect(after.session.closed_at).not.toBeNull();
  });

  it('report of a running session does not close it; no expected attendees → rate null', async () => {
    const org = await t.factory.org();
    const admin = (await t.login(await t.factory.user('admin', org.org_id))).headers;
    const s = await insertSession(t, org.org_id, null);
    const res = await get(`/attendance/session/${s.session_id}/report`, admin);
    expect(res.json().data).toMatchObject({ expected: 0, attendance_rate: null, counts: { absent: 0 } });
    expect(res.json().data.session.closed_at).toBeNull();
  });

  it('report: student 403, other org 404, 401 anonymous', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await get(`/attendance/session/${s.session_id}/report`, w.auth.student)).statusCode).toBe(403);
    expect((await get(`/attendance/session/${s.session_id}/report`, {})).statusCode).toBe(401);
    const foreign = await insertSession(t, (await t.factory.org()).org_id, null, {
      end_time: Date.now() - 1,
    });
    expect((await get(`/attendance/session/${foreign.session_id}/report`, w.auth.admin)).statusCode).toBe(
      404,
    );
    expect(
      (
        await t.db
          .selectFrom('attendance_sessions')
          .select('closed_at')
          .where('session_id', '=', foreign.session_id)
          .executeTakeFirstOrThrow()
      ).closed_at,
    ).toBeNull();
  });
});
