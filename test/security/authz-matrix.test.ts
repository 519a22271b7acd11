/**
 * The authorization matrix (OWASP API1, broken object-level authorization): every route of
 * /openapi.json × six callers, each case in a fresh world of two organizations, so a destructive case
 * (logout, deletion, password change, close) cannot spoil the next. A route without a row in
 * ./matrix.ts, or a row without a route, fails the first test. For an admin of organization B aiming
 * at organization A's ids the answer must be 404, and A's targeted rows must be exactly as before;
 * when B's admin is let through (a route without A's ids), nothing of A may appear in the answer.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { createTestApp, type TestContext, type TestUser } from '../helpers/app.js';
import { CENTRE, insertGroup, insertSession, MIN } from '../modules/attendance/fixtures.js';
import { CALLERS, type Caller, type Ctx, MATRIX, type Side, type Watch, type World } from './matrix.js';

let t: TestContext;
const checked = { routes: new Set<string>(), cases: 0 };

beforeAll(async () => {
  // Every case logs in at least once: lift the per-IP login limit well above the case count.
  t = await createTestApp({ LOGIN_MAX_PER_IP: '1000000' });
});
afterAll(async () => {
  console.log(
    `authz matrix: ${checked.routes.size} routes × ${CALLERS.length} callers = ${checked.cases} cases checked`,
  );
  await t?.close();
});

/** A stream that stays open on success: the status, and the body of a refusal; a 2xx is hung up. */
async function injectStream(request: InjectOptions) {
  const res = await t.app.inject({ ...request, payloadAsStream: true });
  const stream = res.stream();
  if (res.statusCode >= 200 && res.statusCode < 300) {
    stream.destroy();
    return { statusCode: res.statusCode, body: '' };
  }
  let body = '';
  for await (const chunk of stream) body += chunk;
  return { statusCode: res.statusCode, body };
}

const isDocs = (path: string) => path === '/openapi.json' || path.startsWith('/docs');
/**
 * Path parameters that are credentials, not object ids (the calendar feed's token): holding one is
 * the authorization, so the rules for ids of org A (404 for another org, watched rows) do not apply.
 */
const CREDENTIAL_PARAMS = new Set(['token']);
const objectIdsIn = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((id) => !CREDENTIAL_PARAMS.has(id));

async function insertRecord(orgId: string, sessionId: string, userId: string): Promise<string> {
  const record_id = newId();
  const checkIn = Date.now() - 2 * MIN;
  await t.db
    .insertInto('attendance_records')
    .values({
      record_id,
      org_id: orgId,
      session_id: sessionId,
      user_id: userId,
      check_in_time: checkIn,
      check_out_time: null,
      check_in_lat: CENTRE.lat,
      check_in_lon: CENTRE.lon,
      check_in_accuracy: 10,
      check_out_lat: null,
      check_out_lon: null,
      distance_m: 0,
      status: 'present',
      notes: null,
      marked_by: null,
      created_at: checkIn,
      updated_at: checkIn,
    })
    .execute();
  return record_id;
}

async function buildSide(): Promise<Side> {
  const org = await t.factory.org();
  const admin = await t.factory.user('admin', org.org_id);
  const teacher = await t.factory.user('teacher', org.org_id);
  const student = await t.factory.user('student', org.org_id);
  const group_id = await insertGroup(t, org.org_id, [student.user_id]);
  const { session_id } = await insertSession(t, org.org_id, teacher.user_id);
  const record_id = await insertRecord(org.org_id, session_id, student.user_id);
  return { org_id: org.org_id, admin, teacher, student, group_id, session_id, record_id };
}

async function buildWorld(): Promise<World> {
  return {
    a: await buildSide(),
    b: await buildSide(),
    superAdmin: await t.factory.user('super_admin', null),
  };
}

function accountOf(w: World, caller: Caller): TestUser | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'super_admin':
      return w.superAdmin;
    case 'other_org_admin':
      return w.b.admin;
    default:
      return w.a[caller];
  }
}

