/**
 * Tenancy matrix for the organizations, users and groups modules: every route that takes an id
 * (in the path, the query or the body) answers 404 to an admin (and, for reads, a teacher) of
 * organization A given organization B's ids, and leaves B's rows exactly as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let a: Awaited<ReturnType<TestContext['world']>>;
let b: Awaited<ReturnType<TestContext['world']>>;
let groupA: string;
let groupB: string;

async function makeGroup(orgId: string, memberIds: string[]) {
  const now = Date.now() - 60_000;
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
  await t.db
    .insertInto('group_members')
    .values(memberIds.map((user_id) => ({ group_id, user_id, org_id: orgId, added_at: now })))
    .execute();
  return group_id;
}

beforeAll(async () => {
  t = await createTestApp();
  a = await t.world();
  b = await t.world();
  // B's users look long idle, so a leaking deactivate-inactive would show.
  await t.db
    .updateTable('users')
    .set({ last_login_at: 0, created_at: 0 })
    .where('org_id', '=', b.org.org_id)
    .execute();
  groupA = await makeGroup(a.org.org_id, [a.users.student.user_id]);
  groupB = await makeGroup(b.org.org_id, [b.users.student.user_id]);
});
afterAll(async () => t.close());

/** Everything of organization B (and A's group roster, which one case tries to fill with B's user). */
async function snapshot() {
  const org = b.org.org_id;
  return JSON.stringify({
    org: await t.db.selectFrom('organizations').selectAll().where('org_id', '=', org).execute(),
    users: await t.db.selectFrom('users').selectAll().where('org_id', '=', org).orderBy('user_id').execute(),
    sessions: await t.db
      .selectFrom('user_sessions')
      .select(['session_id', 'is_active', 'revoked_at'])
      .where('org_id', '=', org)
      .orderBy('session_id')
      .execute(),
    groups: await t.db
      .selectFrom('groups')
      .selectAll()
      .where('org_id', '=', org)
      .orderBy('group_id')
      .execute(),
    members: await t.db
      .selectFrom('group_members')
      .selectAll()
      .orderBy('group_id')
      .orderBy('user_id')
      .execute(),
  });
}

type Case = [
  label: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: () => string,
  body?: () => object,
];

const adminCases: Case[] = [
  ['GET organization', 'GET', () => `/admin/organizations/${b.org.org_id}`],
  ['PUT organization', 'PUT', () => `/admin/organizations/${b.org.org_id}`, () => ({ name: 'Hijacked' })],
  ['GET organization stats', 'GET', () => `/admin/organizations/${b.org.org_id}/stats`],
  ['GET user', 'GET', () => `/admin/users/${b.users.student.user_id}`],
  [
    'PUT user',
    'PUT',
    () => `/admin/users/${b.users.student.user_id}`,
    () => ({ name: 'X', is_active: false }),
  ],
  [
    'PUT user password',
    'PUT',
    () => `/admin/users/${b.users.admin.user_id}`,
    () => ({ password: 'Taken-over-1' }),
  ],
  ['DELETE user', 'DELETE', () => `/admin/users/${b.users.teacher.user_id}`],
  ['GET users ?org_id', 'GET', () => `/admin/users?org_id=${b.org.org_id}`],
  [
    'POST user with org_id',
    'POST',
    () => '/admin/users',
    () => ({
      name: 'X',
      email: 'x1@example.com',
      password: 'Passw0rd!x',
      role: 'student',
      org_id: b.org.org_id,
    }),
  ],
  [
    'POST bulk ?org_id',
    'POST',
    () => `/admin/users/bulk?org_id=${b.org.org_id}`,
    () => ({ users: [{ name: 'X', email: 'x2@example.com' }] }),
  ],
  [
    'POST bulk body org_id',
    'POST',
    () => '/admin/users/bulk',
    () => ({ org_id: b.org.org_id, users: [{ name: 'X', email: 'x3@example.com' }] }),
  ],
  [
    'POST deactivate-inactive org_id',
    'POST',
    () => '/admin/users/deactivate-inactive',
    () => ({ inactive_days: 1, org_id: b.org.org_id }),
  ],
  ['GET students ?group_id', 'GET', () => `/admin/students?group_id=${groupB}`],
  ['GET students ?org_id', 'GET', () => `/admin/students?org_id=${b.org.org_id}`],
  ['GET groups ?org_id', 'GET', () => `/admin/groups?org_id=${b.org.org_id}`],
  [
    'POST group with org_id',
    'POST',
    () => '/admin/groups',
    () => ({ name: 'Planted', org_id: b.org.org_id }),
  ],
  ['GET group', 'GET', () => `/admin/groups/${groupB}`],
  ['PUT group', 'PUT', () => `/admin/groups/${groupB}`, () => ({ name: 'Renamed' })],
  ['DELETE group', 'DELETE', () => `/admin/groups/${groupB}`],
  [
    'POST members into B group',
    'POST',
    () => `/admin/groups/${groupB}/members`,
    () => ({ user_ids: [a.users.teacher.user_id] }),
  ],
  [
    'POST B user into A group',
    'POST',
    () => `/admin/groups/${groupA}/members`,
    () => ({ user_ids: [b.users.teacher.user_id] }),
  ],
  ['DELETE member of B group', 'DELETE', () => `/admin/groups/${groupB}/members/${b.users.student.user_id}`],
  [
    'DELETE B user from A group',
    'DELETE',
    () => `/admin/groups/${groupA}/members/${b.users.student.user_id}`,
  ],
];

const teacherCases: Case[] = [
  ['GET organization', 'GET', () => `/admin/organizations/${b.org.org_id}`],
  ['GET user', 'GET', () => `/admin/users/${b.users.student.user_id}`],
  ['GET users ?org_id', 'GET', () => `/admin/users?org_id=${b.org.org_id}`],
  ['GET students ?group_id', 'GET', () => `/admin/students?group_id=${groupB}`],
  ['GET group', 'GET', () => `/admin/groups/${groupB}`],
];

async function expectNotFound(headers: Record<string, string>, [label, method, url, body]: Case) {
  const before = await snapshot();
  const res = await t.app.inject({ method, url: url(), headers, payload: body?.() });
  expect(res.statusCode, `${label}: ${res.body}`).toBe(404);
  expect(res.json().error_code).toBe('NOT_FOUND');
  // Nothing of B in the answer, and B unchanged.
  expect(res.body).not.toContain(b.users.student.email);
  expect(res.body).not.toContain(b.org.name);
  expect(await snapshot(), label).toBe(before);
}

describe("an admin of organization A never reaches organization B's rows", () => {
  it.each(adminCases)('%s → 404, B unchanged', async (...c) => {
    await expectNotFound(a.auth.admin, c);
  });
});

describe("a teacher of organization A never reads organization B's rows", () => {
  it.each(teacherCases)('%s → 404', async (...c) => {
    await expectNotFound(a.auth.teacher, c);
  });
});

describe('the matrix is not vacuous', () => {
  it("B's admin reaches the same ids", async () => {
    for (const url of [
      `/admin/organizations/${b.org.org_id}`,
      `/admin/users/${b.users.student.user_id}`,
      `/admin/groups/${groupB}`,
      `/admin/students?group_id=${groupB}`,
    ]) {
      expect((await t.app.inject({ method: 'GET', url, headers: b.auth.admin })).statusCode, url).toBe(200);
    }
  });
});
