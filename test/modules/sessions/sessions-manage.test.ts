import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import {
  bulkStudents,
  changesOf,
  fieldsOf,
  insertGroup,
  insertSession,
  MIN,
  recordsOf,
} from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
let otherTeacher: Record<string, string>;
let foreign: { sessionId: string };
beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
  otherTeacher = (await t.login(await t.factory.user('teacher', w.org.org_id))).headers;
  const other = await t.factory.org();
  foreign = { sessionId: (await insertSession(t, other.org_id, null)).session_id };
});
afterAll(async () => t.close());

const req = (
  method: 'GET' | 'PUT' | 'DELETE' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => t.app.inject({ method, url, headers, payload: payload as object });
const sessionRow = (id: string) =>
  t.db.selectFrom('attendance_sessions').selectAll().where('session_id', '=', id).executeTakeFirstOrThrow();

describe('GET /admin/sessions', () => {
  let org: Awaited<ReturnType<TestContext['factory']['org']>>;
  let admin: Record<string, string>;
  let teacherId: string;
  let groupId: string;
  beforeAll(async () => {
    org = await t.factory.org({ timezone: 'America/New_York' });
    const a = await t.factory.user('admin', org.org_id);
    admin = (await t.login(a)).headers;
    teacherId = (await t.factory.user('teacher', org.org_id)).user_id;
    groupId = await insertGroup(t, org.org_id, []);
    // 2026-03-02 23:30 New York = 2026-03-03 04:30Z: a day boundary that differs between NY and UTC.
    await insertSession(t, org.org_id, a.user_id, {
      session_name: 'late-evening',
      start_time: Date.UTC(2026, 2, 3, 4, 30),
      end_time: Date.UTC(2026, 2, 3, 5, 30),
    });
    await insertSession(t, org.org_id, teacherId, {
      session_name: 'morning',
      start_time: Date.UTC(2026, 2, 3, 14),
      end_time: Date.UTC(2026, 2, 3, 15),
      group_id: groupId,
    });
    await insertSession(t, org.org_id, teacherId, {
      session_name: 'cancelled',
      start_time: Date.UTC(2026, 2, 4, 14),
      end_time: Date.UTC(2026, 2, 4, 15),
      is_active: 0,
    });
  });
  const names = (res: { json: () => { data: { session_name: string }[] } }) =>
    res.json().data.map((s) => s.session_name);

  it('lists the org’s sessions only, newest first, with pagination', async () => {
    const res = await req('GET', '/admin/sessions?per_page=2', admin);
    expect(res.statusCode).toBe(200);
    expect(names(res)).toEqual(['cancelled', 'morning']);
    expect(res.json().pagination).toEqual({ page: 1, per_page: 2, total: 3, pages: 2 });
    expect(names(await req('GET', '/admin/sessions?per_page=2&page=2', admin))).toEqual(['late-evening']);
  });

  it('filters by active, group_id and created_by', async () => {
    expect(names(await req('GET', '/admin/sessions?active=false', admin))).toEqual(['cancelled']);
    expect(names(await req('GET', '/admin/sessions?active=true', admin))).toEqual([
      'morning',
      'late-evening',
    ]);
    expect(names(await req('GET', `/admin/sessions?group_id=${groupId}`, admin))).toEqual(['morning']);
    expect(names(await req('GET', `/admin/sessions?created_by=${teacherId}`, admin))).toEqual([
      'cancelled',
      'morning',
    ]);
  });

  it('reads from/to dates as whole days of the org’s zone, and ISO instants exactly', async () => {
    expect(names(await req('GET', '/admin/sessions?from=2026-03-02&to=2026-03-02', admin))).toEqual([
      'late-evening',
    ]);
    expect(names(await req('GET', '/admin/sessions?from=2026-03-03&to=2026-03-03', admin))).toEqual([
      'morning',
    ]);
    expect(names(await req('GET', '/admin/sessions?from=2026-03-03T14:00:00Z', admin))).toEqual([
      'cancelled',
      'morning',
    ]);
    expect(names(await req('GET', '/admin/sessions?to=2026-03-03T14:00:00Z', admin))).toEqual([
      'morning',
      'late-evening',
    ]);
  });

  it('400 for malformed filters, naming them', async () => {
    for (const [q, field] of [
      ['from=yesterday', 'from'],
      ['to=2026-02-30', 'to'],
      ['active=maybe', 'active'],
      ['group_id=nope', 'group_id'],
      ['per_page=101', 'per_page'],
      ['colour=red', 'colour'],
    ]) {
      const res = await req('GET', `/admin/sessions?${q}`, admin);
      expect(res.statusCode, q).toBe(400);
      expect(fieldsOf(res.json()), q).toContain(field);
    }
  });

  it('teachers list too; students get 403, anonymous 401', async () => {
    expect((await req('GET', '/admin/sessions', w.auth.teacher)).statusCode).toBe(200);
    expect((await req('GET', '/admin/sessions', w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', '/admin/sessions', {})).statusCode).toBe(401);
  });
});

describe('GET /admin/sessions/{id}', () => {
  it('any staff of the org reads it, the code only its teachers and admins; another org’s session is 404; students 403', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      require_code: 1,
      code: '424242',
    });
    const res = await req('GET', `/admin/sessions/${s.session_id}`, otherTeacher);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ session_id: s.session_id, require_code: true });
    expect(res.json().data).not.toHaveProperty('code');
    for (const who of [w.auth.teacher, w.auth.admin]) {
      const own = await req('GET', `/admin/sessions/${s.session_id}`, who);
      expect(own.json().data).toMatchObject({ code: '424242', teacher_ids: [w.users.teacher.user_id] });
    }
    expect((await req('GET', `/admin/sessions/${foreign.sessionId}`, w.auth.admin)).statusCode).toBe(404);
    expect((await req('GET', `/admin/sessions/${s.session_id}`, w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', '/admin/sessions/not-a-uuid', w.auth.admin)).statusCode).toBe(400);
  });
});

describe('PUT /admin/sessions/{id}', () => {
  it('the creating teacher updates; naive times are read in the session’s zone', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { timezone: 'Asia/Tokyo' });
    const res = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {
      session_name: 'Renamed',
      start_time: '2026-05-01T09:00:00',
      end_time: '2026-05-01T10:00:00',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      session_name: 'Renamed',
      start_time: '2026-05-01T00:00:00.000Z',
    });
    const r = await sessionRow(s.session_id);
    expect(r.session_name).toBe('Renamed');
    expect(r.end_time).toBe(Date.UTC(2026, 4, 1, 1));
  });

  it('leaves fields the body does not name as they are', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      checkin_opens_minutes: 30,
      late_after_minutes: 7,
      require_code: 1,
      code: 'KEEP',
    });
    const res = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, { description: 'New' });
    expect(res.statusCode).toBe(200);
    const r = await sessionRow(s.session_id);
    expect(r).toMatchObject({
      checkin_opens_minutes: 30,
      late_after_minutes: 7,
      require_code: 1,
      code: 'KEEP',
      description: 'New',
    });
    expect(r.start_time).toBe(s.start_time);
    expect(r.location_radius).toBe(100);
  });

  it('another teacher gets 403 and nothing changes; an admin may', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { session_name: 'Mine' });
    expect(
      (await req('PUT', `/admin/sessions/${s.session_id}`, otherTeacher, { session_name: 'Theirs' }))
        .statusCode,
    ).toBe(403);
    expect((await sessionRow(s.session_id)).session_name).toBe('Mine');
    expect(
      (await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.admin, { session_name: 'Admin' }))
        .statusCode,
    ).toBe(200);
    expect((await sessionRow(s.session_id)).session_name).toBe('Admin');
  });

  it('checks end > start against the stored values', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      start_time: Date.UTC(2026, 4, 1, 9),
      end_time: Date.UTC(2026, 4, 1, 10),
    });
    const res = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {
      end_time: '2026-05-01T08:00:00Z',
    });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json())).toEqual(['end_time']);
    const res2 = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {
      start_time: '2026-05-01T10:30:00Z',
    });
    expect(res2.statusCode).toBe(400);
    expect(fieldsOf(res2.json())).toEqual(['end_time']);
  });

  it('removes a location with nulls, refuses half a location, validates the radius', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const half = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, { location_lat: null });
    expect(half.statusCode).toBe(400);
    expect(fieldsOf(half.json())).toEqual(['location_lat']);
    const bad = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, { location_radius: 0 });
    expect(fieldsOf(bad.json())).toEqual(['location_radius']);
    const ok = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {
      location_lat: null,
      location_lon: null,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toMatchObject({ location_lat: null, location_lon: null, location_radius: null });
  });

  it('an empty body is a 400, another org’s session a 404, a student a 403', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {})).statusCode).toBe(400);
    expect(
      (await req('PUT', `/admin/sessions/${foreign.sessionId}`, w.auth.admin, { session_name: 'x' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.student, { session_name: 'x' })).statusCode,
    ).toBe(403);
  });
});

