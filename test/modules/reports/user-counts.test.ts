/**
 * The per-user month counts behind the organization summary's lowest-attendance list (migration
 * 0012): after random check-ins, force check-ins, corrections, reviews, closes, cancels and start
 * time edits over sessions on both sides of UTC month boundaries, local midnights and both DST
 * changes of 2026 (America/New_York), the maintained rows equal a recomputation from the records, and
 * the list equals the reference query (every held record grouped by user) for many ranges and
 * instants — including closed sessions that have not ended yet, which count in the rows but are not
 * held. Runs on every engine (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeBus } from '../../../src/lib/change-events.js';
import { addDays, type LocalDate, parseLocalDate, startOfLocalDayMs } from '../../../src/lib/time.js';
import { utcMonthStart } from '../../../src/lib/utc-months.js';
import { createRecordWriter, type RecordWriter } from '../../../src/modules/attendance/record-writer.js';
import { reportsRepository } from '../../../src/modules/reports/reports.repository.js';
import type { AttendanceSessionRow } from '../../../src/modules/sessions/sessions.table.js';
import { userCountsRepository } from '../../../src/modules/sessions/user-counts.repository.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { recordRow } from '../../helpers/rows.js';
import { insertSession, MIN } from '../attendance/fixtures.js';

const TZ = 'America/New_York';
const STATUSES = ['present', 'late', 'absent', 'excused'] as const;
/** Session starts around the edges that matter: UTC month starts, local midnights, DST changes. */
const ANCHORS = [
  '2026-01-10T14:00:00Z',
  '2026-02-28T23:30:00Z', // Feb 28 18:30 local, February in UTC
  '2026-03-01T00:30:00Z', // Feb 28 19:30 local, March in UTC
  '2026-03-01T04:30:00Z', // Feb 28 23:30 local
  '2026-03-01T05:30:00Z', // Mar 1 00:30 local
  '2026-03-08T06:30:00Z', // 01:30 EST, before the spring change
  '2026-03-08T07:30:00Z', // 03:30 EDT, after it
  '2026-03-31T23:30:00Z', // Mar 31 19:30 local, March in UTC
  '2026-04-01T00:30:00Z', // Mar 31 20:30 local, April in UTC
  '2026-04-01T03:59:00Z', // Mar 31 23:59 local
  '2026-04-01T04:00:00Z', // Apr 1 00:00 local
  '2026-06-15T14:00:00Z',
  '2026-10-31T23:00:00Z', // Oct 31 19:00 local, October in UTC
  '2026-11-01T03:00:00Z', // Oct 31 23:00 local, November in UTC
  '2026-11-01T05:30:00Z', // 01:30 EDT, the first of the repeated hour
  '2026-11-01T06:30:00Z', // 01:30 EST, the second
  '2026-11-30T23:00:00Z', // Nov 30 18:00 local, November in UTC
  '2026-12-01T04:30:00Z', // Nov 30 23:30 local, December in UTC
  '2026-12-01T05:30:00Z', // Dec 1 00:30 local
].map((s) => Date.parse(s));
/** Report instants: before, between and after the sessions (closed sessions not ended are not held). */
const NOWS = [
  '2026-03-01T05:00:00Z',
  '2026-03-08T07:45:00Z',
  '2026-04-01T01:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-12-01T05:00:00Z',
  '2027-06-01T00:00:00Z',
].map((s) => Date.parse(s));

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

let t: TestContext;
let writer: RecordWriter;

beforeAll(async () => {
  t = await createTestApp();
  writer = createRecordWriter({ db: t.db, dialect: t.dialect, changes: createChangeBus() });
});
afterAll(async () => t.close());

/** The rows as they should be: every record of a closed, active session, by user and UTC month. */
async function recomputed(orgId: string) {
  const recs = await t.db
    .selectFrom('attendance_records as r')
    .innerJoin('attendance_sessions as s', 's.session_id', 'r.session_id')
    .select(['r.user_id', 'r.status', 's.start_time', 's.closed_at', 's.is_active'])
    .where('r.org_id', '=', orgId)
    .execute();
  const out = new Map<string, { sessions: number; attended: number }>();
  for (const r of recs) {
    if (r.closed_at === null || !r.is_active) continue;
    const key = `${r.user_id} ${utcMonthStart(Number(r.start_time))}`;
    const c = out.get(key) ?? { sessions: 0, attended: 0 };
    c.sessions++;
    if (r.status === 'present' || r.status === 'late') c.attended++;
    out.set(key, c);
  }
  return out;
}

async function maintained(orgId: string) {
  const rows = await t.db
    .selectFrom('user_attendance_months')
    .selectAll()
    .where('org_id', '=', orgId)
    .execute();
  const out = new Map<string, { sessions: number; attended: number }>();
  for (const r of rows) {
    const c = { sessions: Number(r.sessions), attended: Number(r.attended) };
    // A row emptied by a cancel or a move stays at zero; nothing may go below.
    expect(c.sessions).toBeGreaterThanOrEqual(0);
    expect(c.attended).toBeGreaterThanOrEqual(0);
    expect(c.attended).toBeLessThanOrEqual(c.sessions);
    if (c.sessions > 0) out.set(`${r.user_id} ${Number(r.month_start)}`, c);
  }
  return out;
}

