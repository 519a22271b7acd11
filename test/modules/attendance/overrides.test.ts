import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { bulkStudents, CENTRE, changesOf, fieldsOf, insertSession, MIN, recordsOf } from './fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
let otherTeacher: Record<string, string>;
let foreignOrg: string;
beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
  otherTeacher = (await t.login(await t.factory.user('teacher', w.org.org_id))).headers;
  foreignOrg = (await t.factory.org()).org_id;
});
afterAll(async () => t.close());

const req = (
  method: 'POST' | 'PUT' | 'GET',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.app.inject({ method, url, headers, payload: payload as object });
const force = (payload: unknown, headers: Record<string, string>) =>
  req('POST', '/attendance/force-check-in', headers, payload);
const student = async (orgId = w.org.org_id) => (await bulkStudents(t, orgId, 1))[0]!;
const pastSession = () =>
  insertSession(t, w.org.org_id, w.users.teacher.user_id, {
    start_time: Date.now() - 3 * 24 * 60 * MIN,
    end_time: Date.now() - 3 * 24 * 60 * MIN + 60 * MIN,
  });

describe('POST /attendance/force-check-in', () => {
  it('the session’s teacher marks a student present in a past session, logged in the same transaction', async () => {
    const s = await pastSession();
    const target = await student();
    const res = await force(
      { session_id: s.session_id, user_id: target.user_id, notes: 'paper list' },
      w.auth.teacher,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({
      status: 'present',
      marked_by: w.users.teacher.user_id,
      notes: 'paper list',
    });
    const [rec] = await recordsOf(t, s.session_id);
    expect(rec!.check_in_time).not.toBeNull();
    expect(await changesOf(t, rec!.record_id)).toMatchObject([
      {
        action: 'force_check_in',
        old_status: null,
        new_status: 'present',
        changed_by: w.users.teacher.user_id,
        new_notes: 'paper list',
      },
    ]);
  });

  it('absent or excused leave check_in_time empty; a non-expected user of the org is fine (an admin)', async () => {
    const s = await pastSession();
    const res = await force(
      { session_id: s.session_id, user_id: w.users.teacher.user_id, status: 'excused' },
      w.auth.admin,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ status: 'excused', check_in_time: null });
    // A teacher marks only users it may see (lib/visibility.ts): staff are unknown to it (issue 17.9).
    const byTeacher = await force(
      { session_id: s.session_id, user_id: w.users.admin.user_id, status: 'excused' },
      w.auth.teacher,
    );
    expect(byTeacher.statusCode).toBe(404);
  });

  it('updates an existing record (200) and logs old and new values', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const me = await student();
    const own = await req('POST', '/attendance/check-in', me.headers, {
      session_id: s.session_id,
      ...CENTRE,
    });
    const res = await force(
      { session_id: s.session_id, user_id: me.user_id, status: 'late', notes: 'bus' },
      w.auth.admin,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      record_id: own.json().data.record_id,
      status: 'late',
      marked_by: w.users.admin.user_id,
    });
    expect(await recordsOf(t, s.session_id)).toHaveLength(1);
    expect(await changesOf(t, own.json().data.record_id)).toMatchObject([
      {
        action: 'force_update',
        old_status: 'present',
        new_status: 'late',
        old_notes: null,
        new_notes: 'bus',
      },
    ]);
  });

  it('another teacher’s session: 403; a student: 403; nothing written', async () => {
    const s = await pastSession();
    const target = await student();
    expect(
      (await force({ session_id: s.session_id, user_id: target.user_id }, otherTeacher)).statusCode,
    ).toBe(403);
    expect(
      (await force({ session_id: s.session_id, user_id: target.user_id }, target.headers)).statusCode,
    ).toBe(403);
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
  });

  it('404 for a user or a session of another org; 409 for a cancelled session; 400 for a bad status', async () => {
    const s = await pastSession();
    const stranger = await student(foreignOrg);
    expect(
      (await force({ session_id: s.session_id, user_id: stranger.user_id }, w.auth.admin)).statusCode,
    ).toBe(404);
    const foreignSession = await insertSession(t, foreignOrg, null);
    const me = await student();
    expect(
      (await force({ session_id: foreignSession.session_id, user_id: me.user_id }, w.auth.admin)).statusCode,
    ).toBe(404);
    const cancelled = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { is_active: 0 });
    expect(
      (await force({ session_id: cancelled.session_id, user_id: me.user_id }, w.auth.teacher)).statusCode,
    ).toBe(409);
    const bad = await force(
      { session_id: s.session_id, user_id: me.user_id, status: 'sick' },
      w.auth.teacher,
    );
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad.json())).toEqual(['status']);
    expect((await force({ session_id: s.session_id, user_id: me.user_id }, {})).statusCode).toBe(401);
    expect(await recordsOf(t, s.session_id)).toHaveLength(0);
  });

  it('a super_admin may force-check-in in any org', async () => {
    const sup = (await t.login(await t.factory.user('super_admin', null))).headers;
    const s = await insertSession(t, foreignOrg, null);
    const target = await student(foreignOrg);
    const res = await force({ session_id: s.session_id, user_id: target.user_id }, sup);
    expect(res.statusCode).toBe(201);
  });
});

