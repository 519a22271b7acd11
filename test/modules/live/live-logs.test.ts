/**
 * Tickets (in the live feed's query string) and calendar tokens (in /calendar/{token}.ics paths)
 * never reach the log; metrics label the live route by its template and count open streams.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { openSse } from '../../helpers/sse.js';
import { insertSession } from '../attendance/fixtures.js';

const lines: string[] = [];
let t: TestContext;
let base: string;
const METRICS = 'metrics-token-for-the-live-test';

beforeAll(async () => {
  t = await createTestApp(
    { LOG_LEVEL: 'info', METRICS_TOKEN: METRICS },
    { logStream: { write: (l: string) => void lines.push(l) } },
  );
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => t.close());

const metrics = async () =>
  (await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } }))
    .body;

it('logs neither the ticket nor a calendar token; metrics use the route template and count open streams', async () => {
  const w = await t.world();
  const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
  const { ticket } = (
    await t.app.inject({
      method: 'POST',
      url: '/auth/stream-ticket',
      headers: w.auth.teacher,
      payload: { session_id: s.session_id },
    })
  ).json().data;
  const f = await openSse(
    `${base}/attendance/session/${s.session_id}/live?ticket=${encodeURIComponent(ticket)}`,
  );
  expect(f.status).toBe(200);
  await f.next();
  expect(await metrics()).toMatch(/attendance_open_streams\{kind="live"\} 1/);
  const refused = await openSse(
    `${base}/attendance/session/${s.session_id}/live?ticket=${encodeURIComponent(`${ticket}x`)}`,
  );
  expect(refused.status).toBe(401);
  const calendarToken = 'cal-token-that-must-not-be-logged-0123456789';
  await t.app.inject({ method: 'GET', url: `/calendar/${calendarToken}.ics` });
  f.close();
  for (let i = 0; i < 100 && t.app.liveHub.streams.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(await metrics()).toMatch(/attendance_open_streams\{kind="live"\} 0/);

  const log = lines.join('\n');
  expect(log).toContain(`/attendance/session/${s.session_id}/live`);
  expect(log).toContain('/calendar/[redacted]');
  for (const secret of [ticket, ticket.split('.')[2], calendarToken]) expect(log).not.toContain(secret);
  const m = await metrics();
  expect(m).toContain('route="/attendance/session/:session_id/live"');
  expect(m).not.toContain(s.session_id);
});
