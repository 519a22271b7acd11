/**
 * Races that the database constraints must settle: duplicate check-ins, a crowd checking in at
 * once, closes racing each other and racing check-ins, and retries carrying one Idempotency-Key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { bulkStudents, CENTRE, insertGroup, insertSession, recordsOf } from './fixtures.js';

let t: TestContext;
let org: { org_id: string };
let teacher: { user_id: string; headers: Record<string, string> };
beforeAll(async () => {
  t = await createTestApp();
  org = await t.factory.org();
  const u = await t.factory.user('teacher', org.org_id);
  teacher = { user_id: u.user_id, headers: (await t.login(u)).headers };
});
afterAll(async () => t.close());

const checkIn = (sessionId: string, headers: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: '/attendance/check-in',
    headers,
    payload: { session_id: sessionId, ...CENTRE },
  });
const close = (sessionId: string) =>
  t.app.inject({ method: 'POST', url: `/admin/sessions/${sessionId}/close`, headers: teacher.headers });
const tally = (codes: number[]) => {
  const out: Record<number, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
};

describe('concurrent check-ins', () => {
  it('200 simultaneous check-ins of one student: one 201, 199 × 409, one record', async () => {
    const [me] = await bulkStudents(t, org.org_id, 1);
    const s = await insertSession(t, org.org_id, teacher.user_id);
    const res = await Promise.all(Array.from({ length: 200 }, () => checkIn(s.session_id, me!.headers)));
    expect(tally(res.map((r) => r.statusCode))).toEqual({ 201: 1, 409: 199 });
    expect(
      res.filter((r) => r.statusCode === 409).every((r) => r.json().error_code === 'ALREADY_CHECKED_IN'),
    ).toBe(true);
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
  });

  it('500 students at once into one session: 500 records', async () => {
    const crowd = await bulkStudents(t, org.org_id, 500);
    const groupId = await insertGroup(
      t,
      org.org_id,
      crowd.map((c) => c.user_id),
    );
    const s = await insertSession(t, org.org_id, teacher.user_id, { group_id: groupId });
    const res = await Promise.all(crowd.map((c) => checkIn(s.session_id, c.headers)));
    expect(tally(res.map((r) => r.statusCode))).toEqual({ 201: 500 });
    const recs = await recordsOf(t, s.session_id);
    expect(recs).toHaveLength(500);
    expect(new Set(recs.map((r) => r.user_id)).size).toBe(500);
  });

  it('20 simultaneous retries with one Idempotency-Key: one record, every 2xx answer identical', async () => {
    const [me] = await bulkStudents(t, org.org_id, 1);
    const s = await insertSession(t, org.org_id, teacher.user_id);
    const headers = { ...me!.headers, 'idempotency-key': 'same-request' };
    const res = await Promise.all(Array.from({ length: 20 }, () => checkIn(s.session_id, headers)));
    // Concurrent duplicates are told the first is in progress (409 CONFLICT); none is checked in twice.
    for (const r of res) expect([201, 409]).toContain(r.statusCode);
    expect(res.filter((r) => r.statusCode === 409).every((r) => r.json().error_code === 'CONFLICT')).toBe(
      true,
    );
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
    const after = await checkIn(s.session_id, headers);
    expect(after.statusCode).toBe(201);
    for (const r of res.filter((x) => x.statusCode === 201)) expect(r.json()).toEqual(after.json());
  });
});

describe('concurrent closes', () => {
  it('two (and five) simultaneous closes leave exactly one absent record per missing attendee', async () => {
    const students = await bulkStudents(t, org.org_id, 40);
    const groupId = await insertGroup(
      t,
      org.org_id,
      students.map((s) => s.user_id),
    );
    for (const racers of [2, 5]) {
      const s = await insertSession(t, org.org_id, teacher.user_id, { group_id: groupId });
      for (const st of students.slice(0, 10))
        expect((await checkIn(s.session_id, st.headers)).statusCode).toBe(201);
      const res = await Promise.all(Array.from({ length: racers }, () => close(s.session_id)));
      expect(res.map((r) => r.statusCode)).toEqual(Array(racers).fill(200));
      expect(res.reduce((n, r) => n + r.json().data.absent_marked, 0)).toBe(30);
      const recs = await recordsOf(t, s.session_id);
      expect(recs).toHaveLength(40);
      expect(recs.filter((r) => r.status === 'absent')).toHaveLength(30);
      const changes = await t.db
        .selectFrom('attendance_record_changes')
        .select('record_id')
        .where(
          'record_id',
          'in',
          recs.map((r) => r.record_id),
        )
        .execute();
      expect(changes).toHaveLength(30);
      expect(new Set(changes.map((c) => c.record_id)).size).toBe(30);
    }
  });

  it('closes racing check-ins and force check-ins: every student ends with exactly one record', async () => {
    const students = await bulkStudents(t, org.org_id, 60);
    const groupId = await insertGroup(
      t,
      org.org_id,
      students.map((s) => s.user_id),
    );
    const s = await insertSession(t, org.org_id, teacher.user_id, { group_id: groupId });
    const forced = students.slice(0, 10);
    const res = await Promise.all([
      ...students.map((st) => checkIn(s.session_id, st.headers)),
      close(s.session_id),
      ...forced.map((st) =>
        t.app.inject({
          method: 'POST',
          url: '/attendance/force-check-in',
          headers: teacher.headers,
          payload: { session_id: s.session_id, user_id: st.user_id, status: 'excused' },
        }),
      ),
      close(s.session_id),
    ]);
    for (const r of res) expect([200, 201, 409, 422], r.body).toContain(r.statusCode);
    const recs = await recordsOf(t, s.session_id);
    expect(recs).toHaveLength(60);
    expect(new Set(recs.map((r) => r.user_id)).size).toBe(60);
    // The force check-ins came last for their students, whatever else happened first.
    const forcedIds = new Set(forced.map((f) => f.user_id));
    expect(recs.filter((r) => forcedIds.has(r.user_id)).every((r) => r.status === 'excused')).toBe(true);
  });
});