describe('PUT /attendance/records/{id}', () => {
  async function recordIn(createdBy = w.users.teacher.user_id) {
    const s = await insertSession(t, w.org.org_id, createdBy);
    const me = await student();
    const res = await req('POST', '/attendance/check-in', me.headers, {
      session_id: s.session_id,
      ...CENTRE,
    });
    return { recordId: res.json().data.record_id as string, me };
  }

  it('the teacher corrects status and notes; the change is in the history', async () => {
    const { recordId } = await recordIn();
    const res = await req('PUT', `/attendance/records/${recordId}`, w.auth.teacher, {
      status: 'excused',
      notes: 'doctor',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      status: 'excused',
      notes: 'doctor',
      marked_by: w.users.teacher.user_id,
    });
    const row = await t.db
      .selectFrom('attendance_records')
      .selectAll()
      .where('record_id', '=', recordId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'excused', notes: 'doctor' });
    expect(await changesOf(t, recordId)).toMatchObject([
      { action: 'correction', old_status: 'present', new_status: 'excused', new_notes: 'doctor' },
    ]);
  });

  it('notes alone, cleared with null', async () => {
    const { recordId } = await recordIn();
    await req('PUT', `/attendance/records/${recordId}`, w.auth.teacher, { notes: 'x' });
    const res = await req('PUT', `/attendance/records/${recordId}`, w.auth.admin, { notes: null });
    expect(res.json().data).toMatchObject({ status: 'present', notes: null });
    expect(await changesOf(t, recordId)).toHaveLength(2);
  });

  it('another teacher 403, a student 403, another org 404, an empty body 400; nothing changes', async () => {
    const { recordId, me } = await recordIn();
    expect(
      (await req('PUT', `/attendance/records/${recordId}`, otherTeacher, { status: 'absent' })).statusCode,
    ).toBe(403);
    expect(
      (await req('PUT', `/attendance/records/${recordId}`, me.headers, { status: 'excused' })).statusCode,
    ).toBe(403);
    const foreignAdmin = (await t.login(await t.factory.user('admin', foreignOrg))).headers;
    expect(
      (await req('PUT', `/attendance/records/${recordId}`, foreignAdmin, { status: 'absent' })).statusCode,
    ).toBe(404);
    expect((await req('PUT', `/attendance/records/${recordId}`, w.auth.teacher, {})).statusCode).toBe(400);
    expect(await changesOf(t, recordId)).toHaveLength(0);
  });
});

describe('GET /attendance/records/{id}/history', () => {
  it('staff and the owner read it oldest first; another student and another org get 404', async () => {
    const s = await pastSession();
    const target = await student();
    const created = await force(
      { session_id: s.session_id, user_id: target.user_id, status: 'absent' },
      w.auth.teacher,
    );
    const recordId = created.json().data.record_id;
    await req('PUT', `/attendance/records/${recordId}`, w.auth.admin, { status: 'excused' });
    for (const headers of [w.auth.teacher, otherTeacher, target.headers]) {
      const res = await req('GET', `/attendance/records/${recordId}/history`, headers);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.map((c: { action: string }) => c.action)).toEqual([
        'force_check_in',
        'correction',
      ]);
      expect(res.json().data[1]).toMatchObject({
        old_status: 'absent',
        new_status: 'excused',
        changed_by: w.users.admin.user_id,
      });
      expect(res.json().data[0].changed_by_name).toBe(w.users.teacher.name);
      expect(res.json().pagination.total).toBe(2);
    }
    expect(
      (await req('GET', `/attendance/records/${recordId}/history`, (await student()).headers)).statusCode,
    ).toBe(404);
    const foreignAdmin = (await t.login(await t.factory.user('admin', foreignOrg))).headers;
    expect((await req('GET', `/attendance/records/${recordId}/history`, foreignAdmin)).statusCode).toBe(404);
    expect((await req('GET', `/attendance/records/${recordId}/history`, {})).statusCode).toBe(401);
  });
});
