import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { sessionRow } from '../../helpers/rows.js';

let t: TestContext;
let superAuth: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
});
afterAll(async () => t.close());

type Headers = Record<string, string>;
const req = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, payload });
const groupRow = (id: string) =>
  t.db.selectFrom('groups').selectAll().where('group_id', '=', id).executeTakeFirst();
const memberIds = async (groupId: string) =>
  (await t.db.selectFrom('group_members').select('user_id').where('group_id', '=', groupId).execute())
    .map((m) => m.user_id)
    .sort();
const fields = (res: { json: () => { errors?: { field: string }[] } }) =>
  [...new Set((res.json().errors ?? []).map((e) => e.field))].sort();

async function makeGroup(headers: Headers, name = `Group ${newId()}`) {
  const res = await req('POST', '/admin/groups', headers, { name });
  expect(res.statusCode).toBe(201);
  return res.json().data as { group_id: string; name: string; org_id: string };
}

async function sessionFor(orgId: string, groupId: string) {
  await t.db
    .insertInto('attendance_sessions')
    .values(sessionRow(orgId, { session_name: 'Lecture', group_id: groupId }))
    .execute();
}

describe('POST /admin/groups', () => {
  it("creates a group in the admin's organization", async () => {
    const w = await t.world();
    const res = await req('POST', '/admin/groups', w.auth.admin, { name: ' CS 101 ', description: 'Intro' });
    expect(res.statusCode).toBe(201);
    const d = res.json().data;
    expect(d).toMatchObject({ name: 'CS 101', description: 'Intro', member_count: 0, org_id: w.org.org_id });
    expect(await groupRow(d.group_id)).toMatchObject({ name: 'CS 101', org_id: w.org.org_id });
  });

  it('answers 409 for a name already used in the organization, but allows it in another', async () => {
    const w = await t.world();
    const other = await t.world();
    await makeGroup(w.auth.admin, 'Same');
    const dup = await req('POST', '/admin/groups', w.auth.admin, { name: 'Same' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error_code).toBe('CONFLICT');
    expect((await req('POST', '/admin/groups', other.auth.admin, { name: 'Same' })).statusCode).toBe(201);
    const n = await t.db.selectFrom('groups').select('group_id').where('org_id', '=', w.org.org_id).execute();
    expect(n).toHaveLength(1);
  });

  it('makes super_admin name the organization (400 without, 404 unknown)', async () => {
    const w = await t.world();
    expect(fields(await req('POST', '/admin/groups', superAuth, { name: 'S' }))).toEqual(['org_id']);
    expect((await req('POST', '/admin/groups', superAuth, { name: 'S', org_id: newId() })).statusCode).toBe(
      404,
    );
    const ok = await req('POST', '/admin/groups', superAuth, { name: 'S', org_id: w.org.org_id });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().data.org_id).toBe(w.org.org_id);
  });

  it('answers 400 listing bad fields, 403 to teachers and students, 401 anonymously', async () => {
    const w = await t.world();
    const bad = await req('POST', '/admin/groups', w.auth.admin, { name: '', description: 5, x: 1 });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['description', 'name', 'x']);
    expect(fields(await req('POST', '/admin/groups', w.auth.admin, { name: '   ' }))).toEqual(['name']);
    expect((await req('POST', '/admin/groups', w.auth.teacher, { name: 'T' })).statusCode).toBe(403);
    expect((await req('POST', '/admin/groups', w.auth.student, { name: 'T' })).statusCode).toBe(403);
    expect((await req('POST', '/admin/groups', {}, { name: 'T' })).statusCode).toBe(401);
    expect(
      await t.db.selectFrom('groups').select('group_id').where('org_id', '=', w.org.org_id).execute(),
    ).toHaveLength(0);
  });
});

