/**
 * GET /attendance/active-sessions with SQLite's per-process cache of each organization's open
 * sessions (src/modules/attendance/open-sessions-cache.ts): every change that can change what a
 * caller sees — a session created, updated, closed or cancelled (through the API, a series, or
 * another connection: another worker or server), a group membership added or removed, the
 * caller's own check-in, and time passing — shows on the very next read. Runs on every engine
 * (PostgreSQL and MariaDB keep the query: the same answers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/db/connection.js';
import { openSessionsRepository } from '../../../src/modules/attendance/open-sessions.repository.js';
import { createOpenSessionsCache, HORIZON_MS } from '../../../src/modules/attendance/open-sessions-cache.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { sessionRow } from '../../helpers/rows.js';
import { bulkStudents, CENTRE, insertGroup, insertSession, MIN } from './fixtures.js';

const serverEngine = /^(postgres|mysql|mariadb)/.test(process.env.TEST_DATABASE_URL ?? '');
const dir = mkdtempSync(join(tmpdir(), 'open-sessions-cache-'));
let t: TestContext;
/** Another connection to the same database: what another worker or server process would write through. */
let other: Awaited<ReturnType<typeof openDatabase>>;

beforeAll(async () => {
  // A file, not memory: a second connection must see the same database.
  t = await createTestApp(serverEngine ? {} : { DATABASE_URL: `sqlite:///${join(dir, 'open.db')}` });
  other = await openDatabase(t.config.databaseUrl);
});
afterAll(async () => {
  await other.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Item = { session_id: string; session_name: string; checked_in: boolean; status: string | null };
const list = async (headers: Record<string, string>, query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/attendance/active-sessions${query}`, headers });
  expect(res.statusCode).toBe(200);
  return res.json() as { data: Item[]; pagination: { total: number } };
};
const names = async (headers: Record<string, string>) =>
  (await list(headers)).data.map((x) => x.session_name);
const iso = (ms: number) => new Date(ms).toISOString();
const api = (
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: object,
) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

describe('active sessions: changes show on the next read', () => {
  it(serverEngine ? 'is answered by the query' : 'is answered from the cache (SQLite)', async () => {
    const w = await t.world();
    await insertSession(t, w.org.org_id, w.users.teacher.user_id, { session_name: 'open' });
    expect(await names(w.auth.student)).toEqual(['open']);
    const spy = vi.spyOn(openSessionsRepository, 'list');
    try {
      for (let i = 0; i < 3; i++) expect(await names(w.auth.student)).toEqual(['open']);
      expect(spy).toHaveBeenCalledTimes(serverEngine ? 3 : 0);
    } finally {
      spy.mockRestore();
    }
  });

  it('a session created, renamed, moved out of its window, closed or cancelled through the API', async () => {
    const w = await t.world();
    const now = Date.now();
    expect(await names(w.auth.student)).toEqual([]);
    const body = (name: string) => ({
      session_name: name,
      start_time: iso(now - 5 * MIN),
      end_time: iso(now + 60 * MIN),
      location_lat: CENTRE.lat,
      location_lon: CENTRE.lon,
      location_radius: 100,
    });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const res = await api('POST', '/admin/sessions', w.auth.admin, body(name));
      expect(res.statusCode).toBe(201);
      ids.push(res.json().data.session_id);
      expect((await names(w.auth.student)).at(-1)).toBe(name);
    }
    expect(await names(w.auth.student)).toEqual(['a', 'b', 'c']);

    expect(
      (await api('PUT', `/admin/sessions/${ids[0]}`, w.auth.admin, { session_name: 'a2' })).statusCode,
    ).toBe(200);
    expect(await names(w.auth.student)).toEqual(['a2', 'b', 'c']);
    const later = { start_time: iso(now + 120 * MIN), end_time: iso(now + 180 * MIN) };
    expect((await api('PUT', `/admin/sessions/${ids[0]}`, w.auth.admin, later)).statusCode).toBe(200);
    expect(await names(w.auth.student)).toEqual(['b', 'c']);

    expect((await api('POST', `/admin/sessions/${ids[1]}/close`, w.auth.admin)).statusCode).toBe(200);
    expect(await names(w.auth.student)).toEqual(['c']);
    expect((await api('DELETE', `/admin/sessions/${ids[2]}`, w.auth.admin)).statusCode).toBe(200);
    expect(await names(w.auth.student)).toEqual([]);
  });

  it('a group membership added or removed: the student sees the group’s session, then no longer', async () => {
    const w = await t.world();
    const groupId = await insertGroup(t, w.org.org_id, []);
    await insertSession(t, w.org.org_id, w.users.teacher.user_id, {
      session_name: 'group',
      group_id: groupId,
    });
    await insertSession(t, w.org.org_id, w.users.teacher.user_id, { session_name: 'everyone' });
    expect(await names(w.auth.student)).toEqual(['everyone']);
    expect(await names(w.auth.teacher)).toEqual(['group', 'everyone']);
    const add = await api('POST', `/admin/groups/${groupId}/members`, w.auth.admin, {
      user_ids: [w.users.student.user_id],
    });
    expect(add.statusCode).toBeLessThan(300);
    expect(await names(w.auth.student)).toEqual(['group', 'everyone']);
    const remove = await api(
      'DELETE',
      `/admin/groups/${groupId}/members/${w.users.student.user_id}`,
      w.auth.admin,
    );
    expect(remove.statusCode).toBeLessThan(300);
    expect(await names(w.auth.student)).toEqual(['everyone']);
  });

  it('the caller’s own check-in', async () => {
    const w = await t.world();
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { session_name: 'open' });
    expect((await list(w.auth.student)).data[0]).toMatchObject({ checked_in: false, status: null });
    const res = await api('POST', '/attendance/check-in', w.auth.student, {
      session_id: s.session_id,
      ...CENTRE,
    });
    expect(res.statusCode).toBe(201);
    expect((await list(w.auth.student)).data[0]).toMatchObject({ checked_in: true, status: 'present' });
  });

  it('another connection’s writes: a session created, renamed, closed; a membership added and removed', async () => {
    const w = await t.world();
    const groupId = await insertGroup(t, w.org.org_id, []);
    expect(await names(w.auth.student)).toEqual([]);
    const now = Date.now();
    const row = sessionRow(w.org.org_id, {
      session_name: 'elsewhere',
      start_time: now - 5 * MIN,
      end_time: now + 60 * MIN,
    });
    await other.db.insertInto('attendance_sessions').values(row).execute();
    expect(await names(w.auth.student)).toEqual(['elsewhere']);
    await other.db
      .updateTable('attendance_sessions')
      .set({ session_name: 'renamed elsewhere', group_id: groupId })
      .where('session_id', '=', row.session_id)
      .execute();
    expect(await names(w.auth.student)).toEqual([]);
    expect(await names(w.auth.teacher)).toEqual(['renamed elsewhere']);
    await other.db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: w.users.student.user_id, org_id: w.org.org_id, added_at: now })
      .execute();
    expect(await names(w.auth.student)).toEqual(['renamed elsewhere']);
    await other.db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
    expect(await names(w.auth.student)).toEqual([]);
    await other.db
      .updateTable('attendance_sessions')
      .set({ closed_at: Date.now() })
      .where('session_id', '=', row.session_id)
      .execute();
    expect(await names(w.auth.teacher)).toEqual([]);
  });

  it('a series: its sessions in the window show once created, and go when the series is cancelled', async () => {
    const w = await t.world();
    // A zone where it is about noon now, so that "in 10 minutes" is today there.
    const utcHour = new Date().getUTCHours();
    const timezone = utcHour >= 12 ? `Etc/GMT+${utcHour - 12}` : `Etc/GMT-${12 - utcHour}`;
    const local = (ms: number) => {
      const p = new Intl.DateTimeFormat('en-CA', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        weekday: 'short',
      }).formatToParts(new Date(ms));
      const v = (k: string) => p.find((x) => x.type === k)!.value;
      const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(v('weekday')) + 1;
      return { date: `${v('year')}-${v('month')}-${v('day')}`, time: `${v('hour')}:${v('minute')}`, weekday };
    };
    const start = local(Date.now() + 10 * MIN);
    const end = local(Date.now() + 70 * MIN);
    const res = await api('POST', '/admin/session-series', w.auth.admin, {
      session_name: 'Series',
      timezone,
      weekdays: [start.weekday],
      start_date: start.date,
      end_date: start.date,
      start_local: start.time,
      end_local: end.time,
      checkin_opens_minutes: 15,
      location_lat: CENTRE.lat,
      location_lon: CENTRE.lon,
      location_radius: 100,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await names(w.auth.student)).toEqual(['Series']);
    const seriesId = res.json().data.series_id;
    const renamed = await api('PUT', `/admin/session-series/${seriesId}`, w.auth.admin, {
      session_name: 'Series 2',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await names(w.auth.student)).toEqual(['Series 2']);
    const cancelled = await api('DELETE', `/admin/session-series/${seriesId}`, w.auth.admin);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await names(w.auth.student)).toEqual([]);
  });

  it('a session with every field set reads the same as through the response schema (super_admin: no cache)', async () => {
    const w = await t.world();
    const groupId = await insertGroup(t, w.org.org_id, [w.users.student.user_id]);
    const created = await api('POST', '/admin/sessions', w.auth.admin, {
      group_id: groupId,
      session_name: 'Every "field" \u00e9\u2028 \\ </script>',
      description: 'Line 1\nLine 2 \u{1F600}',
      start_time: iso(Date.now() - 5 * MIN),
      end_time: iso(Date.now() + 60 * MIN),
      geofence: {
        type: 'Polygon',
        coordinates: [
          [
            [-74.01, 40.71],
            [-74.0, 40.71],
            [-74.0, 40.72],
            [-74.01, 40.71],
          ],
        ],
      },
      late_after_minutes: 7,
      checkin_opens_minutes: 20,
      code_mode: 'static',
      code: 'SECRET1',
      boundary_policy: 'reject',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().data.session_id;
    const superAdmin = (await t.login(await t.factory.user('super_admin', null))).headers;
    const viaSchema = async () => {
      for (let page = 1; ; page++) {
        const body = await list(superAdmin, `?per_page=100&page=${page}`);
        const hit = body.data.find((x) => x.session_id === id);
        if (hit || body.data.length === 0) return hit;
      }
    };
    const cached = (await list(w.auth.student)).data.find((x) => x.session_id === id);
    expect(cached).toBeDefined();
    expect(cached).toEqual(await viaSchema());
    // Key order too: the cached JSON is built in the schema's order.
    expect(Object.keys(cached!)).toEqual(Object.keys((await viaSchema())!));
  });
});

describe.skipIf(serverEngine)('the cache against the query as time passes (SQLite)', () => {
  it('gives the query’s answer at every instant, across window openings, ends and its horizon', async () => {
    const w = await t.world();
    const [student] = await bulkStudents(t, w.org.org_id, 1);
    const groupId = await insertGroup(t, w.org.org_id, [student!.user_id]);
    const otherGroup = await insertGroup(t, w.org.org_id, []);
    const t0 = Date.now();
    // Windows opening and ending inside the horizon, past it, and at its edges.
    const spec: [number, number, number, string | null][] = [
      // start (min from t0), end (min), opens (min before start), group
      [-10, 1, 15, null],
      [2, 30, 0, null],
      [3, 4, 0, groupId],
      [6, 40, 0, null],
      [20, 25, 15, otherGroup],
      [10, 12, 15, groupId],
      [30, 90, 25, null],
      [-60, -1, 0, null],
    ];
    for (const [i, [start, end, opens, group]] of spec.entries())
      await insertSession(t, w.org.org_id, null, {
        session_name: `s${i}`,
        start_time: t0 + start * MIN,
        end_time: t0 + end * MIN,
        checkin_opens_minutes: opens,
        group_id: group,
      });
    const cache = createOpenSessionsCache(other.db, other.openSessionsGuard!);
    const page = { page: 1, perPage: 100, offset: 0 };
    for (let m = 0; m <= 100; m += 0.5) {
      const now = t0 + m * MIN;
      for (const [userId, onlyExpected] of [
        [student!.user_id, true],
        [w.users.teacher.user_id, false],
      ] as const) {
        const got = await cache.list(w.org.org_id, userId, now, onlyExpected, page);
        const want = await openSessionsRepository.list(
          other.db,
          w.org.org_id,
          userId,
          now,
          onlyExpected,
          page,
        );
        const gotIds = got.itemsJson.map((j) => JSON.parse(j).session_id);
        expect(gotIds, `at +${m} min`).toEqual(want.rows.map((r) => r.session_id));
        expect(got.total).toBe(want.total);
      }
    }
    // Exactly at a window's opening and end (both inclusive, as in the query).
    for (const now of [t0 + 2 * MIN - 1, t0 + 2 * MIN, t0 + 4 * MIN, t0 + 4 * MIN + 1, t0 + HORIZON_MS]) {
      const got = await cache.list(w.org.org_id, student!.user_id, now, true, page);
      const want = await openSessionsRepository.list(
        other.db,
        w.org.org_id,
        student!.user_id,
        now,
        true,
        page,
      );
      expect(got.itemsJson.map((j) => JSON.parse(j).session_id)).toEqual(want.rows.map((r) => r.session_id));
    }
  });
});
