/**
 * Issue 17.9: one rule for who sees whom (src/lib/visibility.ts), the same on every route that reveals
 * a user. Before: a teacher got 404 for an admin on /admin/users/{id} but the admin's name and email
 * through /reports/user/{id}/detailed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';

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
