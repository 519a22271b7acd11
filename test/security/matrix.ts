/**
 * The authorization matrix (OWASP API1): every route of /openapi.json, keyed "METHOD path" exactly as
 * the document names it, with the outcome each kind of caller must get and a builder for a request
 * valid enough to succeed when authorization passes. Outcomes follow API.md ("Roles and tenancy" and
 * the route sections) and the decisions README.md records where API.md is open.
 *
 * Columns of `e(...)`: anonymous, student, teacher, admin, super_admin, other_org_admin.
 * `other_org_admin` is an admin of organization B using organization A's ids: in the path, in body
 * fields naming A's objects, and — on routes without path ids — as `org_id` wherever a super_admin
 * would pass one (`orgScoped`). 'ok' = authorization passed; the runner insists on a 2xx.
 */
import { randomBytes } from 'node:crypto';
import { newId } from '../../src/lib/ids.js';
import { currentCode } from '../../src/modules/attendance/code-verifier.js';
import { outboxRepository } from '../../src/modules/outbox/outbox.repository.js';
import { createSecretBox } from '../../src/modules/webhooks/webhook-secrets.js';
import type { TestContext, TestUser } from '../helpers/app.js';
import { CENTRE, insertSession, MIN } from '../modules/attendance/fixtures.js';

export const CALLERS = [
  'anonymous',
  'student',
  'teacher',
  'admin',
  'super_admin',
  'other_org_admin',
] as const;
export type Caller = (typeof CALLERS)[number];
export type Outcome = 401 | 403 | 404 | 'ok';

/** One organization of the world: its users and one of each object, all made by its teacher. */
export interface Side {
  org_id: string;
  admin: TestUser;
  teacher: TestUser;
  student: TestUser;
  /** The student is a member; no session targets it (so it can be deleted). */
  group_id: string;
  /** Open now, no group (every student of the org is expected), created by the teacher. */
  session_id: string;
  /** The student's check-in in that session (present, not checked out). */
  record_id: string;
}

export interface World {
  a: Side;
  b: Side;
  superAdmin: TestUser;
}

export interface Login {
  headers: { authorization: string };
  sessionId: string;
  refresh: string;
}

export interface Ctx {
  t: TestContext;
  w: World;
  caller: Caller;
  /** The caller's account and login (none for anonymous). */
  user?: TestUser;
  login?: Login;
  /** org_id to send: org A for super_admin, and for other_org_admin on orgScoped routes without path ids. */
  orgId?: string;
  /** Ids made by the row's setup. */
  extra: Record<string, string>;
}

export type WatchTable =
  | 'organizations'
  | 'users'
  | 'user_sessions'
  | 'groups'
  | 'group_members'
  | 'attendance_sessions'
  | 'attendance_records'
  | 'attendance_record_changes'
  | 'audit_log'
  | 'webhooks'
  | 'outbox'
  | 'warning_rules'
  | 'jobs'
  | 'session_series';

/** Rows of org A that a refused request must leave exactly as they were. */
export interface Watch {
  table: WatchTable;
  column: string;
  id: string;
}

export interface Row {
  expect: Record<Caller, Outcome>;
  setup?: (c: Ctx) => Promise<Record<string, string>>;
  params?: (c: Ctx) => Record<string, string>;
  query?: (c: Ctx) => Record<string, string | undefined>;
  body?: (c: Ctx) => unknown;
  /** The route takes an org_id that a super_admin passes (required, or the one filter that matters). */
  orgScoped?: boolean;
  /** Watched rows besides those derived from the path ids (body ids, or a path id the runner cannot map). */
  watch?: (c: Ctx) => Watch[];
  /** The answer legitimately names org A (public registration into it). */
  echoesOrgA?: boolean;
  /** A 2xx is a stream that never ends (the live feed): the runner reads the status, then hangs up. */
  stream?: boolean;
}

