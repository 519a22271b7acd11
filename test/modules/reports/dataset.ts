/**
 * A known data set for the report tests, in an America/New_York organization: two groups, sessions
 * on both sides of the 2026-03-08 DST change and of the March/April boundary (one at 23:30 local on
 * April 1, already April 2 in UTC), every status, a cancelled session and an upcoming one that must
 * not count, and names that stress CSV quoting. Expected figures are worked out by hand in
 * reports.test.ts.
 */
import { newId } from '../../../src/lib/ids.js';
import { parseInstant } from '../../../src/lib/time.js';
import type { TestContext } from '../../helpers/app.js';
import { recordRow, sessionRow } from '../../helpers/rows.js';

export const TZ = 'America/New_York';
export const NAMES = [
  'Doe, Jane',
  'Quote "Q" Person',
  'Line\nBreak',
  'Zoë Ñandú 李小龍',
  '=cmd|/C calc',
  '+plus sign',
];

type Status = 'present' | 'late' | 'absent' | 'excused';

export async function buildDataset(t: TestContext) {
  const org = await t.factory.org({ timezone: TZ, late_after_minutes: 10 });
  const teacher = await t.factory.user('teacher', org.org_id);
  const s = [];
  for (const [i, name] of NAMES.entries())
    s.push(
      await t.factory.user('student', org.org_id, {
        name,
        email: `ds${i + 1}.${org.org_id.slice(-6)}@example.test`,
      }),
    );
  const [s1, s2, s3, s4, s5, s6] = s as [
    (typeof s)[0],
    (typeof s)[0],
    (typeof s)[0],
    (typeof s)[0],
    (typeof s)[0],
    (typeof s)[0],
  ];
  const now = Date.now();

  const group = async (name: string, members: { user_id: string }[]) => {
    const group_id = newId();
    await t.db
      .insertInto('groups')
      .values({ group_id, org_id: org.org_id, name, description: null, created_at: now, updated_at: now })
      .execute();
    await t.db
      .insertInto('group_members')
      .values(members.map((m) => ({ group_id, user_id: m.user_id, org_id: org.org_id, added_at: now })))
      .execute();
    return group_id;
  };
  const g1 = await group('Group One', [s1, s2, s3]);
  const g2 = await group('Group Two', [s4, s5]);

  const at = (local: string) => parseInstant(local, TZ)!;
  const session = async (
    name: string,
    startLocal: string,
    minutes: number,
    groupId: string | null,
    opts: { active?: boolean } = {},
  ) => {
    const start = at(startLocal);
    const end = start + minutes * 60_000;
    const row = sessionRow(org.org_id, {
      session_name: name,
      start_time: start,
      end_time: end,
      timezone: TZ,
      group_id: groupId,
      location_lat: 40.7128,
      location_lon: -74.006,
      location_radius: 100,
      late_after_minutes: 10,
      created_by: teacher.user_id,
      closed_at: end < now ? end : null,
      is_active: opts.active === false ? 0 : 1,
    });
    await t.db.insertInto('attendance_sessions').values(row).execute();
    return { session_id: row.session_id, start, end };
  };
  const record = async (
    sess: { session_id: string; start: number },
    user: { user_id: string },
    status: Status,
    minutesAfterStart = 2,
  ) => {
    const checkIn =
      status === 'absent' || status === 'excused' ? null : sess.start + minutesAfterStart * 60_000;
    const row = recordRow(
      { orgId: org.org_id, sessionId: sess.session_id, userId: user.user_id },
      {
        check_in_time: checkIn,
        check_in_lat: checkIn ? 40.7129 : null,
        check_in_lon: checkIn ? -74.006 : null,
        check_in_accuracy: checkIn ? 8 : null,
        distance_m: checkIn ? 11.1 : null,
        status,
        notes: status === 'excused' ? 'doctor, "note"' : null,
        created_at: checkIn ?? sess.start,
        updated_at: checkIn ?? sess.start,
      },
    );
    await t.db.insertInto('attendance_records').values(row).execute();
    return row.record_id;
  };

  const A = await session('A (before DST)', '2026-03-07T09:00', 90, g1);
  await record(A, s1, 'present', 2);
  await record(A, s2, 'late', 12);
  await record(A, s3, 'absent');
  const B = await session('B (after DST)', '2026-03-09T09:00', 90, g1);
  await record(B, s1, 'present', 0);
  await record(B, s2, 'present', 5);
  await record(B, s3, 'excused');
  const C = await session('C (March 31 evening)', '2026-03-31T18:00', 60, g2);
  await record(C, s4, 'late', 12);
  await record(C, s5, 'absent');
  const D = await session('D (April 1 morning)', '2026-04-01T09:00', 60, g2);
  await record(D, s4, 'present', 1);
  await record(D, s5, 'present', 3);
  const E = await session('E (April 1, 23:30 local = April 2 UTC)', '2026-04-01T23:30', 20, null);
  await record(E, s1, 'present', 1);
  await record(E, s2, 'present', 1);
  await record(E, s3, 'late', 15);
  await record(E, s4, 'absent');
  await record(E, s5, 'excused');
  await record(E, s6, 'present', 4);
  const F = await session('F (cancelled)', '2026-03-10T09:00', 60, g1, { active: false });
  await record(F, s1, 'present');
  const upcoming = await session(
    'G (upcoming)',
    new Date(now + 7 * 86_400_000).toISOString().slice(0, 16),
    60,
    null,
  );
  // The sessions were written closed, without their per-session counts: the scheduler's close job
  // counts them (as it does for rows from before counting existed).
  await t.app.scheduler.runNow('close-ended-sessions');

  return {
    org,
    teacher,
    students: { s1, s2, s3, s4, s5, s6 },
    groups: { g1, g2 },
    sessions: { A, B, C, D, E, F, upcoming },
  };
}