describe('GET /admin/groups and /admin/groups/{group_id}', () => {
  it('lists the organization’s groups with member counts, filtered by q; teachers may read', async () => {
    const w = await t.world();
    const a = await makeGroup(w.auth.admin, 'Algebra');
    await makeGroup(w.auth.admin, 'biology');
    const other = await t.world();
    await makeGroup(other.auth.admin, 'Algebra');
    await req('POST', `/admin/groups/${a.group_id}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id, w.users.teacher.user_id],
    });
    for (const h of [w.auth.admin, w.auth.teacher]) {
      const res = await req('GET', '/admin/groups', h);
      expect(res.statusCode).toBe(200);
      expect(
        res.json().data.map((g: { name: string; member_count: number }) => [g.name, g.member_count]),
      ).toEqual([
        ['Algebra', 2],
        ['biology', 0],
      ]);
      expect(res.json().pagination.total).toBe(2);
    }
    const q = await req('GET', '/admin/groups?q=BIO', w.auth.teacher);
    expect(q.json().data.map((g: { name: string }) => g.name)).toEqual(['biology']);
    expect((await req('GET', '/admin/groups?q=%25', w.auth.teacher)).json().data).toEqual([]);
    expect((await req('GET', '/admin/groups', w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', '/admin/groups', {})).statusCode).toBe(401);
    expect((await req('GET', '/admin/groups?per_page=1000', w.auth.admin)).statusCode).toBe(400);
    expect((await req('GET', '/admin/groups?per_page=1e999', w.auth.admin)).statusCode).toBe(400);
    const all = await req('GET', `/admin/groups?org_id=${other.org.org_id}`, superAuth);
    expect(all.json().data.map((g: { org_id: string }) => g.org_id)).toEqual([other.org.org_id]);
  });

  it('shows one group with its members; another org’s or an unknown id is 404', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin, 'Roster');
    await req('POST', `/admin/groups/${g.group_id}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id],
    });
    const res = await req('GET', `/admin/groups/${g.group_id}`, w.auth.teacher);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ group_id: g.group_id, name: 'Roster', member_count: 1 });
    expect(res.json().data.members).toEqual([
      {
        user_id: w.users.student.user_id,
        name: w.users.student.name,
        email: w.users.student.email,
        role: 'student',
        is_active: true,
      },
    ]);
    expect((await req('GET', `/admin/groups/${g.group_id}`, w.auth.student)).statusCode).toBe(403);
    expect((await req('GET', `/admin/groups/${newId()}`, w.auth.admin)).statusCode).toBe(404);
    expect((await req('GET', '/admin/groups/nope', w.auth.admin)).statusCode).toBe(400);
    const other = await t.world();
    expect((await req('GET', `/admin/groups/${g.group_id}`, other.auth.teacher)).statusCode).toBe(404);
  });
});

describe('PUT /admin/groups/{group_id}', () => {
  it('renames and describes; a taken name is 409; teachers 403; bad bodies 400', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin, 'Old');
    await makeGroup(w.auth.admin, 'Taken');
    const res = await req('PUT', `/admin/groups/${g.group_id}`, w.auth.admin, {
      name: 'New',
      description: 'D',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ name: 'New', description: 'D' });
    expect(await groupRow(g.group_id)).toMatchObject({ name: 'New', description: 'D' });
    expect(
      (await req('PUT', `/admin/groups/${g.group_id}`, w.auth.admin, { description: null })).json().data
        .description,
    ).toBeNull();
    expect(
      (await req('PUT', `/admin/groups/${g.group_id}`, w.auth.admin, { name: 'Taken' })).statusCode,
    ).toBe(409);
    expect((await req('PUT', `/admin/groups/${g.group_id}`, w.auth.admin, {})).statusCode).toBe(400);
    expect((await req('PUT', `/admin/groups/${g.group_id}`, w.auth.teacher, { name: 'T' })).statusCode).toBe(
      403,
    );
    expect((await req('PUT', `/admin/groups/${g.group_id}`, {}, { name: 'T' })).statusCode).toBe(401);
    expect((await groupRow(g.group_id))?.name).toBe('New');
  });
});