/** What a path id points at, for the before/after comparison of a refused request. */
const WATCH_BY_PARAM: Record<string, (id: string) => Watch[]> = {
  org_id: (id) => [{ table: 'organizations', column: 'org_id', id }],
  user_id: (id) => [
    { table: 'users', column: 'user_id', id },
    { table: 'group_members', column: 'user_id', id },
  ],
  group_id: (id) => [
    { table: 'groups', column: 'group_id', id },
    { table: 'group_members', column: 'group_id', id },
  ],
  session_id: (id) => [
    { table: 'attendance_sessions', column: 'session_id', id },
    { table: 'attendance_records', column: 'session_id', id },
  ],
  record_id: (id) => [
    { table: 'attendance_records', column: 'record_id', id },
    { table: 'attendance_record_changes', column: 'record_id', id },
  ],
  webhook_id: (id) => [{ table: 'webhooks', column: 'webhook_id', id }],
  delivery_id: (id) => [{ table: 'outbox', column: 'message_id', id }],
  rule_id: (id) => [{ table: 'warning_rules', column: 'rule_id', id }],
  job_id: (id) => [{ table: 'jobs', column: 'job_id', id }],
  series_id: (id) => [
    { table: 'session_series', column: 'series_id', id },
    { table: 'attendance_sessions', column: 'series_id', id },
  ],
};

const stable = (row: unknown) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

async function snapshot(watches: Watch[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const w of watches) {
    const rows = await t.db
      .selectFrom(w.table as 'users')
      .selectAll()
      .where(w.column as 'user_id', '=', w.id)
      .execute();
    out.push(rows.map(stable).sort());
  }
  return out;
}

/** Every id of organization A the world and the row's setup made. */
const idsOfA = (c: Ctx) => [
  c.w.a.org_id,
  c.w.a.admin.user_id,
  c.w.a.teacher.user_id,
  c.w.a.student.user_id,
  c.w.a.group_id,
  c.w.a.session_id,
  c.w.a.record_id,
  ...Object.values(c.extra),
];

const defined = (q: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(q ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;

describe('authorization matrix', () => {
  it('has one row per route of /openapi.json, and no row without a route', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const routes = Object.entries<Record<string, unknown>>(doc.paths)
      .filter(([path]) => !isDocs(path))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.length).toBeGreaterThan(40);
    const rows = Object.keys(MATRIX);
    expect(
      routes.filter((r) => !(r in MATRIX)),
      'routes without a row in test/security/matrix.ts',
    ).toEqual([]);
    expect(
      rows.filter((r) => !routes.includes(r)),
      'rows naming a route that /openapi.json does not have',
    ).toEqual([]);
    expect(
      rows.filter((r) => objectIdsIn(r).length > 0 && MATRIX[r]!.expect.other_org_admin !== 404),
      "routes with a path id where another organization's admin is not answered 404",
    ).toEqual([]);
  });

  describe.each(Object.keys(MATRIX))('%s', (route) => {
    const row = MATRIX[route]!;
    const [method, path] = route.split(' ') as [string, string];
    const allPathIds = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const pathIds = objectIdsIn(path);

    it.each(CALLERS)('%s', async (caller) => {
      const expected = row.expect[caller];
      const w = await buildWorld();
      const user = accountOf(w, caller);
      const c: Ctx = { t, w, caller, user, login: user ? await t.login(user) : undefined, extra: {} };
      if (row.orgScoped && (caller === 'super_admin' || (caller === 'other_org_admin' && !pathIds.length)))
        c.orgId = w.a.org_id;
      Object.assign(c.extra, await row.setup?.(c));

      const params = row.params?.(c) ?? {};
      for (const id of allPathIds) expect(params[id], `${route}: no value for {${id}}`).toBeTruthy();
      // The OpenAPI document names the sessions collection "/admin/sessions/"; clients use the
      // contract's "/admin/sessions", which is what is sent.
      const url = path.replace(/\{(\w+)\}/g, (_m, id: string) => params[id]!).replace(/(.)\/$/, '$1');

      // A refused cross-tenant attempt must leave org A as it was: the targeted rows, the
      // organization, its audit log.
      const refusedCrossOrg = caller === 'other_org_admin' && expected === 404;
      const targeted = row.watch?.(c) ?? pathIds.flatMap((id) => WATCH_BY_PARAM[id]?.(params[id]!) ?? []);
      if (caller === 'other_org_admin' && pathIds.length)
        expect(targeted.length, `${route}: nothing of org A is watched`).toBeGreaterThan(0);
      const watches: Watch[] = refusedCrossOrg
        ? [
            ...targeted,
            { table: 'organizations', column: 'org_id', id: w.a.org_id },
            { table: 'audit_log', column: 'org_id', id: w.a.org_id },
          ]
        : [];
      const before = await snapshot(watches);
      if (targeted.length && refusedCrossOrg)
        expect(
          before.slice(0, targeted.length).some((rows) => rows.length > 0),
          `${route}: the watched rows of org A do not exist`,
        ).toBe(true);

      const request = {
        method: method as 'GET',
        url,
        query: defined(row.query?.(c)),
        headers: c.login?.headers ?? {},
        ...(row.body ? { payload: row.body(c) as object } : {}),
      };
      const res = row.stream ? await injectStream(request) : await t.app.inject(request);
      const got = `${caller} ${method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      if (expected === 'ok') expect(res.statusCode >= 200 && res.statusCode < 300, got).toBe(true);
      else expect(res.statusCode, got).toBe(expected);

      if (refusedCrossOrg) expect(await snapshot(watches), `${got}: org A changed`).toEqual(before);
      if (caller === 'other_org_admin' && expected === 'ok' && !row.echoesOrgA) {
        const leaked = idsOfA(c).filter((id) => res.body.includes(id));
        expect(leaked, `${got}: org A's ids in the answer`).toEqual([]);
      }
      checked.routes.add(route);
      checked.cases++;
    });
  });
});

