/**
 * Issue 17.9: one rule for who sees whom (src/lib/visibility.ts), the same on every route that reveals
 * a user. Before: a teacher got 404 for an admin on /admin/users/{id} but the admin's name and email
 * through /reports/user/{id}/detailed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { insertGroup, insertSession } from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
const routes = (id: string) => [
  `/admin/users/${id}`,
  `/reports/user/${id}/detailed`,
  `/attendance/user/${id}/history`,
];

describe('who sees whom', () => {
  it('a teacher gets the same 404 for an admin and for another teacher on every route, and 200 for a student', async () => {
    const otherTeacher = await t.factory.user('teacher', w.org.org_id);
    for (const target of [w.users.admin, otherTeacher]) {
      for (const url of routes(target.user_id)) {
        const res = await get(url, w.auth.teacher);
        expect(res.statusCode, url).toBe(404);
        expect(res.body, url).not.toContain(target.email);
      }
    }
    for (const url of routes(w.users.student.user_id))
      expect((await get(url, w.auth.teacher)).statusCode, url).toBe(200);
  });

  it('an admin sees every user of the org on every route', async () => {
    for (const target of [w.users.teacher, w.users.student]) {
      for (const url of routes(target.user_id))
        expect((await get(url, w.auth.admin)).statusCode, url).toBe(200);
    }
  });

  it('a student reading another user of the org gets the answer of an unknown id', async () => {
    const unknown = await get(
      '/attendance/user/01900000-0000-7000-8000-000000000000/history',
      w.auth.student,
    );
    for (const target of [w.users.teacher, w.users.admin, await t.factory.user('student', w.org.org_id)]) {
      const res = await get(`/attendance/user/${target.user_id}/history`, w.auth.student);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(unknown.json());
    }
  });
});

/**
 * The same rule on every list of users a teacher reads: group members, a session's records and report,
 * the review queue, the organization summary, exports. Staff land in those lists through group membership and an
 * admin's force check-in; a teacher must not read their names and emails there either.
 */
describe('who sees whom in lists', () => {
  let lists: (sessionId: string, groupId: string) => string[];
  let staff: { email: string; user_id: string }[];
  let sessionId: string;
  let groupId: string;
  beforeAll(async () => {
    const otherTeacher = await t.factory.user('teacher', w.org.org_id);
    staff = [w.users.admin, otherTeacher];
    const members = [w.users.admin.user_id, otherTeacher.user_id, w.users.student.user_id];
    groupId = await insertGroup(t, w.org.org_id, members);
    const now = Date.now();
    // An ended, closed session of the teacher's: counted by the organization summary.
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      group_id: groupId,
      start_time: now - 120 * 60_000,
      end_time: now - 60 * 60_000,
    });
    sessionId = s.session_id;
    for (const user_id of members) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/attendance/force-check-in',
        headers: w.auth.admin,
        payload: { session_id: sessionId, user_id, status: 'absent' },
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
    await t.db
      .updateTable('attendance_sessions')
      .set({ closed_at: now - 60 * 60_000 })
      .where('session_id', '=', sessionId)
      .execute();
    // Flagged and pending: the records are in the session's review queue too.
    await t.db
      .updateTable('attendance_records')
      .set({ flags: 'low_accuracy', review_state: 'pending' })
      .where('session_id', '=', sessionId)
      .execute();
    lists = (sid, gid) => [
      `/admin/groups/${gid}`,
      `/attendance/session/${sid}/attendance`,
      `/attendance/review?session_id=${sid}`,
      `/reports/session/${sid}/detailed`,
      '/reports/organization/summary',
      `/reports/export/csv?session_id=${sid}`,
    ];
  });

  it('a teacher reads students only; an admin reads everyone', async () => {
    for (const url of lists(sessionId, groupId)) {
      const asTeacher = await get(url, w.auth.teacher);
      expect(asTeacher.statusCode, url).toBe(200);
      expect(asTeacher.body, url).toContain(w.users.student.email);
      for (const u of staff) expect.soft(asTeacher.body, url).not.toContain(u.email);
      const asAdmin = await get(url, w.auth.admin);
      for (const u of staff) expect(asAdmin.body, url).toContain(u.email);
    }
  });

  it('a teacher naming staff in an export filter or a force check-in gets the answer of an unknown id', async () => {
    for (const u of staff) {
      const exported = await get(`/reports/export/csv?user_id=${u.user_id}`, w.auth.teacher);
      expect.soft(exported.statusCode).toBe(404);
      const forced = await t.app.inject({
        method: 'POST',
        url: '/attendance/force-check-in',
        headers: w.auth.teacher,
        payload: { session_id: sessionId, user_id: u.user_id, status: 'present' },
      });
      expect(forced.statusCode, forced.body).toBe(404);
    }
  });

  it("a teacher correcting, deciding the review of or reading the history of a staff member's record in the teacher's own session gets the answer of an unknown record; nothing changes", async () => {
    const unknownId = '01900000-0000-7000-8000-000000000000';
    const unknown = {
      correct: await t.app.inject({
        method: 'PUT',
        url: `/attendance/records/${unknownId}`,
        headers: w.auth.teacher,
        payload: { status: 'excused' },
      }),
      decide: await t.app.inject({
        method: 'POST',
        url: `/attendance/records/${unknownId}/review`,
        headers: w.auth.teacher,
        payload: { decision: 'accept' },
      }),
    };
    expect(unknown.correct.statusCode).toBe(404);
    expect(unknown.decide.statusCode).toBe(404);
    const recordOf = (userId: string) =>
      t.db
        .selectFrom('attendance_records')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
    const changesOf = async (recordId: string) =>
      (
        await t.db
          .selectFrom('attendance_record_changes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('record_id', '=', recordId)
          .executeTakeFirstOrThrow()
      ).n;
    for (const u of staff) {
      const before = await recordOf(u.user_id);
      const changesBefore = await changesOf(before.record_id);
      const corrected = await t.app.inject({
        method: 'PUT',
        url: `/attendance/records/${before.record_id}`,
        headers: w.auth.teacher,
        payload: { status: 'excused' },
      });
      expect(corrected.statusCode, corrected.body).toBe(404);
      expect(corrected.json()).toEqual(unknown.correct.json());
      const decided = await t.app.inject({
        method: 'POST',
        url: `/attendance/records/${before.record_id}/review`,
        headers: w.auth.teacher,
        payload: { decision: 'reject' },
      });
      expect(decided.statusCode, decided.body).toBe(404);
      expect(decided.json()).toEqual(unknown.decide.json());
      const history = await get(`/attendance/records/${before.record_id}/history`, w.auth.teacher);
      expect(history.statusCode, history.body).toBe(404);
      expect(await recordOf(u.user_id)).toEqual(before);
      expect(Number(await changesOf(before.record_id))).toBe(Number(changesBefore));
    }
    // The student's record in the same session stays the teacher's to decide.
    const student = await recordOf(w.users.student.user_id);
    const decided = await t.app.inject({
      method: 'POST',
      url: `/attendance/records/${student.record_id}/review`,
      headers: w.auth.teacher,
      payload: { decision: 'accept' },
    });
    expect(decided.statusCode, decided.body).toBe(200);
  });
});
