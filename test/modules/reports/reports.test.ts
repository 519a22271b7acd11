/** Every figure of every report, checked against hand-computed values on the known data set. */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userDirectory } from '../../../src/modules/reports/export.repository.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { recordRow } from '../../helpers/rows.js';
import { bulkStudents, insertSession, MIN, recordsOf } from '../attendance/fixtures.js';
import { buildDataset, NAMES } from './dataset.js';

let t: TestContext;
let ds: Awaited<ReturnType<typeof buildDataset>>;
let auth: {
  teacher: Record<string, string>;
  admin: Record<string, string>;
  student: Record<string, string>;
  superAdmin: Record<string, string>;
  otherAdmin: Record<string, string>;
};

beforeAll(async () => {
  t = await createTestApp();
  ds = await buildDataset(t);
  const admin = await t.factory.user('admin', ds.org.org_id);
  const superUser = await t.factory.user('super_admin', null);
  const other = await t.world();
  auth = {
    teacher: (await t.login(ds.teacher)).headers,
    admin: (await t.login(admin)).headers,
    student: (await t.login(ds.students.s1)).headers,
    superAdmin: (await t.login(superUser)).headers,
    otherAdmin: other.auth.admin,
  };
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
const RANGE = 'start_date=2026-03-01&end_date=2026-04-30';

describe('GET /reports/organization/summary', () => {
  it.each(['teacher', 'admin'] as const)('gives the hand-computed figures to a %s', async (role) => {
    const res = await get(`/reports/organization/summary?${RANGE}`, auth[role]);
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({
      start_date: '2026-03-01',
      end_date: '2026-04-30',
      sessions_held: 5,
      expected: 16,
      present: 8,
      late: 3,
      absent: 3,
      excused: 2,
      attendance_rate: 0.6875,
    });
    const byName = Object.fromEntries(
      d.groups.map((g: { group_name: string | null }) => [g.group_name ?? '(whole organization)', g]),
    );
    expect(byName['Group One']).toMatchObject({
      sessions: 2,
      expected: 6,
      present: 3,
      late: 1,
      absent: 1,
      excused: 1,
      attendance_rate: 0.6667,
    });
    expect(byName['Group Two']).toMatchObject({
      sessions: 2,
      expected: 4,
      present: 2,
      late: 1,
      absent: 1,
      excused: 0,
      attendance_rate: 0.75,
    });
    expect(byName['(whole organization)']).toMatchObject({
      sessions: 1,
      expected: 6,
      present: 3,
      late: 1,
      absent: 1,
      excused: 1,
      attendance_rate: 0.6667,
    });
    const s = ds.students;
    const lowest = d.lowest_attendance.map(
      (u: { user_id: string; attendance_rate: number; sessions: number }) => [
        u.user_id,
        u.attendance_rate,
        u.sessions,
      ],
    );
    expect(lowest.slice(0, 3)).toEqual([
      ...[s.s3, s.s5]
        .map((u) => u.user_id)
        .sort()
        .map((id) => [id, 0.3333, 3]),
      [s.s4.user_id, 0.6667, 3],
    ]);
    expect(lowest.at(-1)).toEqual([s.s6.user_id, 1, 1]);
  });

  it('narrows to a range: only the March sessions', async () => {
    const d = (
      await get('/reports/organization/summary?start_date=2026-03-01&end_date=2026-03-31', auth.admin)
    ).json().data;
    expect(d).toMatchObject({
      sessions_held: 3,
      expected: 8,
      present: 3,
      late: 2,
      absent: 2,
      excused: 1,
      attendance_rate: 0.625,
    });
  });

  it('lets a super_admin name the organization, and requires it', async () => {
    expect(
      (await get(`/reports/organization/summary?${RANGE}&org_id=${ds.org.org_id}`, auth.superAdmin)).json()
        .data.expected,
    ).toBe(16);
    const res = await get(`/reports/organization/summary?${RANGE}`, auth.superAdmin);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('org_id');
  });

  it('refuses students (403), anonymous callers (401) and bad dates (400)', async () => {
    expect((await get(`/reports/organization/summary?${RANGE}`, auth.student)).statusCode).toBe(403);
    expect((await get(`/reports/organization/summary?${RANGE}`, {})).statusCode).toBe(401);
    for (const q of [
      'start_date=2026-02-30',
      'start_date=2026-04-02&end_date=2026-04-01',
      'start_date=yesterday',
    ]) {
      expect((await get(`/reports/organization/summary?${q}`, auth.admin)).statusCode, q).toBe(400);
    }
  });

  it('answers 404 when an admin names another organization', async () => {
    expect(
      (await get(`/reports/organization/summary?org_id=${ds.org.org_id}`, auth.otherAdmin)).statusCode,
    ).toBe(404);
  });
});

describe('GET /reports/attendance/trends', () => {
  it('buckets by month in the organization’s zone', async () => {
    const d = (await get(`/reports/attendance/trends?${RANGE}&interval=month`, auth.teacher)).json().data;
    expect(d.points).toEqual([
      {
        period_start: '2026-03-01',
        sessions: 3,
        expected: 8,
        present: 3,
        late: 2,
        absent: 2,
        excused: 1,
        attendance_rate: 0.625,
      },
      {
        period_start: '2026-04-01',
        sessions: 2,
        expected: 8,
        present: 5,
        late: 1,
        absent: 1,
        excused: 1,
        attendance_rate: 0.75,
      },
    ]);
  });

  it('fills day gaps with zeros across the DST change', async () => {
    const d = (
      await get(
        '/reports/attendance/trends?start_date=2026-03-06&end_date=2026-03-10&interval=day',
        auth.admin,
      )
    ).json().data;
    expect(
      d.points.map((p: { period_start: string; sessions: number; expected: number }) => [
        p.period_start,
        p.sessions,
        p.expected,
      ]),
    ).toEqual([
      ['2026-03-06', 0, 0],
      ['2026-03-07', 1, 3],
      ['2026-03-08', 0, 0],
      ['2026-03-09', 1, 3],
      ['2026-03-10', 0, 0],
    ]);
    expect(d.points[0].attendance_rate).toBeNull();
    expect(d.points[1]).toMatchObject({ present: 1, late: 1, absent: 1, attendance_rate: 0.6667 });
  });

  it('puts 23:30 local on April 1 into April 1, not April 2 (UTC)', async () => {
    const d = (
      await get('/reports/attendance/trends?start_date=2026-04-01&end_date=2026-04-02', auth.admin)
    ).json().data;
    expect(
      d.points.map((p: { period_start: string; sessions: number }) => [p.period_start, p.sessions]),
    ).toEqual([
      ['2026-04-01', 2],
      ['2026-04-02', 0],
    ]);
  });

  it('starts weeks on Monday', async () => {
    const d = (
      await get(
        `/reports/attendance/trends?start_date=2026-03-02&end_date=2026-04-05&interval=week`,
        auth.admin,
      )
    ).json().data;
    const withSessions = d.points
      .filter((p: { sessions: number }) => p.sessions > 0)
      .map((p: { period_start: string; sessions: number }) => [p.period_start, p.sessions]);
    expect(withSessions).toEqual([
      ['2026-03-02', 1],
      ['2026-03-09', 1],
      ['2026-03-30', 3],
    ]);
    expect(d.points).toHaveLength(5);
  });

  it('refuses an unknown interval and too many points', async () => {
    expect((await get('/reports/attendance/trends?interval=year', auth.admin)).statusCode).toBe(400);
    expect(
      (
        await get(
          '/reports/attendance/trends?start_date=2020-01-01&end_date=2026-01-01&interval=day',
          auth.admin,
        )
      ).statusCode,
    ).toBe(400);
  });
});

describe('GET /reports/user/{id}/detailed', () => {
  it('gives totals, rate, lateness and the sessions of a student', async () => {
    const res = await get(`/reports/user/${ds.students.s4.user_id}/detailed?${RANGE}`, auth.teacher);
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({
      expected: 3,
      present: 1,
      late: 1,
      absent: 1,
      excused: 0,
      attendance_rate: 0.6667,
      lateness: { count: 1, average_minutes: 12 },
    });
    expect(d.sessions.map((s: { session_id: string; status: string }) => [s.session_id, s.status])).toEqual([
      [ds.sessions.E.session_id, 'absent'],
      [ds.sessions.D.session_id, 'present'],
      [ds.sessions.C.session_id, 'late'],
    ]);
    expect(d.sessions[2].minutes_late).toBe(12);
    expect(d.pagination).toEqual({
      page: 1,
      per_page: 20,
      total: 3,
      pages: 1,
      total_pages: 1,
      has_next: false,
      has_prev: false,
    });
  });

  it('404 for another organization’s user, 403 for a student', async () => {
    expect((await get(`/reports/user/${ds.students.s4.user_id}/detailed`, auth.otherAdmin)).statusCode).toBe(
      404,
    );
    expect((await get(`/reports/user/${ds.students.s4.user_id}/detailed`, auth.student)).statusCode).toBe(
      403,
    );
  });
});

describe('GET /reports/session/{id}/detailed', () => {
  it('lists every expected attendee with status, times and distance, totals, rate and average delay', async () => {
    const res = await get(`/reports/session/${ds.sessions.A.session_id}/detailed`, auth.teacher);
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({
      expected: 3,
      present: 1,
      late: 1,
      absent: 1,
      excused: 0,
      attendance_rate: 0.6667,
      not_checked_in: 0,
      average_check_in_delay_minutes: 7,
    });
    const byUser = Object.fromEntries(d.attendees.map((a: { user_id: string }) => [a.user_id, a]));
    expect(byUser[ds.students.s2.user_id]).toMatchObject({
      status: 'late',
      minutes_after_start: 12,
      distance_m: 11.1,
    });
    expect(byUser[ds.students.s3.user_id]).toMatchObject({ status: 'absent', check_in_time: null });
  });

  it('404 for another organization’s session and for an unknown id', async () => {
    expect(
      (await get(`/reports/session/${ds.sessions.A.session_id}/detailed`, auth.otherAdmin)).statusCode,
    ).toBe(404);
    expect(
      (await get('/reports/session/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/detailed', auth.admin)).statusCode,
    ).toBe(404);
    expect((await get('/reports/session/nope/detailed', auth.admin)).statusCode).toBe(400);
  });
});

describe('GET /reports/export/csv', () => {
  it('parses back, with a real CSV parser, to exactly the records — quotes, commas, newlines, non-Latin, formulas', async () => {
    const res = await get('/reports/export/csv', auth.admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="attendance-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows: Record<string, string>[] = parse(res.rawPayload, {
      bom: true,
      columns: true,
      relax_column_count: false,
    });
    const records = await t.db
      .selectFrom('attendance_records as r')
      .innerJoin('users as u', 'u.user_id', 'r.user_id')
      .select(['r.record_id', 'r.status', 'u.name', 'r.notes', 'r.check_in_time'])
      .where('r.org_id', '=', ds.org.org_id)
      .execute();
    expect(rows).toHaveLength(records.length);
    expect(rows.map((r) => r.record_id).sort()).toEqual(records.map((r) => r.record_id).sort());
    for (const r of records) {
      const row = rows.find((x) => x.record_id === r.record_id)!;
      const expectedName = /^[=+\-@]/.test(r.name) ? `'${r.name}` : r.name;
      expect(row.user_name).toBe(expectedName);
      expect(row.status).toBe(r.status);
      expect(row.notes).toBe(r.notes ?? '');
      expect(row.check_in_time).toBe(r.check_in_time === null ? '' : new Date(r.check_in_time).toISOString());
    }
    expect(rows.map((r) => r.user_name)).toEqual(
      expect.arrayContaining([
        "'=cmd|/C calc",
        "'+plus sign",
        'Line\nBreak',
        'Zoë Ñandú 李小龍',
        'Quote "Q" Person',
        'Doe, Jane',
      ]),
    );
    expect(NAMES).toHaveLength(6);
  });

  it('filters by session, user, group and dates', async () => {
    const count = async (q: string) =>
      parse((await get(`/reports/export/csv?${q}`, auth.teacher)).rawPayload, { bom: true, columns: true })
        .length;
    expect(await count(`session_id=${ds.sessions.E.session_id}`)).toBe(6);
    expect(await count(`user_id=${ds.students.s1.user_id}`)).toBe(4); // A, B, E and the cancelled F
    expect(await count(`group_id=${ds.groups.g2}`)).toBe(4);
    expect(await count('start_date=2026-04-01&end_date=2026-04-01')).toBe(8);
    expect(await count('start_date=2026-03-09&end_date=2026-03-09')).toBe(3);
  });

  it('refuses other organizations’ filter ids (404), students (403), bad dates (400)', async () => {
    expect(
      (await get(`/reports/export/csv?session_id=${ds.sessions.A.session_id}`, auth.otherAdmin)).statusCode,
    ).toBe(404);
    expect((await get('/reports/export/csv', auth.student)).statusCode).toBe(403);
    expect((await get('/reports/export/csv?end_date=2026-13-01', auth.admin)).statusCode).toBe(400);
  });
});

describe('exports of a held session', () => {
  it('hold its absentees as rows once the scheduler has closed it; the export itself writes nothing', async () => {
    const org = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    const admin = (await t.login(await t.factory.user('admin', org.org_id))).headers;
    const [came, missed] = await bulkStudents(t, org.org_id, 2);
    const now = Date.now();
    const s = await insertSession(t, org.org_id, teacher.user_id, {
      start_time: now - 120 * MIN,
      end_time: now - 30 * MIN,
      created_at: now - 180 * MIN,
    });
    await t.db
      .insertInto('attendance_records')
      .values(
        recordRow(
          { orgId: org.org_id, sessionId: s.session_id, userId: came!.user_id },
          {
            status: 'present',
            check_in_time: now - 110 * MIN,
          },
        ),
      )
      .execute();
    const early = parse((await get('/reports/export/csv', admin)).rawPayload, { bom: true, columns: true });
    expect(early).toHaveLength(1);
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
    await t.app.scheduler.runNow('close-ended-sessions');

    const rows: Record<string, string>[] = parse((await get('/reports/export/csv', admin)).rawPayload, {
      bom: true,
      columns: true,
    });
    expect(rows.map((r) => [r.user_id, r.status]).sort()).toEqual(
      [
        [came!.user_id, 'present'],
        [missed!.user_id, 'absent'],
      ].sort(),
    );
    expect(await recordsOf(t, s.session_id)).toHaveLength(2);
  });
});

describe('GET /reports/export/xlsx', () => {
  it('holds the same rows as the CSV', async () => {
    const res = await get('/reports/export/xlsx', auth.admin);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('attendance')!;
    expect(sheet.rowCount - 1).toBe(17);
    const names = sheet.getColumn(8).values.slice(2);
    expect(names).toEqual(expect.arrayContaining(["'=cmd|/C calc", 'Zoë Ñandú 李小龍']));
  });
});

describe('figures follow corrections of closed sessions', () => {
  it('a correction (absent → excused) and a force check-in change the summary and the trends at once', async () => {
    const before = (await get(`/reports/organization/summary?${RANGE}`, auth.admin)).json().data;
    const absentA = await t.db
      .selectFrom('attendance_records')
      .select('record_id')
      .where('session_id', '=', ds.sessions.A.session_id)
      .where('status', '=', 'absent')
      .executeTakeFirstOrThrow();
    const put = await t.app.inject({
      method: 'PUT',
      url: `/attendance/records/${absentA.record_id}`,
      headers: auth.admin,
      payload: { status: 'excused', notes: 'late paperwork' },
    });
    expect(put.statusCode).toBe(200);
    const after = (await get(`/reports/organization/summary?${RANGE}`, auth.admin)).json().data;
    expect(after).toMatchObject({
      expected: before.expected,
      absent: before.absent - 1,
      excused: before.excused + 1,
      attendance_rate: before.attendance_rate,
    });
    // s6 is not in Group Two: marking them present at D adds one expected attendee who attended.
    const force = await t.app.inject({
      method: 'POST',
      url: '/attendance/force-check-in',
      headers: auth.admin,
      payload: { session_id: ds.sessions.D.session_id, user_id: ds.students.s6.user_id, status: 'present' },
    });
    expect(force.statusCode).toBe(201);
    const again = (await get(`/reports/organization/summary?${RANGE}`, auth.admin)).json().data;
    expect(again).toMatchObject({
      expected: before.expected + 1,
      present: before.present + 1,
      attendance_rate: Number(((before.present + before.late + 1) / (before.expected + 1)).toFixed(4)),
    });
    const april = (await get(`/reports/attendance/trends?${RANGE}&interval=month`, auth.admin)).json().data
      .points[1];
    expect(april).toMatchObject({ expected: 9, present: 6 });
  });
});

describe('the export’s user directory', () => {
  it('answers every id of each chunk, also when it refills at its bound', async () => {
    const ids = Object.values(ds.students).map((u) => u.user_id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const dir = userDirectory(t.db, ds.org.org_id, 3);
    for (const chunk of [
      ids.slice(0, 2),
      ids.slice(1, 3),
      ids.slice(2, 4),
      [ids[0]!, ids[0]!],
      ids.slice(0, 3),
    ]) {
      await dir.load(chunk);
      for (const id of chunk) expect(dir.get(id)?.email).toMatch(/@/);
    }
  });
});
