/**
 * The record writer announces every write on the change bus: `write` inside the transaction (the
 * row is visible there, and a throwing subscriber undoes the change), `committed` after the commit.
 * Covers each path: check-in (through the SQLite batch), force check-in, correction, check-out,
 * close (a `session` event plus one per absence), and the cancelled-session rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeEvent, createChangeBus } from '../../../src/lib/change-events.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { bulkStudents, CENTRE, insertGroup, insertSession, recordsOf } from './fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
const written: ChangeEvent[] = [];
const committed: ChangeEvent[] = [];
const seenInTransaction: string[] = [];
let failWrites = false;

beforeAll(async () => {
  const bus = createChangeBus();
  bus.onWrite(async (trx, events) => {
    if (failWrites) throw new Error('subscriber failed');
    written.push(...events);
    for (const e of events) {
      if (e.type !== 'record') continue;
      const row = await trx
        .selectFrom('attendance_records')
        .select('record_id')
        .where('record_id', '=', e.recordId)
        .executeTakeFirst();
      if (row) seenInTransaction.push(row.record_id);
    }
  });
  bus.onCommitted((events) => committed.push(...events));
  t = await createTestApp({}, { changes: bus });
  w = await t.world();
});
afterAll(async () => t.close());

const post = (url: string, payload: object, headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url, payload, headers });
const reset = () => {
  written.length = 0;
  committed.length = 0;
  seenInTransaction.length = 0;
};

describe('record writer: change events', () => {
  it('check-ins arriving together (one SQLite batch): one created event each, seen inside the transaction', async () => {
    reset();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const crowd = await bulkStudents(t, w.org.org_id, 20);
    const res = await Promise.all(
      crowd.map((c) => post('/attendance/check-in', { session_id: s.session_id, ...CENTRE }, c.headers)),
    );
    expect(res.every((r) => r.statusCode === 201)).toBe(true);
    const ids = res.map((r) => r.json().data.record_id).sort();
    expect(committed.map((e) => (e.type === 'record' ? e.recordId : '')).sort()).toEqual(ids);
    expect(
      committed.every((e) => e.type === 'record' && e.cause === 'check_in' && e.kind === 'created'),
    ).toBe(true);
    expect(seenInTransaction.sort()).toEqual(ids);
  });

  it('a failing write subscriber rolls the check-in back (no record, no committed event)', async () => {
    reset();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const [me] = await bulkStudents(t, w.org.org_id, 1);
    failWrites = true;
    try {
      const res = await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE }, me!.headers);
      expect(res.statusCode).toBe(500);
    } finally {
      failWrites = false;
    }
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
    expect(committed).toHaveLength(0);
  });

  it('force check-in, correction and check-out each announce their record', async () => {
    reset();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const [a] = await bulkStudents(t, w.org.org_id, 1);
    const forced = await post(
      '/attendance/force-check-in',
      { session_id: s.session_id, user_id: a!.user_id },
      w.auth.teacher,
    );
    expect(forced.statusCode).toBe(201);
    const recordId = forced.json().data.record_id;
    const corrected = await t.app.inject({
      method: 'PUT',
      url: `/attendance/records/${recordId}`,
      payload: { status: 'late' },
      headers: w.auth.teacher,
    });
    expect(corrected.statusCode).toBe(200);
    expect((await post('/attendance/check-out', { record_id: recordId }, a!.headers)).statusCode).toBe(200);
    expect(committed.map((e) => (e.type === 'record' ? [e.kind, e.cause, e.recordId] : []))).toEqual([
      ['created', 'force_check_in', recordId],
      ['changed', 'correction', recordId],
      ['changed', 'check_out', recordId],
    ]);
    expect(written).toEqual(committed);
  });

  it('close: a session event (closed) and one created event per absence', async () => {
    reset();
    const students = await bulkStudents(t, w.org.org_id, 3);
    const groupId = await insertGroup(
      t,
      w.org.org_id,
      students.map((x) => x.user_id),
    );
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { group_id: groupId });
    const res = await post(`/admin/sessions/${s.session_id}/close`, {}, w.auth.teacher);
    expect(res.json().data.absent_marked).toBe(3);
    const sessionEvents = committed.filter((e) => e.type === 'session');
    expect(sessionEvents).toMatchObject([{ type: 'session', state: 'closed', sessionId: s.session_id }]);
    const absences = committed.filter((e) => e.type === 'record');
    expect(absences.map((e) => (e.type === 'record' ? e.userId : '')).sort()).toEqual(
      students.map((x) => x.user_id).sort(),
    );
    expect(absences.every((e) => e.type === 'record' && e.cause === 'close')).toBe(true);
  });

  it('a cancelled session: correction, check-out and force check-in all answer 409, nothing changes', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const [a] = await bulkStudents(t, w.org.org_id, 1);
    const checked = await post('/attendance/check-in', { session_id: s.session_id, ...CENTRE }, a!.headers);
    const recordId = checked.json().data.record_id;
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/admin/sessions/${s.session_id}`,
      headers: w.auth.teacher,
    });
    expect(del.statusCode).toBe(200);
    reset();
    const correction = await t.app.inject({
      method: 'PUT',
      url: `/attendance/records/${recordId}`,
      payload: { status: 'excused' },
      headers: w.auth.teacher,
    });
    const checkOut = await post('/attendance/check-out', { record_id: recordId }, a!.headers);
    const force = await post(
      '/attendance/force-check-in',
      { session_id: s.session_id, user_id: a!.user_id },
      w.auth.teacher,
    );
    expect([correction.statusCode, checkOut.statusCode, force.statusCode]).toEqual([409, 409, 409]);
    const [rec] = await recordsOf(t, s.session_id);
    expect(rec).toMatchObject({ status: 'present', check_out_time: null });
    expect(committed).toHaveLength(0);
  });
});