describe('DELETE /admin/sessions/{id}', () => {
  it('cancels (is_active=false), keeps the row; twice is fine; other teacher 403; other org 404', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await req('DELETE', `/admin/sessions/${s.session_id}`, otherTeacher)).statusCode).toBe(403);
    expect((await sessionRow(s.session_id)).is_active).toBe(1);
    const res = await req('DELETE', `/admin/sessions/${s.session_id}`, w.auth.teacher);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.is_active).toBe(false);
    expect((await sessionRow(s.session_id)).is_active).toBe(0);
    expect((await req('DELETE', `/admin/sessions/${s.session_id}`, w.auth.admin)).statusCode).toBe(200);
    expect((await req('DELETE', `/admin/sessions/${foreign.sessionId}`, w.auth.admin)).statusCode).toBe(404);
    expect((await req('DELETE', `/admin/sessions/${s.session_id}`, w.auth.student)).statusCode).toBe(403);
  });
});

describe('POST /admin/sessions/{id}/close', () => {
  it('marks every expected attendee without a record absent, once, with its audit entry', async () => {
    const org = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    const teacherAuth = (await t.login(teacher)).headers;
    const [a, b, c] = await bulkStudents(t, org.org_id, 3);
    const outsider = (await bulkStudents(t, org.org_id, 1))[0]!;
    const [inactive] = await bulkStudents(t, org.org_id, 1, { is_active: 0 });
    const groupId = await insertGroup(t, org.org_id, [
      a!.user_id,
      b!.user_id,
      c!.user_id,
      inactive!.user_id,
      teacher.user_id,
    ]);
    const s = await insertSession(t, org.org_id, teacher.user_id, {
      group_id: groupId,
      location_lat: null,
      location_lon: null,
    });
    expect(
      (await req('POST', '/attendance/check-in', a!.headers, { session_id: s.session_id })).statusCode,
    ).toBe(201);

    const res = await req('POST', `/admin/sessions/${s.session_id}/close`, teacherAuth);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.absent_marked).toBe(2);
    expect(res.json().data.session.closed_at).not.toBeNull();
    const recs = await recordsOf(t, s.session_id);
    expect(recs.map((r) => [r.user_id, r.status]).sort()).toEqual(
      [
        [a!.user_id, 'present'],
        [b!.user_id, 'absent'],
        [c!.user_id, 'absent'],
      ].sort(),
    );
    expect(recs.some((r) => r.user_id === outsider.user_id || r.user_id === teacher.user_id)).toBe(false);
    const absent = recs.find((r) => r.user_id === b!.user_id)!;
    expect(absent).toMatchObject({ check_in_time: null, marked_by: teacher.user_id });
    expect(await changesOf(t, absent.record_id)).toMatchObject([
      { action: 'absent_on_close', new_status: 'absent', changed_by: teacher.user_id },
    ]);
    expect((await sessionRow(s.session_id)).closed_at).not.toBeNull();

    const again = await req('POST', `/admin/sessions/${s.session_id}/close`, teacherAuth);
    expect(again.statusCode).toBe(200);
    expect(again.json().data.absent_marked).toBe(0);
    expect(await recordsOf(t, s.session_id)).toHaveLength(3);
  });

  it('without a group every active student of the org is expected', async () => {
    const org = await t.factory.org();
    const admin = (await t.login(await t.factory.user('admin', org.org_id))).headers;
    await bulkStudents(t, org.org_id, 4);
    await bulkStudents(t, org.org_id, 2, { role: 'teacher' });
    const s = await insertSession(t, org.org_id, null, {
      start_time: Date.now() - 90 * MIN,
      end_time: Date.now() - 30 * MIN,
    });
    const res = await req('POST', `/admin/sessions/${s.session_id}/close`, admin);
    expect(res.json().data.absent_marked).toBe(4);
    expect((await recordsOf(t, s.session_id)).every((r) => r.status === 'absent')).toBe(true);
  });

  it('a cancelled session cannot be closed (409); another teacher 403; other org 404; student 403', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { is_active: 0 });
    const res = await req('POST', `/admin/sessions/${s.session_id}/close`, w.auth.teacher);
    expect(res.statusCode).toBe(409);
    expect(res.json().error_code).toBe('CONFLICT');
    expect((await sessionRow(s.session_id)).closed_at).toBeNull();
    const open = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    expect((await req('POST', `/admin/sessions/${open.session_id}/close`, otherTeacher)).statusCode).toBe(
      403,
    );
    expect((await req('POST', `/admin/sessions/${open.session_id}/close`, w.auth.student)).statusCode).toBe(
      403,
    );
    expect((await req('POST', `/admin/sessions/${foreign.sessionId}/close`, w.auth.admin)).statusCode).toBe(
      404,
    );
    expect(await recordsOf(t, open.session_id)).toHaveLength(0);
  });
});
