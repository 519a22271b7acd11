/**
 * Free text (descriptions, notes, addresses, search terms, device info…) refuses NUL and the other
 * control characters except tab and line breaks: a 400 in the envelope naming the field, on every
 * engine. PostgreSQL cannot store or even compare a string holding \u0000; before, such a field reached
 * the driver and answered 500 there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';
import { insertGroup, insertSession } from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
let superAuth: Record<string, string>;
let ids: { group: string; session: string; record: string; webhook: string };

beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
  superAuth = (await t.login(await t.factory.user('super_admin', null))).headers;
  const group = await insertGroup(t, w.org.org_id, [w.users.student.user_id]);
  const session = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
  const forced = await t.app.inject({
    method: 'POST',
    url: '/attendance/force-check-in',
    headers: w.auth.teacher,
    payload: { session_id: session.session_id, user_id: w.users.student.user_id },
  });
  const record = forced.json().data.record_id as string;
  await t.db
    .updateTable('attendance_records')
    .set({ flags: 'low_accuracy', review_state: 'pending' })
    .where('record_id', '=', record)
    .execute();
  const hook = await t.factory.webhook(w.org.org_id, ['user.created']);
  ids = { group, session: session.session_id, record, webhook: hook.webhook_id };
});
afterAll(async () => t.close());

type Case = {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  auth?: () => Record<string, string>;
  payload?: (bad: string) => Record<string, unknown>;
  field: string;
};
const admin = () => w.auth.admin;
const teacher = () => w.auth.teacher;
const cases = (bad: string): Case[] => [
  {
    method: 'POST',
    url: '/admin/groups',
    auth: admin,
    payload: (d) => ({ name: 'G', description: d }),
    field: 'description',
  },
  {
    method: 'PUT',
    url: `/admin/groups/${ids.group}`,
    auth: admin,
    payload: (d) => ({ description: d }),
    field: 'description',
  },
  {
    method: 'POST',
    url: '/admin/organizations',
    auth: () => superAuth,
    payload: (d) => ({ name: 'O', address: d }),
    field: 'address',
  },
  {
    method: 'PUT',
    url: `/admin/organizations/${w.org.org_id}`,
    auth: () => superAuth,
    payload: (d) => ({ description: d }),
    field: 'description',
  },
  {
    method: 'PUT',
    url: `/admin/organizations/${w.org.org_id}`,
    auth: () => superAuth,
    payload: (d) => ({ contact_phone: d }),
    field: 'contact_phone',
  },
  {
    method: 'POST',
    url: '/admin/sessions',
    auth: teacher,
    payload: (d) => ({
      session_name: 'S',
      description: d,
      start_time: '2026-12-01T09:00:00Z',
      end_time: '2026-12-01T10:00:00Z',
    }),
    field: 'description',
  },
  {
    method: 'PUT',
    url: `/admin/sessions/${ids.session}`,
    auth: teacher,
    payload: (d) => ({ code: d }),
    field: 'code',
  },
  {
    method: 'POST',
    url: '/admin/session-series',
    auth: admin,
    payload: (d) => ({
      session_name: 'Algebra',
      description: d,
      weekdays: [1],
      start_local: '09:00',
      end_local: '10:00',
      start_date: '2026-12-01',
      end_date: '2026-12-31',
    }),
    field: 'description',
  },
  {
    method: 'POST',
    url: '/admin/webhooks',
    auth: admin,
    payload: (d) => ({ url: 'https://example.com/x', events: ['user.created'], description: d }),
    field: 'description',
  },
  {
    method: 'PUT',
    url: `/admin/webhooks/${ids.webhook}`,
    auth: admin,
    payload: (d) => ({ description: d }),
    field: 'description',
  },
  {
    method: 'POST',
    url: '/attendance/force-check-in',
    auth: teacher,
    payload: (d) => ({ session_id: ids.session, user_id: w.users.student.user_id, notes: d }),
    field: 'notes',
  },
  {
    method: 'PUT',
    url: `/attendance/records/${ids.record}`,
    auth: teacher,
    payload: (d) => ({ notes: d }),
    field: 'notes',
  },
  {
    method: 'POST',
    url: `/attendance/records/${ids.record}/review`,
    auth: teacher,
    payload: (d) => ({ decision: 'accept', notes: d }),
    field: 'notes',
  },
  {
    method: 'POST',
    url: '/auth/login',
    payload: (d) => ({ email: w.users.student.email, password: PASSWORD, device_info: d }),
    field: 'device_info',
  },
  {
    method: 'POST',
    url: '/auth/login',
    payload: (d) => ({ email: `a${d}@example.test`, password: PASSWORD }),
    field: 'email',
  },
  { method: 'POST', url: '/auth/refresh', payload: (d) => ({ refresh_token: d }), field: 'refresh_token' },
  {
    method: 'POST',
    url: '/attendance/check-in',
    auth: () => w.auth.student,
    payload: (d) => ({ session_id: ids.session, code: d }),
    field: 'code',
  },
  { method: 'GET', url: `/admin/users?q=${encodeURIComponent(bad)}`, auth: admin, field: 'q' },
  { method: 'GET', url: `/admin/groups?q=${encodeURIComponent(bad)}`, auth: admin, field: 'q' },
  {
    method: 'GET',
    url: `/admin/organizations?q=${encodeURIComponent(bad)}`,
    auth: () => superAuth,
    field: 'q',
  },
  {
    method: 'GET',
    url: `/admin/audit?action=${encodeURIComponent(`user${bad}`)}`,
    auth: admin,
    field: 'action',
  },
  {
    method: 'GET',
    url: `/admin/audit?target_type=${encodeURIComponent(`user${bad}`)}`,
    auth: admin,
    field: 'target_type',
  },
];

describe.each([
  ['NUL', 'a\u0000b'],
  ['a control character', 'a\u0007b'],
])('free text with %s', (_label, bad) => {
  it('is refused with a 400 naming the field, on every route', async () => {
    const failures: string[] = [];
    for (const c of cases(bad)) {
      const res = await t.app.inject({
        method: c.method,
        url: c.url,
        headers: c.auth?.(),
        ...(c.payload ? { payload: c.payload(bad) } : {}),
      });
      const what = `${c.method} ${c.url} ${c.field}`;
      if (res.statusCode !== 400) failures.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      else if (!res.json().errors?.some((e: { field: string }) => e.field === c.field))
        failures.push(`${what}: ${res.body.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });
});

it('tabs and line breaks stay allowed in free text', async () => {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/admin/groups/${ids.group}`,
    headers: w.auth.admin,
    payload: { description: 'line 1\r\n\tline 2\n' },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().data.description).toBe('line 1\r\n\tline 2');
});