const ms = (from: LocalDate, to: LocalDate) => ({
  fromMs: startOfLocalDayMs(from, TZ),
  toMs: startOfLocalDayMs(addDays(to, 1), TZ),
});

/** Fixed ranges on the edges, and random ones (local dates, as the service turns them into instants). */
function ranges(random: () => number) {
  const fixed: [string, string][] = [
    ['2026-01-01', '2026-12-31'],
    ['2025-12-01', '2026-11-30'],
    ['2026-03-01', '2026-03-31'],
    ['2026-02-28', '2026-03-01'],
    ['2026-03-08', '2026-03-08'],
    ['2026-03-31', '2026-04-01'],
    ['2026-04-01', '2026-10-31'],
    ['2026-11-01', '2026-11-01'],
    ['2026-11-30', '2026-12-01'],
    ['2026-02-01', '2026-11-30'],
  ];
  const day = (n: number) => addDays(parseLocalDate('2026-01-01')!, n);
  const out = fixed.map(([a, b]) => ms(parseLocalDate(a)!, parseLocalDate(b)!));
  for (let i = 0; i < 14; i++) {
    const a = Math.floor(random() * 360);
    const b = a + Math.floor(random() * (365 - a));
    out.push(ms(day(a), day(b)));
  }
  return out;
}

async function expectListsMatchReference(orgId: string, random: () => number) {
  expect(await userCountsRepository.isBuilt(t.db, orgId)).toBe(true);
  for (const range of ranges(random))
    for (const now of NOWS)
      for (const limit of [3, 1000]) {
        const fast = await reportsRepository.lowestAttendance(t.db, orgId, range, now, limit);
        const reference = await reportsRepository.lowestAttendanceFromRecords(t.db, orgId, range, now, limit);
        expect(fast, JSON.stringify({ range, now, limit })).toEqual(reference);
      }
}