const e = (
  anonymous: Outcome,
  student: Outcome,
  teacher: Outcome,
  admin: Outcome,
  super_admin: Outcome,
  other_org_admin: Outcome,
): Record<Caller, Outcome> => ({ anonymous, student, teacher, admin, super_admin, other_org_admin });

const ok = 'ok';
let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`;
const email = () => `${unique('authz')}@example.test`;
const iso = (ms: number) => new Date(ms).toISOString();
const NEW_PASSWORD = 'An0ther-Passw0rd!';

/** An open session with rotating codes, made by the side's teacher. */
const rotatingSession = (c: Ctx, side: Side) =>
  insertSession(c.t, side.org_id, side.teacher.user_id, {
    code_mode: 'rotating',
    require_code: 1,
    code_secret: randomBytes(32).toString('hex'),
  });

/** A second open session of org A without records, so a check-in can succeed. */
const freshOpenSession = async (c: Ctx) => ({
  session: (await insertSession(c.t, c.w.a.org_id, c.w.a.teacher.user_id)).session_id,
});
const checkInBody = (c: Ctx) => ({
  session_id: c.extra.session!,
  lat: CENTRE.lat,
  lon: CENTRE.lon,
  accuracy: 10,
});
const recordsOfFreshSession = (c: Ctx): Watch[] => [
  { table: 'attendance_sessions', column: 'session_id', id: c.extra.session! },
  { table: 'attendance_records', column: 'session_id', id: c.extra.session! },
];
const sessionA = (c: Ctx) => ({ session_id: c.w.a.session_id });
const recordA = (c: Ctx) => ({ record_id: c.w.a.record_id });
const groupA = (c: Ctx) => ({ group_id: c.w.a.group_id });
const studentA = (c: Ctx) => ({ user_id: c.w.a.student.user_id });
const orgA = (c: Ctx) => ({ org_id: c.w.a.org_id });
const orgQuery = (c: Ctx) => ({ org_id: c.orgId });

/** A webhook of org A (and, for the delivery routes, one failed delivery of it), written directly. */
async function webhookOfA(c: Ctx, withDelivery = false): Promise<Record<string, string>> {
  const webhook = newId();
  const t0 = Date.now();
  await c.t.db
    .insertInto('webhooks')
    .values({
      webhook_id: webhook,
      org_id: c.w.a.org_id,
      url: 'https://example.com/hook',
      events: '["user.created"]',
      description: null,
      secret_enc: createSecretBox(c.t.config.secretKey).seal('whsec_AAAA'),
      is_active: 1,
      created_by: null,
      created_at: t0,
      updated_at: t0,
    })
    .execute();
  if (!withDelivery) return { webhook };
  const [delivery] = await outboxRepository.enqueue(
    c.t.db,
    [{ orgId: c.w.a.org_id, channel: 'webhook', topic: 'user.created', targetId: webhook, payload: '{}' }],
    t0,
  );
  await c.t.db.updateTable('outbox').set({ state: 'failed' }).where('message_id', '=', delivery!).execute();
  return { webhook, delivery: delivery! };
}
const webhookA = (c: Ctx) => ({ webhook_id: c.extra.webhook! });

/** A warning rule of org A, written directly. */
async function ruleOfA(c: Ctx): Promise<Record<string, string>> {
  const rule = newId();
  await c.t.db
    .insertInto('warning_rules')
    .values({
      rule_id: rule,
      org_id: c.w.a.org_id,
      name: 'Matrix rule',
      kind: 'rate_below',
      threshold: 0.7,
      min_sessions: 5,
      group_id: null,
      notify: '{"student":true,"teachers":false,"admins":false,"emails":[]}',
      cooldown_days: 7,
      is_active: 1,
      created_by: null,
      created_at: Date.now(),
      updated_at: Date.now(),
    })
    .execute();
  return { rule };
}
const ruleA = (c: Ctx) => ({ rule_id: c.extra.rule! });

const DAY = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const seriesBody = (orgId?: string) => ({
  session_name: 'Matrix Series',
  weekdays: [1, 3],
  start_date: ymd(Date.now() + DAY),
  end_date: ymd(Date.now() + 15 * DAY),
  start_local: '09:00',
  end_local: '10:00',
  ...(orgId ? { org_id: orgId } : {}),
});
/** A series of org A made by its teacher (so the teacher runs it), through the API. */
async function seriesOfA(c: Ctx): Promise<Record<string, string>> {
  const { headers } = await c.t.login(c.w.a.teacher);
  const res = await c.t.app.inject({
    method: 'POST',
    url: '/admin/session-series',
    headers,
    payload: seriesBody(),
  });
  if (res.statusCode !== 201) throw new Error(`series setup: ${res.statusCode} ${res.body}`);
  return { series: res.json().data.series_id };
}
const seriesA = (c: Ctx) => ({ series_id: c.extra.series! });

export const MATRIX: Record<string, Row> = {
  // Health and the public auth routes: a token, if any, is not looked at.
  'GET /health': { expect: e(ok, ok, ok, ok, ok, ok) },
  'GET /health/live': { expect: e(ok, ok, ok, ok, ok, ok) },
  'GET /health/ready': { expect: e(ok, ok, ok, ok, ok, ok) },
  'POST /auth/register': {
    expect: e(ok, ok, ok, ok, ok, ok),
    body: (c) => ({
      name: 'Self Registered',
      email: email(),
      password: 'Passw0rd!test',
      org_id: c.w.a.org_id,
    }),
    echoesOrgA: true,
  },
  'POST /auth/login': {
    expect: e(ok, ok, ok, ok, ok, ok),
    body: (c) => ({ email: (c.user ?? c.w.a.student).email, password: 'Passw0rd!test' }),
  },
  'POST /auth/refresh': {
    expect: e(ok, ok, ok, ok, ok, ok),
    setup: async (c) => ({ refresh: c.login?.refresh ?? (await c.t.login(c.w.a.student)).refresh }),
    body: (c) => ({ refresh_token: c.extra.refresh }),
  },

  // Any authenticated user, about themselves.
  'POST /auth/logout': { expect: e(401, ok, ok, ok, ok, ok) },
  'POST /auth/logout-all': { expect: e(401, ok, ok, ok, ok, ok) },
  'GET /auth/verify': { expect: e(401, ok, ok, ok, ok, ok) },
  'GET /auth/profile': { expect: e(401, ok, ok, ok, ok, ok) },
  'PUT /auth/profile': { expect: e(401, ok, ok, ok, ok, ok), body: () => ({ name: 'Renamed Self' }) },
  'POST /auth/change-password': {
    expect: e(401, ok, ok, ok, ok, ok),
    body: () => ({ old_password: 'Passw0rd!test', new_password: NEW_PASSWORD }),
  },
  'GET /auth/sessions': { expect: e(401, ok, ok, ok, ok, ok) },
  'DELETE /auth/sessions/{session_id}': {
    expect: e(401, ok, ok, ok, ok, 404),
    // Your own second login; anonymous and the other org's admin aim at org A's admin's login.
    setup: async (c) => {
      const own = c.user && c.caller !== 'other_org_admin';
      return { login: (await c.t.login(own ? c.user! : c.w.a.admin)).sessionId };
    },
    params: (c) => ({ session_id: c.extra.login! }),
    watch: (c) => [{ table: 'user_sessions', column: 'session_id', id: c.extra.login! }],
  },

  // Organizations: super_admin manages; an admin reads and edits their own; teachers read their own
  // (README); stats are for admins (README).
  'GET /admin/organizations': { expect: e(401, 403, 403, ok, ok, ok) },
  'POST /admin/organizations': {
    expect: e(401, 403, 403, 403, ok, 403),
    body: () => ({ name: unique('Org'), timezone: 'Europe/Paris' }),
  },
  'GET /admin/organizations/{org_id}': { expect: e(401, 403, ok, ok, ok, 404), params: orgA },
  'PUT /admin/organizations/{org_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    params: orgA,
    body: () => ({ description: 'changed by the authz matrix', late_after_minutes: 7 }),
  },
  'GET /admin/organizations/{org_id}/stats': { expect: e(401, 403, 403, ok, ok, 404), params: orgA },

  // Users: admins manage their organization; teachers read students.
  'GET /admin/users': { expect: e(401, 403, ok, ok, ok, 404), orgScoped: true, query: orgQuery },
  'POST /admin/users': {
    expect: e(401, 403, 403, ok, ok, 404),
    orgScoped: true,
    body: (c) => ({
      name: 'New User',
      email: email(),
      password: 'Passw0rd!test',
      role: 'teacher',
      org_id: c.orgId,
    }),
  },
  'GET /admin/users/{user_id}': { expect: e(401, 403, ok, ok, ok, 404), params: studentA },
  'PUT /admin/users/{user_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    params: studentA,
    body: () => ({ name: 'Renamed Student', is_active: false }),
  },
  'DELETE /admin/users/{user_id}': { expect: e(401, 403, 403, ok, ok, 404), params: studentA },
  'GET /admin/students': { expect: e(401, 403, ok, ok, ok, 404), orgScoped: true, query: orgQuery },
  'POST /admin/users/bulk': {
    expect: e(401, 403, 403, ok, ok, 404),
    orgScoped: true,
    query: orgQuery,
    body: () => ({
      users: [{ name: 'Bulk One', email: email(), role: 'student', password: 'Passw0rd!test' }],
    }),
  },
  'POST /admin/users/deactivate-inactive': {
    expect: e(401, 403, 403, ok, ok, 404),
    orgScoped: true,
    body: (c) => ({ inactive_days: 3650, org_id: c.orgId }),
  },

  // Groups: admins write, teachers read (the rosters of their organization).
  'GET /admin/groups': { expect: e(401, 403, ok, ok, ok, 404), orgScoped: true, query: orgQuery },
  'POST /admin/groups': {
    expect: e(401, 403, 403, ok, ok, 404),
    orgScoped: true,
    body: (c) => ({ name: unique('Group'), description: 'made by the authz matrix', org_id: c.orgId }),
  },
  'GET /admin/groups/{group_id}': { expect: e(401, 403, ok, ok, ok, 404), params: groupA },
  'PUT /admin/groups/{group_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    params: groupA,
    body: () => ({ name: unique('Renamed group') }),
  },
  'DELETE /admin/groups/{group_id}': { expect: e(401, 403, 403, ok, ok, 404), params: groupA },
  'POST /admin/groups/{group_id}/members': {
    expect: e(401, 403, 403, ok, ok, 404),
    params: groupA,
    body: (c) => ({ user_ids: [c.w.a.teacher.user_id] }),
  },
  'DELETE /admin/groups/{group_id}/members/{user_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    params: (c) => ({ group_id: c.w.a.group_id, user_id: c.w.a.student.user_id }),
  },

  // Attendance sessions: staff; the world's session was created by the teacher, who may change it.
  'POST /admin/sessions': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    body: (c) => ({
      session_name: 'Matrix Session',
      description: 'made by the authz matrix',
      start_time: iso(Date.now() - 5 * MIN),
      end_time: iso(Date.now() + 60 * MIN),
      location_lat: CENTRE.lat,
      location_lon: CENTRE.lon,
      location_radius: 50,
      org_id: c.orgId,
    }),
  },
  // Naming another organization in org_id is a 404, as on every other list.
  'GET /admin/sessions': { expect: e(401, 403, ok, ok, ok, 404), orgScoped: true, query: orgQuery },
  'GET /admin/sessions/{session_id}': { expect: e(401, 403, ok, ok, ok, 404), params: sessionA },
  'PUT /admin/sessions/{session_id}': {
    expect: e(401, 403, ok, ok, ok, 404),
    params: sessionA,
    body: () => ({ session_name: 'Renamed Session', location_radius: 75 }),
  },
  'DELETE /admin/sessions/{session_id}': { expect: e(401, 403, ok, ok, ok, 404), params: sessionA },
  'POST /admin/sessions/{session_id}/close': { expect: e(401, 403, ok, ok, ok, 404), params: sessionA },
  // The code to show: the session's teachers and admins (API.md Part 2).
  'GET /admin/sessions/{session_id}/code': {
    expect: e(401, 403, ok, ok, ok, 404),
    setup: async (c) => ({ session: (await rotatingSession(c, c.w.a)).session_id }),
    params: (c) => ({ session_id: c.extra.session! }),
  },

  // The scan needs no login; a token binds the ticket. Each caller scans a session of its own org
  // (another org's session is the same 422 as a wrong code: test/modules/attendance/codes.test.ts).
  'POST /attendance/scan': {
    expect: e(ok, ok, ok, ok, ok, ok),
    setup: async (c) => {
      const s = await rotatingSession(c, c.caller === 'other_org_admin' ? c.w.b : c.w.a);
      return { session: s.session_id, code: currentCode(s, Date.now())!.code };
    },
    body: (c) => ({ session_id: c.extra.session!, code: c.extra.code! }),
  },
  // The review queue and decision: the session's teachers and admins.
  'GET /attendance/review': {
    expect: e(401, 403, ok, ok, ok, 404),
    query: (c) => ({ session_id: c.w.a.session_id }),
  },
  'POST /attendance/records/{record_id}/review': {
    expect: e(401, 403, ok, ok, ok, 404),
    setup: async (c) => {
      await c.t.db
        .updateTable('attendance_records')
        .set({ flags: 'no_accuracy', review_state: 'pending' })
        .where('record_id', '=', c.w.a.record_id)
        .execute();
      return {};
    },
    params: recordA,
    body: () => ({ decision: 'accept' }),
  },

  // Attendance. Only students are expected attendees (README), so staff checking in are refused (403);
  // a session of another org is not found (404) before that.
  'POST /attendance/check-in': {
    expect: e(401, ok, 403, 403, 403, 404),
    setup: freshOpenSession,
    body: checkInBody,
    watch: recordsOfFreshSession,
  },
  // Only the record's owner; anyone else's record answers 404 (README).
  'POST /attendance/check-out': {
    expect: e(401, ok, 404, 404, 404, 404),
    body: (c) => ({ record_id: c.w.a.record_id, lat: CENTRE.lat, lon: CENTRE.lon }),
    watch: (c) => [{ table: 'attendance_records', column: 'record_id', id: c.w.a.record_id }],
  },
  'POST /attendance/force-check-in': {
    expect: e(401, 403, ok, ok, ok, 404),
    body: (c) => ({ session_id: c.w.a.session_id, user_id: c.w.a.student.user_id, status: 'excused' }),
    watch: (c) => [
      { table: 'attendance_records', column: 'session_id', id: c.w.a.session_id },
      { table: 'attendance_record_changes', column: 'org_id', id: c.w.a.org_id },
    ],
  },
  'PUT /attendance/records/{record_id}': {
    expect: e(401, 403, ok, ok, ok, 404),
    params: recordA,
    body: () => ({ status: 'excused', notes: 'changed by the authz matrix' }),
  },
  // Staff, and the record's owner (a student sees their own history).
  'GET /attendance/records/{record_id}/history': { expect: e(401, ok, ok, ok, ok, 404), params: recordA },
  'GET /attendance/my-history': { expect: e(401, ok, ok, ok, ok, ok) },
  'GET /attendance/user/{user_id}/history': { expect: e(401, ok, ok, ok, ok, 404), params: studentA },
  'GET /attendance/active-sessions': { expect: e(401, ok, ok, ok, ok, ok) },
  'GET /attendance/session/{session_id}/attendance': {
    expect: e(401, 403, ok, ok, ok, 404),
    params: sessionA,
  },
  'GET /attendance/session/{session_id}/report': { expect: e(401, 403, ok, ok, ok, 404), params: sessionA },
  // The live feed and its ticket: the session's teachers and admins (API.md Part 2 "Who runs a session").
  'GET /attendance/session/{session_id}/live': {
    expect: e(401, 403, ok, ok, ok, 404),
    params: sessionA,
    stream: true,
  },
  'POST /auth/stream-ticket': {
    expect: e(401, 403, ok, ok, ok, 404),
    body: (c) => ({ session_id: c.w.a.session_id }),
  },

  // The seed's legacy paths behave like their /attendance twins.
  'POST /check-in': {
    expect: e(401, ok, 403, 403, 403, 404),
    setup: freshOpenSession,
    body: checkInBody,
    watch: recordsOfFreshSession,
  },
  'GET /session/{session_id}/attendance': { expect: e(401, 403, ok, ok, ok, 404), params: sessionA },

  // Reports: teachers and admins of the organization; super_admin names it with org_id.
  'GET /reports/session/{id}/detailed': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    params: (c) => ({ id: c.w.a.session_id }),
    query: orgQuery,
    watch: (c) => [
      { table: 'attendance_sessions', column: 'session_id', id: c.w.a.session_id },
      { table: 'attendance_records', column: 'session_id', id: c.w.a.session_id },
    ],
  },
  'GET /reports/organization/summary': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    query: orgQuery,
  },
  'GET /reports/user/{id}/detailed': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    params: (c) => ({ id: c.w.a.student.user_id }),
    query: orgQuery,
    watch: (c) => [
      { table: 'users', column: 'user_id', id: c.w.a.student.user_id },
      { table: 'attendance_records', column: 'user_id', id: c.w.a.student.user_id },
    ],
  },
  'GET /reports/attendance/trends': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    query: (c) => ({ org_id: c.orgId, interval: 'week' }),
  },
  'GET /reports/export/csv': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    query: orgQuery,
  },
  'GET /reports/export/xlsx': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    query: orgQuery,
  },

  // The audit log: admins read their organization's, super_admin every organization's (or one).
  'GET /admin/audit': { expect: e(401, 403, 403, ok, ok, 404), orgScoped: true, query: orgQuery },
  'GET /admin/audit/export.csv': { expect: e(401, 403, 403, ok, ok, 404), orgScoped: true, query: orgQuery },

  // Webhooks: admins of the organization; super_admin names it with org_id.
  'GET /admin/webhooks': { expect: e(401, 403, 403, ok, ok, 404), orgScoped: true, query: orgQuery },
  'POST /admin/webhooks': {
    expect: e(401, 403, 403, ok, ok, 404),
    orgScoped: true,
    body: (c) => ({ url: 'https://example.com/matrix', events: ['user.created'], org_id: c.orgId }),
  },
  'GET /admin/webhooks/{webhook_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: (c) => webhookOfA(c),
    params: webhookA,
  },
  'PUT /admin/webhooks/{webhook_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: (c) => webhookOfA(c),
    params: webhookA,
    body: () => ({ is_active: false }),
  },
  'DELETE /admin/webhooks/{webhook_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: (c) => webhookOfA(c),
    params: webhookA,
  },
  'POST /admin/webhooks/{webhook_id}/rotate-secret': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: (c) => webhookOfA(c),
    params: webhookA,
  },
  'GET /admin/webhooks/{webhook_id}/deliveries': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: (c) => webhookOfA(c, true),
    params: webhookA,
  },
  'POST /admin/webhooks/{webhook_id}/deliveries/{delivery_id}/retry': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: (c) => webhookOfA(c, true),
    params: (c) => ({ webhook_id: c.extra.webhook!, delivery_id: c.extra.delivery! }),
  },

  // Warning rules and the warnings sent: admins of the organization.
  'GET /admin/warning-rules': { expect: e(401, 403, 403, ok, ok, 404), orgScoped: true, query: orgQuery },
  'POST /admin/warning-rules': {
    expect: e(401, 403, 403, ok, ok, 404),
    orgScoped: true,
    body: (c) => ({ name: 'Under 70%', kind: 'rate_below', threshold: 0.7, org_id: c.orgId }),
  },
  'GET /admin/warning-rules/{rule_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: ruleOfA,
    params: ruleA,
  },
  'PUT /admin/warning-rules/{rule_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: ruleOfA,
    params: ruleA,
    body: () => ({ threshold: 0.6 }),
  },
  'DELETE /admin/warning-rules/{rule_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: ruleOfA,
    params: ruleA,
  },
  'GET /admin/warnings': { expect: e(401, 403, 403, ok, ok, 404), orgScoped: true, query: orgQuery },

  // Session series: staff create and read; the series' teachers and the org's admins change and cancel it.
  'POST /admin/session-series': {
    expect: e(401, 403, ok, ok, ok, 404),
    orgScoped: true,
    body: (c) => seriesBody(c.orgId),
  },
  'GET /admin/session-series': { expect: e(401, 403, ok, ok, ok, 404), orgScoped: true, query: orgQuery },
  'GET /admin/session-series/{series_id}': {
    expect: e(401, 403, ok, ok, ok, 404),
    setup: seriesOfA,
    params: seriesA,
  },
  'PUT /admin/session-series/{series_id}': {
    expect: e(401, 403, ok, ok, ok, 404),
    setup: seriesOfA,
    params: seriesA,
    body: () => ({ session_name: 'Renamed series', late_after_minutes: 7 }),
  },
  'DELETE /admin/session-series/{series_id}': {
    expect: e(401, 403, ok, ok, ok, 404),
    setup: seriesOfA,
    params: seriesA,
  },

  // Calendar feed: every signed-in user has their own token; the feed's token is the credential
  // (calendar apps send no Authorization header), so any caller holding one gets that user's feed.
  // Each caller uses their own token (anonymous: org A's student's); another org's admin sees only
  // their own sessions, which the runner checks by looking for org A's ids in the answer.
  'POST /auth/calendar-token': { expect: e(401, ok, ok, ok, ok, ok) },
  'DELETE /auth/calendar-token': { expect: e(401, ok, ok, ok, ok, ok) },
  'GET /calendar/{token}.ics': {
    expect: e(ok, ok, ok, ok, ok, ok),
    setup: async (c) => {
      const headers = c.login?.headers ?? (await c.t.login(c.w.a.student)).headers;
      const res = await c.t.app.inject({ method: 'POST', url: '/auth/calendar-token', headers });
      return { token: res.json().data.token };
    },
    params: (c) => ({ token: c.extra.token! }),
  },

  // Background jobs: admins of the organization (a finished job of org A, made by its admin).
  'GET /admin/jobs/{job_id}': {
    expect: e(401, 403, 403, ok, ok, 404),
    setup: async (c) => {
      const job = newId();
      const t0 = Date.now();
      await c.t.db
        .insertInto('jobs')
        .values({
          job_id: job,
          org_id: c.w.a.org_id,
          created_by: c.w.a.admin.user_id,
          kind: 'users.bulk_import',
          state: 'done',
          progress_done: 1,
          progress_total: 1,
          result: '{"created":1,"failed":0,"results":[]}',
          result_read_at: null,
          error: null,
          created_at: t0,
          updated_at: t0,
          finished_at: t0,
        })
        .execute();
      return { job };
    },
    params: (c) => ({ job_id: c.extra.job! }),
  },

  // Admin dashboard: teachers and admins of the org (API.md "Clients written for the original"), super_admin.
  'GET /admin/dashboard/stats': { expect: e(401, 403, ok, ok, ok, 404), orgScoped: true, query: orgQuery },
  // Maintenance: admins (their org) and super_admin.
  'POST /admin/maintenance/cleanup-sessions': {
    expect: e(401, 403, 403, ok, ok, ok),
    body: () => ({ older_than_days: 30 }),
  },
};