describe('DELETE /admin/groups/{group_id}', () => {
  it('deletes the group and its memberships together', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin);
    await req('POST', `/admin/groups/${g.group_id}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id],
    });
    const res = await req('DELETE', `/admin/groups/${g.group_id}`, w.auth.admin);
    expect(res.statusCode).toBe(200);
    expect(await groupRow(g.group_id)).toBeUndefined();
    expect(await memberIds(g.group_id)).toEqual([]);
    expect((await req('DELETE', `/admin/groups/${g.group_id}`, w.auth.admin)).statusCode).toBe(404);
  });

  it('answers 409 while an attendance session targets the group, keeping everything', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin);
    await req('POST', `/admin/groups/${g.group_id}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id],
    });
    await sessionFor(w.org.org_id, g.group_id);
    const res = await req('DELETE', `/admin/groups/${g.group_id}`, w.auth.admin);
    expect(res.statusCode).toBe(409);
    expect(res.json().error_code).toBe('CONFLICT');
    expect(res.json().message).toMatch(/session/i);
    expect(await groupRow(g.group_id)).toBeDefined();
    expect(await memberIds(g.group_id)).toEqual([w.users.student.user_id]);
  });

  it('refuses teachers and students (403) and anonymous callers (401)', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin);
    expect((await req('DELETE', `/admin/groups/${g.group_id}`, w.auth.teacher)).statusCode).toBe(403);
    expect((await req('DELETE', `/admin/groups/${g.group_id}`, w.auth.student)).statusCode).toBe(403);
    expect((await req('DELETE', `/admin/groups/${g.group_id}`, {})).statusCode).toBe(401);
    expect(await groupRow(g.group_id)).toBeDefined();
  });
});

describe('group members', () => {
  it('adds users of the organization idempotently and returns the count', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin);
    const url = `/admin/groups/${g.group_id}/members`;
    const first = await req('POST', url, w.auth.admin, {
      user_ids: [w.users.student.user_id, w.users.student.user_id],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().data).toMatchObject({ group_id: g.group_id, member_count: 1, added: 1 });
    const again = await req('POST', url, w.auth.admin, {
      user_ids: [w.users.student.user_id, w.users.teacher.user_id],
    });
    expect(again.json().data).toMatchObject({ member_count: 2, added: 1 });
    expect(await memberIds(g.group_id)).toEqual([w.users.student.user_id, w.users.teacher.user_id].sort());
    const row = await t.db
      .selectFrom('group_members')
      .selectAll()
      .where('group_id', '=', g.group_id)
      .executeTakeFirstOrThrow();
    expect(row.org_id).toBe(w.org.org_id);
  });

  it('adds nobody when any id is not a user of the organization (404 listing those ids only)', async () => {
    const w = await t.world();
    const other = await t.world();
    const g = await makeGroup(w.auth.admin);
    const unknown = newId();
    const res = await req('POST', `/admin/groups/${g.group_id}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id, other.users.student.user_id, unknown],
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('NOT_FOUND');
    expect(res.json().details.missing_user_ids.sort()).toEqual([other.users.student.user_id, unknown].sort());
    expect(await memberIds(g.group_id)).toEqual([]);
  });

  it('validates the body (1..1000 uuids) and the roles', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin);
    const url = `/admin/groups/${g.group_id}/members`;
    expect(fields(await req('POST', url, w.auth.admin, { user_ids: [] }))).toEqual(['user_ids']);
    expect(fields(await req('POST', url, w.auth.admin, { user_ids: ['x'] }))).toEqual(['user_ids[0]']);
    const many = Array.from({ length: 1001 }, () => newId());
    expect((await req('POST', url, w.auth.admin, { user_ids: many })).statusCode).toBe(400);
    const body = { user_ids: [w.users.student.user_id] };
    expect((await req('POST', url, w.auth.teacher, body)).statusCode).toBe(403);
    expect((await req('POST', url, w.auth.student, body)).statusCode).toBe(403);
    expect((await req('POST', url, {}, body)).statusCode).toBe(401);
    expect((await req('POST', `/admin/groups/${newId()}/members`, w.auth.admin, body)).statusCode).toBe(404);
    expect(await memberIds(g.group_id)).toEqual([]);
  });

  it('removes a member; a non-member is 404', async () => {
    const w = await t.world();
    const g = await makeGroup(w.auth.admin);
    await req('POST', `/admin/groups/${g.group_id}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id, w.users.teacher.user_id],
    });
    const url = `/admin/groups/${g.group_id}/members/${w.users.student.user_id}`;
    expect((await req('DELETE', url, w.auth.teacher)).statusCode).toBe(403);
    expect((await req('DELETE', url, {})).statusCode).toBe(401);
    const res = await req('DELETE', url, w.auth.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json().data.member_count).toBe(1);
    expect(await memberIds(g.group_id)).toEqual([w.users.teacher.user_id]);
    const again = await req('DELETE', url, w.auth.admin);
    expect(again.statusCode).toBe(404);
    expect(again.json().error_code).toBe('NOT_FOUND');
    expect((await req('DELETE', `/admin/groups/${g.group_id}/members/bad`, w.auth.admin)).statusCode).toBe(
      400,
    );
  });
});