describe.each([11, 29, 4242])('per-user month counts, seed %i', (seed) => {
  it('equal a recomputation, and the list equals the reference query, after random changes', async () => {
    const random = rng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const org = await t.factory.org({ timezone: TZ });
    const admin = await t.factory.user('admin', org.org_id);
    const headers = (await t.login(admin)).headers;
    const students = [];
    for (let i = 0; i < 12; i++) students.push(await t.factory.user('student', org.org_id));
    // A new org is built (empty) by the scheduler's catch-up; from then on the rows are maintained.
    await userCountsRepository.catchUp(t.db, Date.now());
    expect(await userCountsRepository.isBuilt(t.db, org.org_id)).toBe(true);

    const sessions: AttendanceSessionRow[] = [];
    for (let i = 0; i < 24; i++) {
      const start = pick(ANCHORS) + pick([0, 0, -1, 1, 29]) * MIN;
      sessions.push(
        await insertSession(t, org.org_id, admin.user_id, {
          start_time: start,
          end_time: start + pick([45, 90, 120]) * MIN,
          timezone: TZ,
        }),
      );
    }
    const fresh = async (s: AttendanceSessionRow) =>
      (await t.db
        .selectFrom('attendance_sessions')
        .selectAll()
        .where('session_id', '=', s.session_id)
        .executeTakeFirst())!;
    const by = (action: string) => ({ actorId: admin.user_id, action, cause: action, at: Date.now() });
    const anyRecord = async () => {
      const recs = await t.db
        .selectFrom('attendance_records')
        .select(['record_id', 'session_id', 'status'])
        .where('org_id', '=', org.org_id)
        .orderBy('record_id')
        .execute();
      return recs.length ? pick(recs) : undefined;
    };
    const refused = (err: unknown) => {
      // A cancelled session's records are frozen (409); a second record of a user is a unique violation.
      const e = err as { statusCode?: number; code?: string | number; errno?: number; message?: string };
      if (e.statusCode === 409 || /unique|duplicate/i.test(String(e.message)) || e.code === '23505') return;
      throw err;
    };

    const counts: Record<string, number> = {};
    for (let step = 0; step < 160; step++) {
      const s = await fresh(pick(sessions));
      const student = pick(students);
      const op = pick([
        'check_in',
        'check_in',
        'check_in',
        'force',
        'correct',
        'correct',
        'review',
        'close',
        'close',
        'cancel',
        'move',
      ] as const);
      counts[op] = (counts[op] ?? 0) + 1;
      if (op === 'check_in') {
        // Check-ins reach only sessions that are neither closed nor cancelled (the service's rule).
        if (s.closed_at !== null || !s.is_active) continue;
        await writer.checkIn(
          recordRow(
            { orgId: org.org_id, sessionId: s.session_id, userId: student.user_id },
            { status: pick(['present', 'late'] as const), check_in_time: s.start_time },
          ),
        );
      } else if (op === 'force') {
        const row = recordRow(
          { orgId: org.org_id, sessionId: s.session_id, userId: student.user_id },
          { status: pick(STATUSES), marked_by: admin.user_id },
        );
        await writer.insertMarked(row, by('force_check_in')).catch(refused);
      } else if (op === 'correct' || op === 'review') {
        const rec = await anyRecord();
        if (!rec) continue;
        const status = pick(STATUSES);
        await writer
          .change(
            rec.session_id,
            { recordId: rec.record_id },
            (cur) =>
              op === 'correct'
                ? { status, notes: `step ${step}` }
                : pick([
                    { review_state: 'accepted', status: cur.status },
                    { review_state: 'rejected', status: 'absent' },
                  ] as const),
            by(op === 'correct' ? 'correction' : 'review'),
          )
          .catch(refused);
      } else if (op === 'close') {
        if (s.is_active && s.closed_at === null) await writer.closeSession(s, admin.user_id, Date.now());
      } else if (op === 'cancel') {
        const res = await t.app.inject({ method: 'DELETE', url: `/admin/sessions/${s.session_id}`, headers });
        expect(res.statusCode).toBe(200);
      } else {
        // Across a month boundary or a DST change, or by an hour: the records follow the start.
        const delta = pick([-31 * 24 * 60, -24 * 60, -60, 60, 24 * 60, 31 * 24 * 60]) * MIN;
        const res = await t.app.inject({
          method: 'PUT',
          url: `/admin/sessions/${s.session_id}`,
          headers,
          payload: {
            start_time: new Date(s.start_time + delta).toISOString(),
            end_time: new Date(s.end_time + delta).toISOString(),
          },
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      if (step % 40 === 39) expect(await maintained(org.org_id)).toEqual(await recomputed(org.org_id));
    }
    // The walk did reach every kind of change.
    for (const op of ['check_in', 'force', 'correct', 'review', 'close', 'cancel', 'move'])
      expect(counts[op], op).toBeGreaterThan(0);
    const closed = await t.db
      .selectFrom('attendance_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.org_id)
      .where('closed_at', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(Number(closed.n)).toBeGreaterThan(3);

    const expected = await recomputed(org.org_id);
    expect(expected.size).toBeGreaterThan(10);
    expect(await maintained(org.org_id)).toEqual(expected);
    await expectListsMatchReference(org.org_id, random);

    // A rebuild from the records gives the same rows (what the scheduler does for older data).
    await userCountsRepository.rebuild(t.db, org.org_id, Date.now());
    expect(await maintained(org.org_id)).toEqual(expected);
  });
});

describe('per-user month counts of rows written by other tools', () => {
  it('are rebuilt by the scheduler, and the summary then equals the reference', async () => {
    const org = await t.factory.org({ timezone: TZ });
    const admin = await t.factory.user('admin', org.org_id);
    const students = [];
    for (let i = 0; i < 5; i++) students.push(await t.factory.user('student', org.org_id));
    await userCountsRepository.catchUp(t.db, Date.now());
    // A closed session written straight into the tables, without any count (as the bench does).
    for (const [i, start] of ANCHORS.slice(0, 6).entries()) {
      const s = await insertSession(t, org.org_id, admin.user_id, {
        start_time: start,
        end_time: start + 60 * MIN,
        timezone: TZ,
        closed_at: start + 60 * MIN,
      });
      await t.db
        .insertInto('attendance_records')
        .values(
          students.map((u, k) =>
            recordRow(
              { orgId: org.org_id, sessionId: s.session_id, userId: u.user_id },
              { status: STATUSES[(i + k) % 4] },
            ),
          ),
        )
        .execute();
    }
    expect(await maintained(org.org_id)).toEqual(new Map());
    await t.app.scheduler.runNow('close-ended-sessions');
    expect(await maintained(org.org_id)).toEqual(await recomputed(org.org_id));
    expect((await recomputed(org.org_id)).size).toBeGreaterThan(5);
    await expectListsMatchReference(org.org_id, rng(7));
  });

  it('an org not built yet is answered from its records', async () => {
    const org = await t.factory.org({ timezone: TZ });
    const student = await t.factory.user('student', org.org_id);
    const s = await insertSession(t, org.org_id, null, {
      start_time: ANCHORS[11]!,
      end_time: ANCHORS[11]! + 60 * MIN,
      closed_at: ANCHORS[11]! + 60 * MIN,
    });
    await t.db
      .insertInto('attendance_records')
      .values(recordRow({ orgId: org.org_id, sessionId: s.session_id, userId: student.user_id }))
      .execute();
    expect(await userCountsRepository.isBuilt(t.db, org.org_id)).toBe(false);
    expect(await maintained(org.org_id)).toEqual(new Map());
    const range = ms(parseLocalDate('2026-01-01')!, parseLocalDate('2026-12-31')!);
    const list = await reportsRepository.lowestAttendance(t.db, org.org_id, range, NOWS[5]!, 10);
    expect(list).toMatchObject([{ user_id: student.user_id, sessions: 1, attended: 0, attendance_rate: 0 }]);
  });
});
