import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
const names = (res: { json: () => { data: { name: string }[] } }) => res.json().data.map((u) => u.name);

async function groupWith(orgId: string, userIds: string[]) {
  const now = Date.now();
  const group_id = newId();
  await t.db
    .insertInto('groups')
    .values({
      group_id,
      org_id: orgId,
      name: `G ${group_id}`,
      description: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (userIds.length)
    await t.db
      .insertInto('group_members')
      .values(userIds.map((user_id) => ({ group_id, user_id, org_id: orgId, added_at: now })))
      .execute();
  return group_id;
}

describe('GET /admin/students', () => {
  it('lists active and inactive students of the organization alphabetically, for teachers and admins', async () => {
    const w = await t.world();
    await t.factory.user('student', w.org.org_id, { name: 'Ann' });
    await t.factory.user('student', w.org.org_id, { name: 'Zoe', is_active: 0 });
    await t.world();
    for (const h of [w.auth.teacher, w.auth.admin]) {
      const res = await get('/admin/students', h);
      expect(res.statusCode).toBe(200);
      expect(names(res)).toEqual(['Ann', w.users.student.name, 'Zoe']);
      expect(res.json().data.map((u: { role: string }) => u.role)).toEqual(['student', 'student', 'student']);
    }
    expect(names(await get('/admin/students?q=zo', w.auth.teacher))).toEqual(['Zoe']);
    expect(names(await get('/admin/students?is_active=true', w.auth.teacher))).toEqual([
      'Ann',
      w.users.student.name,
    ]);
    const paged = await get('/admin/students?per_page=2&page=2', w.auth.teacher);
    expect(names(paged)).toEqual(['Zoe']);
    expect(paged.json().pagination).toEqual({
      page: 2,
      per_page: 2,
      total: 3,
      pages: 2,
      total_pages: 2,
      has_next: false,
      has_prev: true,
    });
  });

  it('narrows to a group of the organization; another organization’s group is 404', async () => {
    const w = await t.world();
    const ann = await t.factory.user('student', w.org.org_id, { name: 'Ann' });
    const group = await groupWith(w.org.org_id, [ann.user_id, w.users.teacher.user_id]);
    const res = await get(`/admin/students?group_id=${group}`, w.auth.teacher);
    expect(res.statusCode).toBe(200);
    expect(names(res)).toEqual(['Ann']);
    const other = await t.world();
    const foreign = await groupWith(other.org.org_id, [other.users.student.user_id]);
    const leak = await get(`/admin/students?group_id=${foreign}`, w.auth.teacher);
    expect(leak.statusCode).toBe(404);
    expect((await get(`/admin/students?group_id=${newId()}`, w.auth.admin)).statusCode).toBe(404);
  });

  it('refuses students (403), anonymous callers (401) and bad queries (400)', async () => {
    const w = await t.world();
    expect((await get('/admin/students', w.auth.student)).statusCode).toBe(403);
    expect((await get('/admin/students', {})).statusCode).toBe(401);
    const bad = await get('/admin/students?group_id=x&per_page=0', w.auth.teacher);
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['group_id', 'per_page']);
  });
});