/**
 * Object-level checks inside one organization, which the matrix cannot express: another user's
 * record, history, login session or attendance session (README: teachers change only the sessions
 * they created; someone else's record answers 404; teachers read students only).
 */
interface Peers {
  student: TestUser;
  record_id: string;
  teacher: TestUser;
  adminLogin: string;
}
interface SameOrgCase {
  as: (w: World, p: Peers) => TestUser;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: (w: World, p: Peers) => string;
  body?: (w: World, p: Peers) => object;
  expect: 403 | 404;
  watch: (w: World, p: Peers) => Watch[];
}

const sessionRows = (w: World): Watch[] => [
  { table: 'attendance_sessions', column: 'session_id', id: w.a.session_id },
  { table: 'attendance_records', column: 'session_id', id: w.a.session_id },
];
const none = () => [];

const SAME_ORG: Record<string, SameOrgCase> = {
  "a student checks out another student's record": {
    as: (w) => w.a.student,
    method: 'POST',
    url: () => '/attendance/check-out',
    body: (_w, p) => ({ record_id: p.record_id }),
    expect: 404,
    watch: (_w, p) => [{ table: 'attendance_records', column: 'record_id', id: p.record_id }],
  },
  "a student reads another student's history": {
    as: (w) => w.a.student,
    method: 'GET',
    url: (_w, p) => `/attendance/user/${p.student.user_id}/history`,
    // 404, not 403: a student must not learn that the id is a user of their org (issue 17.9).
    expect: 404,
    watch: none,
  },
  "a student reads the change log of another student's record": {
    as: (w) => w.a.student,
    method: 'GET',
    url: (_w, p) => `/attendance/records/${p.record_id}/history`,
    expect: 404,
    watch: none,
  },
  "a student revokes the admin's login session": {
    as: (w) => w.a.student,
    method: 'DELETE',
    url: (_w, p) => `/auth/sessions/${p.adminLogin}`,
    expect: 404,
    watch: (_w, p) => [{ table: 'user_sessions', column: 'session_id', id: p.adminLogin }],
  },
  'a student checks another student in through the legacy check-in': {
    as: (w) => w.a.student,
    method: 'POST',
    url: () => '/check-in',
    body: (w, p) => ({
      session_id: w.a.session_id,
      user_id: p.student.user_id,
      lat: CENTRE.lat,
      lon: CENTRE.lon,
    }),
    expect: 403,
    watch: sessionRows,
  },
  "a teacher renames another teacher's session": {
    as: (_w, p) => p.teacher,
    method: 'PUT',
    url: (w) => `/admin/sessions/${w.a.session_id}`,
    body: () => ({ session_name: 'Taken over' }),
    expect: 403,
    watch: sessionRows,
  },
  "a teacher closes another teacher's session": {
    as: (_w, p) => p.teacher,
    method: 'POST',
    url: (w) => `/admin/sessions/${w.a.session_id}/close`,
    expect: 403,
    watch: sessionRows,
  },
  "a teacher cancels another teacher's session": {
    as: (_w, p) => p.teacher,
    method: 'DELETE',
    url: (w) => `/admin/sessions/${w.a.session_id}`,
    expect: 403,
    watch: sessionRows,
  },
  "a teacher corrects a record of another teacher's session": {
    as: (_w, p) => p.teacher,
    method: 'PUT',
    url: (w) => `/attendance/records/${w.a.record_id}`,
    body: () => ({ status: 'absent' }),
    expect: 403,
    watch: (w) => [
      { table: 'attendance_records', column: 'record_id', id: w.a.record_id },
      { table: 'attendance_record_changes', column: 'record_id', id: w.a.record_id },
    ],
  },
  "a teacher force-checks-in to another teacher's session": {
    as: (_w, p) => p.teacher,
    method: 'POST',
    url: () => '/attendance/force-check-in',
    body: (w) => ({ session_id: w.a.session_id, user_id: w.a.student.user_id, status: 'absent' }),
    expect: 403,
    watch: sessionRows,
  },
  "a teacher checks a student in to another teacher's session through the legacy check-in": {
    as: (_w, p) => p.teacher,
    method: 'POST',
    url: () => '/check-in',
    body: (w, p) => ({ session_id: w.a.session_id, user_id: p.student.user_id, status: 'excused' }),
    expect: 403,
    watch: sessionRows,
  },
  "a teacher reads an admin's account": {
    as: (w) => w.a.teacher,
    method: 'GET',
    url: (w) => `/admin/users/${w.a.admin.user_id}`,
    expect: 404,
    watch: none,
  },
  'a teacher lists the admins': {
    as: (w) => w.a.teacher,
    method: 'GET',
    url: () => '/admin/users?role=admin',
    expect: 403,
    watch: none,
  },
  'an admin edits the super_admin': {
    as: (w) => w.a.admin,
    method: 'PUT',
    url: (w) => `/admin/users/${w.superAdmin.user_id}`,
    body: () => ({ name: 'Demoted' }),
    expect: 404,
    watch: (w) => [{ table: 'users', column: 'user_id', id: w.superAdmin.user_id }],
  },
  'an admin creates a super_admin': {
    as: (w) => w.a.admin,
    method: 'POST',
    url: () => '/admin/users',
    body: () => ({
      name: 'Root',
      email: 'root.authz@example.test',
      password: 'Passw0rd!test',
      role: 'super_admin',
    }),
    expect: 403,
    watch: () => [{ table: 'users', column: 'email', id: 'root.authz@example.test' }],
  },
  'an admin deactivates their own organization': {
    as: (w) => w.a.admin,
    method: 'PUT',
    url: (w) => `/admin/organizations/${w.a.org_id}`,
    body: () => ({ is_active: false }),
    expect: 403,
    watch: (w) => [
      { table: 'organizations', column: 'org_id', id: w.a.org_id },
      { table: 'user_sessions', column: 'org_id', id: w.a.org_id },
    ],
  },
};

describe('another user’s objects in the same organization', () => {
  it.each(Object.keys(SAME_ORG))('%s', async (name) => {
    const c = SAME_ORG[name]!;
    const w = await buildWorld();
    const student = await t.factory.user('student', w.a.org_id);
    const p: Peers = {
      student,
      record_id: await insertRecord(w.a.org_id, w.a.session_id, student.user_id),
      teacher: await t.factory.user('teacher', w.a.org_id),
      adminLogin: (await t.login(w.a.admin)).sessionId,
    };
    const { headers } = await t.login(c.as(w, p));
    const watches: Watch[] = [...c.watch(w, p), { table: 'audit_log', column: 'org_id', id: w.a.org_id }];
    const before = await snapshot(watches);
    const url = c.url(w, p);
    const res = await t.app.inject({
      method: c.method,
      url,
      headers,
      ...(c.body ? { payload: c.body(w, p) } : {}),
    });
    const got = `${c.method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(res.statusCode, got).toBe(c.expect);
    expect(await snapshot(watches), `${got}: something changed`).toEqual(before);
  });
});
