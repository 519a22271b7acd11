/**
 * Calendar feed (API.md Part 2): tokens stored as digests, a new token revoking the old, the .ics
 * parsed by a real iCalendar parser (ical.js) and matched against the sessions, RFC 5545 framing
 * (CRLF, 75-octet folding, escaping), who sees what, and the token kept out of the request log.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { insertGroup, insertSession } from '../attendance/fixtures.js';

const PUBLIC_URL = 'https://attendance.example.edu';
let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
const logLines: string[] = [];
beforeAll(async () => {
  t = await createTestApp(
    { PUBLIC_URL, LOG_LEVEL: 'info' },
    { logStream: { write: (line: string) => void logLines.push(line) } },
  );
  w = await t.world();
});
afterAll(async () => t?.close());

const createToken = async (headers: Record<string, string>) => {
  const res = await t.app.inject({ method: 'POST', url: '/auth/calendar-token', headers });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { token: string; url: string };
};
const feedPath = (url: string) => new URL(url).pathname;
const fetchFeed = (url: string) => t.app.inject({ method: 'GET', url: feedPath(url) });

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string | null;
  start: number;
  end: number;
  status: string;
}
function parse(text: string): ParsedEvent[] {
  const cal = new ICAL.Component(ICAL.parse(text));
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description ?? null,
      start: e.startDate.toJSDate().getTime(),
      end: e.endDate.toJSDate().getTime(),
      status: String(v.getFirstPropertyValue('status')),
    };
  });
}

describe('calendar token', () => {
  it('POST returns a token and a PUBLIC_URL link; only a digest is stored; a new one revokes the old', async () => {
    const first = await createToken(w.auth.student);
    expect(first.token).toMatch(/^cal_[A-Za-z0-9_-]{43}$/);
    expect(first.url).toBe(`${PUBLIC_URL}/calendar/${first.token}.ics`);
    const stored = await t.db
      .selectFrom('calendar_tokens')
      .selectAll()
      .where('user_id', '=', w.users.student.user_id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(first.token.slice(4));
    expect((await fetchFeed(first.url)).statusCode).toBe(200);

    const second = await createToken(w.auth.student);
    expect(second.token).not.toBe(first.token);
    const old = await fetchFeed(first.url);
    expect(old.statusCode).toBe(404);
    expect(old.json()).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect((await fetchFeed(second.url)).statusCode).toBe(200);

    const del = await t.app.inject({
      method: 'DELETE',
      url: '/auth/calendar-token',
      headers: w.auth.student,
    });
    expect(del.statusCode).toBe(200);
    expect(del.json().data).toEqual({ revoked: true });
    expect((await fetchFeed(second.url)).statusCode).toBe(404);
    const again = await t.app.inject({
      method: 'DELETE',
      url: '/auth/calendar-token',
      headers: w.auth.student,
    });
    expect(again.json().data).toEqual({ revoked: false });
  });

  it('tokens created at once: every request answers, one token stays and works', async () => {
    const user = await t.factory.user('teacher', w.org.org_id);
    const headers = (await t.login(user)).headers;
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.app.inject({ method: 'POST', url: '/auth/calendar-token', headers }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 201]);
      const rows = await t.db
        .selectFrom('calendar_tokens')
        .select('user_id')
        .where('user_id', '=', user.user_id)
        .execute();
      expect(rows).toHaveLength(1);
      const working = [];
      for (const r of results) if ((await fetchFeed(r.json().data.url)).statusCode === 200) working.push(r);
      expect(working).toHaveLength(1);
    }
  });

  it('needs a login; unknown and malformed tokens are 404', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/auth/calendar-token' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/auth/calendar-token' })).statusCode).toBe(401);
    for (const token of [`cal_${'A'.repeat(43)}`, 'nope', `cal_${'A'.repeat(42)}!`]) {
      const res = await t.app.inject({ method: 'GET', url: `/calendar/${encodeURIComponent(token)}.ics` });
      expect(res.statusCode, token).toBe(404);
      expect(res.json().success).toBe(false);
    }
  });

  it('a deactivated user’s feed is 404', async () => {
    const student = await t.factory.user('student', w.org.org_id);
    const { url } = await createToken((await t.login(student)).headers);
    expect((await fetchFeed(url)).statusCode).toBe(200);
    await t.db.updateTable('users').set({ is_active: 0 }).where('user_id', '=', student.user_id).execute();
    expect((await fetchFeed(url)).statusCode).toBe(404);
  });
});

describe('GET /calendar/{token}.ics', () => {
  const H = 3_600_000;
  // 09:00Z a week from today: inside the feed's window (180 days back onwards).
  const base = Math.floor(Date.now() / 86_400_000 + 7) * 86_400_000 + 9 * 3_600_000;
  let org: { org_id: string };
  let student: { user_id: string; email: string };
  let teacher: { user_id: string; email: string };
  let expected: Record<
    string,
    { name: string; start: number; end: number; status: string; description: string | null }
  >;
  let notExpected: string[];
  beforeAll(async () => {
    org = await t.factory.org({ timezone: 'America/New_York' });
    student = await t.factory.user('student', org.org_id);
    teacher = await t.factory.user('teacher', org.org_id);
    const otherTeacher = await t.factory.user('teacher', org.org_id);
    const mine = await insertGroup(t, org.org_id, [student.user_id]);
    const notMine = await insertGroup(t, org.org_id, []);
    const longText = `Bring: calculator, ruler; notes\\old. Line two\n${'Ünïcödé ✓ 漢字 '.repeat(12)}`;
    const open = await insertSession(t, org.org_id, teacher.user_id, {
      session_name: 'Open lecture, all students; welcome',
      description: longText,
      start_time: base,
      end_time: base + H,
    });
    const group = await insertSession(t, org.org_id, teacher.user_id, {
      session_name: 'Group seminar',
      group_id: mine,
      start_time: base + 24 * H,
      end_time: base + 26 * H,
    });
    const cancelled = await insertSession(t, org.org_id, teacher.user_id, {
      session_name: 'Cancelled lab',
      group_id: mine,
      start_time: base + 48 * H,
      end_time: base + 49 * H,
      is_active: 0,
    });
    const other = await insertSession(t, org.org_id, otherTeacher.user_id, {
      session_name: 'Other group',
      group_id: notMine,
      start_time: base + 72 * H,
      end_time: base + 73 * H,
    });
    const foreignOrg = await t.factory.org();
    const foreign = await insertSession(t, foreignOrg.org_id, null, { start_time: base, end_time: base + H });
    const row = (s: typeof open, status = 'CONFIRMED') => ({
      name: s.session_name,
      start: s.start_time,
      end: s.end_time,
      status,
      description: s.description,
    });
    expected = {
      [open.session_id]: row(open),
      [group.session_id]: row(group),
      [cancelled.session_id]: row(cancelled, 'CANCELLED'),
    };
    notExpected = [other.session_id, foreign.session_id];
  });

  it('a student’s feed: their expected sessions, cancelled ones as STATUS:CANCELLED, parsed by ical.js', async () => {
    const { url } = await createToken((await t.login(student)).headers);
    const res = await fetchFeed(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = parse(res.body);
    const host = new URL(PUBLIC_URL).host;
    expect(events.map((e) => e.uid).sort()).toEqual(
      Object.keys(expected)
        .map((id) => `${id}@${host}`)
        .sort(),
    );
    for (const e of events) {
      const want = expected[e.uid.split('@')[0]!]!;
      expect(e).toMatchObject({ summary: want.name, start: want.start, end: want.end, status: want.status });
      if (want.description) expect(e.description).toBe(want.description);
    }
    for (const id of notExpected) expect(res.body).not.toContain(id);
    // Stable UIDs: the same text on the next read.
    expect((await fetchFeed(url)).body).toBe(res.body);
  });

  it('is RFC 5545 text: CRLF line ends only, lines of at most 75 octets, escaped TEXT, UTC times, DTSTAMP', async () => {
    const { url } = await createToken((await t.login(student)).headers);
    const body = (await fetchFeed(url)).body;
    expect(body.endsWith('\r\n')).toBe(true);
    expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = body.split('\r\n').slice(0, -1);
    for (const line of lines) expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true); // the long description is folded
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(body).toContain('SUMMARY:Open lecture\\, all students\\; welcome');
    const day = new Date(base).toISOString().slice(0, 10).replace(/-/g, '');
    expect(body).toContain(`DTSTART:${day}T090000Z\r\n`);
    expect(body.match(/DTSTAMP:\d{8}T\d{6}Z/g)).toHaveLength(3);
    expect(body).toContain('STATUS:CANCELLED');
  });

  it('a teacher’s feed: the sessions they teach', async () => {
    const { url } = await createToken((await t.login(teacher)).headers);
    const events = parse((await fetchFeed(url)).body);
    expect(events.map((e) => e.uid.split('@')[0]).sort()).toEqual(Object.keys(expected).sort());
  });

  it('a series shows up with the series’ wall-clock times', async () => {
    const admin = (await t.login(await t.factory.user('admin', org.org_id))).headers;
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/session-series',
      headers: admin,
      payload: {
        session_name: 'Weekly',
        weekdays: [7],
        start_date: '2026-10-25',
        end_date: '2026-11-08',
        start_local: '09:00',
        end_local: '10:00',
        teacher_ids: [teacher.user_id],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { url } = await createToken((await t.login(teacher)).headers);
    const weekly = parse((await fetchFeed(url)).body).filter((e) => e.summary === 'Weekly');
    expect(weekly.map((e) => new Date(e.start).toISOString())).toEqual([
      '2026-10-25T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
      '2026-11-08T14:00:00.000Z',
    ]);
  });

  it('the token never reaches the request log', async () => {
    const { token, url } = await createToken((await t.login(student)).headers);
    logLines.length = 0;
    await fetchFeed(url);
    await t.app.inject({ method: 'GET', url: `/calendar/${token}x.ics` });
    // The router matches percent-encoded letters too: the log must not print the token then either.
    expect((await t.app.inject({ method: 'GET', url: `/%63alendar/${token}.ics` })).statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: `//Calendar/${token}.ics` });
    const log = logLines.join('');
    expect(log).toContain('/calendar/[redacted]');
    expect(log).not.toContain(token.slice(4, 20));
  });
});
