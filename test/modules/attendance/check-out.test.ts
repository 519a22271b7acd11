import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { bulkStudents, CENTRE, fieldsOf, insertSession, MIN } from './fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });
const record = (id: string) =>
  t.db.selectFrom('attendance_records').selectAll().where('record_id', '=', id).executeTakeFirstOrThrow();

/** A student checked in to a fresh session; returns their headers and record id. */
async function checkedIn() {
  const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
  const me = (await bulkStudents(t, w.org.org_id, 1))[0]!;
  const res = await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE }, me.headers);
  expect(res.statusCode).toBe(201);
  return { ...me, recordId: res.json().data.record_id as string, sessionId: s.session_id };
}

describe('POST /attendance/check-out', () => {
  it('sets check_out_time and position; duration_minutes follows', async () => {
    const me = await checkedIn();
    // Pretend the check-in was 50 minutes ago.
    await t.db
      .updateTable('attendance_records')
      .set({ check_in_time: Date.now() - 50 * MIN })
      .where('record_id', '=', me.recordId)
      .execute();
    const res = await post(
      '/attendance/check-out',
      { record_id: me.recordId, lat: 40.7129, lon: -74.0061 },
      me.headers,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      record_id: me.recordId,
      check_out_lat: 40.7129,
      check_out_lon: -74.0061,
      duration_minutes: 50,
    });
    const r = await record(me.recordId);
    expect(r.check_out_time).toBeGreaterThan(Date.now() - 5000);
    expect(r.check_out_lat).toBe(40.7129);
  });

  it('works without a position', async () => {
    const me = await checkedIn();
    const res = await post('/attendance/check-out', { record_id: me.recordId }, me.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.check_out_lat).toBeNull();
  });

  it('twice → 409 ALREADY_CHECKED_OUT, the first time kept', async () => {
    const me = await checkedIn();
    await post('/attendance/check-out', { record_id: me.recordId }, me.headers);
    const first = (await record(me.recordId)).check_out_time;
    const res = await post('/attendance/check-out', { record_id: me.recordId }, me.headers);
    expect(res.statusCode).toBe(409);
    expect(res.json().error_code).toBe('ALREADY_CHECKED_OUT');
    expect((await record(me.recordId)).check_out_time).toBe(first);
  });

  it('two concurrent check-outs: one 200, one 409', async () => {
    const me = await checkedIn();
    const codes = (
      await Promise.all(
        [0, 1].map(() => post('/attendance/check-out', { record_id: me.recordId }, me.headers)),
      )
    )
      .map((r) => r.statusCode)
      .sort();
    expect(codes).toEqual([200, 409]);
  });

  it('someone else’s record is 404 (also for staff), another org’s too; nothing changes', async () => {
    const me = await checkedIn();
    const other = (await bulkStudents(t, w.org.org_id, 1))[0]!;
    for (const headers of [other.headers, w.auth.teacher, w.auth.admin]) {
      expect((await post('/attendance/check-out', { record_id: me.recordId }, headers)).statusCode).toBe(404);
    }
    const otherOrg = await t.factory.org();
    const stranger = (await bulkStudents(t, otherOrg.org_id, 1))[0]!;
    expect(
      (await post('/attendance/check-out', { record_id: me.recordId }, stranger.headers)).statusCode,
    ).toBe(404);
    expect((await record(me.recordId)).check_out_time).toBeNull();
  });

  it('a record without a check-in (absent) cannot be checked out: 409', async () => {
    const me = await checkedIn();
    await t.db
      .updateTable('attendance_records')
      .set({ check_in_time: null, status: 'absent' })
      .where('record_id', '=', me.recordId)
      .execute();
    const res = await post('/attendance/check-out', { record_id: me.recordId }, me.headers);
    expect(res.statusCode).toBe(409);
    expect(res.json().error_code).toBe('CONFLICT');
  });

  it('400 for half a position or a bad id, 401 without a token', async () => {
    const me = await checkedIn();
    const half = await post('/attendance/check-out', { record_id: me.recordId, lat: 40 }, me.headers);
    expect(half.statusCode).toBe(400);
    expect(fieldsOf(half.json())).toEqual(['lon']);
    const bad = await post('/attendance/check-out', { record_id: 'x', lat: 99, lon: 0 }, me.headers);
    expect(new Set(fieldsOf(bad.json()))).toEqual(new Set(['record_id', 'lat']));
    expect((await post('/attendance/check-out', { record_id: me.recordId }, {})).statusCode).toBe(401);
    expect((await record(me.recordId)).check_out_time).toBeNull();
  });
});
