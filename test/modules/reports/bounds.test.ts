/**
 * Issue 17.1: every range and size bound is checked before any work. The work a request costs is
 * measured as the CPU time of the process around app.inject (not wall time, which other processes on
 * a shared machine would inflate): the largest allowed and a too-large request both stay under 100 ms.
 * Before the fix a daily trend over 1027..2026 took 5.4 s of CPU to answer 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { insertSession, MIN } from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;

beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
  // A little data so the queries are real: a few sessions over the last days.
  for (let i = 1; i <= 3; i++) {
    await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      start_time: Date.now() - i * 1440 * MIN,
      end_time: Date.now() - i * 1440 * MIN + 60 * MIN,
    });
  }
});
afterAll(async () => t.close());

const BUDGET_US = 100_000;

/** Status and CPU microseconds (user + system) of one request, after one warm-up of the same request. */
async function cpuOf(url: string, headers: Record<string, string>, payload?: Record<string, unknown>) {
  const method = payload ? 'POST' : 'GET';
  await t.app.inject({ method, url, headers, payload });
  const before = process.cpuUsage();
  const res = await t.app.inject({ method, url, headers, payload });
  const used = process.cpuUsage(before);
  return { res, us: used.user + used.system };
}

const DAY_MS = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const MONDAY = Date.UTC(2026, 0, 5);
/** Every date from `from` for `n` days. */
const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => ymd(from + i * DAY_MS));
const series = { session_name: 'Bounds', start_local: '09:00', end_local: '10:00', timezone: 'UTC' };

describe('range bounds are checked before any work (CPU time of the request)', () => {
  it.each([
    // [url, expected status]
    ['/reports/attendance/trends?start_date=1970-01-01&end_date=2200-12-31&interval=day', 400],
    ['/reports/attendance/trends?start_date=1970-01-01&end_date=2200-12-31&interval=week', 400],
    ['/reports/attendance/trends?start_date=1970-01-01&end_date=2200-12-31&interval=month', 400],
    ['/reports/attendance/trends?start_date=1027-01-01&end_date=2026-12-31&interval=day', 400],
    ['/reports/attendance/trends?start_date=0001-01-01&end_date=9999-12-31&interval=month', 400],
    // The largest allowed: 400 days, 260 weeks, 120 months.
    ['/reports/attendance/trends?start_date=2025-01-01&end_date=2026-02-04&interval=day', 200],
    ['/reports/attendance/trends?start_date=2022-01-03&end_date=2026-12-27&interval=week', 200],
    ['/reports/attendance/trends?start_date=2017-01-01&end_date=2026-12-31&interval=month', 200],
    ['/reports/organization/summary?start_date=1970-01-01&end_date=2200-12-31', 200],
    ['/reports/organization/summary?start_date=1969-12-31&end_date=2026-12-31', 400],
    ['/reports/organization/summary?start_date=2026-01-01&end_date=2201-01-01', 400],
    ['/reports/export/csv?start_date=1970-01-01&end_date=2200-12-31', 200],
    ['/reports/export/csv?start_date=0001-01-01&end_date=9999-12-31', 400],
    ['/admin/sessions?from=1970-01-01&to=2200-12-31&per_page=100', 200],
    ['/admin/sessions?from=0001-01-01&to=9999-12-31', 400],
    ['/admin/sessions?page=1000000&per_page=100', 200],
    ['/admin/sessions?page=1000001', 400],
    // Every paged list at the last page allowed, and the whole calendar as a spreadsheet.
    ['/admin/audit?page=1000000&per_page=100', 200],
    ['/admin/audit?from=1970-01-01&to=2200-12-31&page=1000000', 200],
    ['/admin/users?page=1000000&per_page=100', 200],
    ['/admin/groups?page=1000000&per_page=100', 200],
    ['/admin/session-series?page=1000000&per_page=100', 200],
    ['/reports/export/xlsx?start_date=1970-01-01&end_date=2200-12-31', 200],
    ['/reports/export/xlsx?start_date=0001-01-01&end_date=9999-12-31', 400],
  ] as const)('%s → %i within 100 ms of CPU', async (url, status) => {
    const { res, us } = await cpuOf(url, w.auth.admin);
    expect(res.statusCode, res.body).toBe(status);
    expect(us).toBeLessThan(BUDGET_US);
  });

  it.each([
    // The largest allowed series: 400 sessions, one every 4 weeks (30.6 years).
    [
      '400 sessions 4 weeks apart',
      {
        weekdays: [1],
        interval_weeks: 4,
        start_date: ymd(MONDAY),
        end_date: ymd(MONDAY + 399 * 28 * DAY_MS),
      },
      201,
    ],
    [
      'every day of 1970..2200',
      { weekdays: [1, 2, 3, 4, 5, 6, 7], start_date: '1970-01-01', end_date: '2200-12-31' },
      400,
    ],
    [
      'one weekday of 1970..2200, every 4 weeks',
      { weekdays: [1], interval_weeks: 4, start_date: '1970-01-01', end_date: '2200-12-31' },
      400,
    ],
    [
      '400 skip dates, every date skipped',
      {
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        start_date: ymd(MONDAY),
        end_date: ymd(MONDAY + 399 * DAY_MS),
        skip_dates: days(MONDAY, 400),
      },
      400,
    ],
    [
      '400 skip dates over 1970..2200',
      {
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        start_date: '1970-01-01',
        end_date: '2200-12-31',
        skip_dates: days(MONDAY, 400),
      },
      400,
    ],
  ] as const)('a series of %s → %i within 100 ms of CPU', async (_label, schedule, status) => {
    const { res, us } = await cpuOf('/admin/session-series', w.auth.admin, { ...series, ...schedule });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
    expect(us).toBeLessThan(BUDGET_US);
  });

  it('a too-long trend says which bound it broke, and a date outside 1970..2200 names its field', async () => {
    const trend = await t.app.inject({
      method: 'GET',
      url: '/reports/attendance/trends?start_date=2000-01-01&end_date=2200-12-31&interval=day',
      headers: w.auth.teacher,
    });
    expect(trend.statusCode).toBe(400);
    expect(trend.json().errors).toEqual([
      { field: 'interval', message: expect.stringContaining('at most 400') },
    ]);
    const old = await t.app.inject({
      method: 'GET',
      url: '/reports/attendance/trends?start_date=1027-01-01&end_date=2026-12-31',
      headers: w.auth.teacher,
    });
    expect(old.statusCode).toBe(400);
    expect(old.json().errors).toEqual([
      { field: 'start_date', message: 'must be a date YYYY-MM-DD in years 1970..2200' },
    ]);
  });

  it('the student history and the user report take the whole calendar cheaply', async () => {
    const mine = await cpuOf(
      '/attendance/my-history?start_date=1970-01-01&end_date=2200-12-31',
      w.auth.student,
    );
    expect(mine.res.statusCode).toBe(200);
    expect(mine.us).toBeLessThan(BUDGET_US);
    const report = await cpuOf(
      `/reports/user/${w.users.student.user_id}/detailed?start_date=1970-01-01&end_date=2200-12-31`,
      w.auth.teacher,
    );
    expect(report.res.statusCode).toBe(200);
    expect(report.us).toBeLessThan(BUDGET_US);
  });

  it('session times outside 1970..2200 are refused by the schema, naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/sessions',
      headers: w.auth.teacher,
      payload: { session_name: 'Far', start_time: '9999-01-01T09:00:00', end_time: '9999-01-01T10:00:00' },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['end_time', 'start_time']);
  });
});
