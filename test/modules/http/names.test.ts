/**
 * Issue 17.7: names that are invisible or deceptive are refused everywhere a name is written
 * (users, self-registration, profile, organizations, groups, sessions, warning rules), with a 400 naming
 * the field,
 * and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
let superAuth: Record<string, string>;
let ruleId: string;

beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
  const rule = await t.app.inject({
    method: 'POST',
    url: '/admin/warning-rules',
    headers: w.auth.admin,
    payload: { name: 'Low attendance', kind: 'rate_below', threshold: 0.5 },
  });
  expect(rule.statusCode, rule.body).toBe(201);
  ruleId = rule.json().data.rule_id;
});
afterAll(async () => t.close());

const BAD = {
  'zero-width only': '\u200B\u200C\u200D',
  'right-to-left override': 'Admin\u202Enimda',
  NUL: 'Bob\u0000',
};
/** Row count of a table (PostgreSQL refuses a NUL even in a comparison, so nothing is looked up by name). */
const rows = async (table: 'users' | 'organizations' | 'groups' | 'attendance_sessions' | 'warning_rules') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const MESSAGE = 'must contain a visible character and no control or bidi-override characters';

describe.each(Object.entries(BAD))('a name with %s', (_label, bad) => {
  const cases = () => [
    {
      what: 'user',
      req: {
        method: 'POST' as const,
        url: '/admin/users',
        headers: w.auth.admin,
        payload: { name: bad, email: `n${Math.random()}@example.test`, password: PASSWORD, role: 'student' },
      },
      field: 'name',
      count: () => rows('users'),
    },
    {
      what: 'registration',
      req: {
        method: 'POST' as const,
        url: '/auth/register',
        payload: {
          name: bad,
          email: `r${Math.random()}@example.test`,
          password: PASSWORD,
          org_id: w.org.org_id,
        },
      },
      field: 'name',
      count: () => rows('users'),
    },
    {
      what: 'profile',
      req: { method: 'PUT' as const, url: '/auth/profile', headers: w.auth.student, payload: { name: bad } },
      field: 'name',
      count: () => rows('users'),
    },
    {
      what: 'organization',
      req: {
        method: 'POST' as const,
        url: '/admin/organizations',
        headers: superAuth,
        payload: { name: bad },
      },
      field: 'name',
      count: () => rows('organizations'),
    },
    {
      what: 'group',
      req: { method: 'POST' as const, url: '/admin/groups', headers: w.auth.admin, payload: { name: bad } },
      field: 'name',
      count: () => rows('groups'),
    },
    {
      what: 'session',
      req: {
        method: 'POST' as const,
        url: '/admin/sessions',
        headers: w.auth.teacher,
        payload: { session_name: bad, start_time: '2026-12-01T09:00:00Z', end_time: '2026-12-01T10:00:00Z' },
      },
      field: 'session_name',
      count: () => rows('attendance_sessions'),
    },
    {
      what: 'warning rule',
      req: {
        method: 'POST' as const,
        url: '/admin/warning-rules',
        headers: w.auth.admin,
        payload: { name: bad, kind: 'rate_below', threshold: 0.5 },
      },
      field: 'name',
      count: () => rows('warning_rules'),
    },
    {
      what: 'warning rule update',
      req: {
        method: 'PUT' as const,
        url: `/admin/warning-rules/${ruleId}`,
        headers: w.auth.admin,
        payload: { name: bad },
      },
      field: 'name',
      count: () => rows('warning_rules'),
    },
  ];
  it('is refused for users, registration, profile, organizations, groups, sessions and warning rules', async () => {
    for (const c of cases()) {
      const before = await c.count();
      const res = await t.app.inject(c.req);
      expect(res.statusCode, `${c.what}: ${res.body}`).toBe(400);
      expect(res.json().errors, c.what).toContainEqual({ field: c.field, message: MESSAGE });
      expect(await c.count(), c.what).toBe(before);
    }
    const student = await t.db
      .selectFrom('users')
      .select('name')
      .where('user_id', '=', w.users.student.user_id)
      .executeTakeFirstOrThrow();
    expect(student.name).toBe(w.users.student.name); // the profile kept its name
    const rule = await t.db
      .selectFrom('warning_rules')
      .select('name')
      .where('rule_id', '=', ruleId)
      .executeTakeFirstOrThrow();
    expect(rule.name).toBe('Low attendance'); // the rule kept its name
  });

  it('is refused in a bulk import row, the good row still created', async () => {
    const good = `good${Math.random().toString(36).slice(2)}@example.test`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/users/bulk',
      headers: w.auth.admin,
      payload: {
        users: [
          { name: bad, email: `b${Math.random()}@example.test` },
          { name: 'Good', email: good },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const [first, second] = res.json().data.results;
    expect(first.status).toBe('error');
    expect(first.errors).toContainEqual({ field: 'name', message: MESSAGE });
    expect(second.status).toBe('created');
  });
});

it('right-to-left names with RLM marks and accented names are accepted', async () => {
  for (const name of ['\u200Fמרים כהן', 'Zoë Ångström', '李小龍']) {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/auth/profile',
      headers: w.auth.teacher,
      payload: { name },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.name).toBe(name);
  }
});
