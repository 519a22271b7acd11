/**
 * API.md Part 2 "Who runs a session": teacher_ids decides who runs a session (code, close, force
 * check-in, corrections, updates); other teachers of the org read only, without the code.
 */
import { type Kysely, Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/connection.js';
import { migrationProvider } from '../../../src/db/migrations/index.js';
import { createTestApp, type TestContext, type TestUser } from '../../helpers/app.js';
import { freshDatabaseUrl } from '../../helpers/databases.js';
import { orgRow, sessionRow, userRow } from '../../helpers/rows.js';
import { CENTRE, fieldsOf, insertSession, MIN, recordsOf } from '../attendance/fixtures.js';

let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;
let second: TestUser;
let third: TestUser;
let auth: Record<'second' | 'third', Record<string, string>>;

beforeAll(async () => {
  t = await createTestApp();
  w = await t.world();
  second = await t.factory.user('teacher', w.org.org_id);
  third = await t.factory.user('teacher', w.org.org_id);
  auth = {
    second: (await t.login(second)).headers,
    third: (await t.login(third)).headers,
  };
});
afterAll(async () => t.close());

const req = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, headers: object, payload?: unknown) =>
  t.app.inject({ method, url, headers: headers as Record<string, string>, payload: payload as object });
const stored = async (sessionId: string) =>
  (
    await t.db
      .selectFrom('session_teachers')
      .select(['user_id', 'org_id'])
      .where('session_id', '=', sessionId)
      .orderBy('user_id')
      .execute()
  ).map((r) => r.user_id);
const body = (extra: object = {}) => ({
  session_name: 'Who runs it',
  start_time: new Date(Date.now() - 5 * MIN).toISOString(),
  end_time: new Date(Date.now() + 60 * MIN).toISOString(),
  location_lat: CENTRE.lat,
  location_lon: CENTRE.lon,
  require_code: true,
  code: 'S3CRET',
  ...extra,
});
const sorted = (ids: string[]) => [...ids].sort();

describe('teacher_ids on create', () => {
  it('a teacher’s session is run by that teacher; an admin’s by nobody but admins', async () => {
    const byTeacher = await req('POST', '/admin/sessions', w.auth.teacher, body());
    expect(byTeacher.statusCode).toBe(201);
    expect(byTeacher.json().data.teacher_ids).toEqual([w.users.teacher.user_id]);
    expect(await stored(byTeacher.json().data.session_id)).toEqual([w.users.teacher.user_id]);

    const byAdmin = await req('POST', '/admin/sessions', w.auth.admin, body());
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json().data.teacher_ids).toEqual([]);
    expect(await stored(byAdmin.json().data.session_id)).toEqual([]);
    // The creating teacher of an admin's session is nobody: a teacher cannot close it.
    const close = await req(
      'POST',
      `/admin/sessions/${byAdmin.json().data.session_id}/close`,
      w.auth.teacher,
    );
    expect(close.statusCode).toBe(403);
  });

  it('an admin names the teachers; they, and not the creator, run it', async () => {
    const res = await req(
      'POST',
      '/admin/sessions',
      w.auth.admin,
      body({ teacher_ids: [second.user_id, third.user_id] }),
    );
    expect(res.statusCode).toBe(201);
    const id = res.json().data.session_id;
    expect(sorted(res.json().data.teacher_ids)).toEqual(sorted([second.user_id, third.user_id]));
    expect(await stored(id)).toEqual(sorted([second.user_id, third.user_id]));
    expect((await req('GET', `/admin/sessions/${id}`, auth.third)).json().data.code).toBe('S3CRET');
    expect(
      (await req('PUT', `/admin/sessions/${id}`, auth.second, { session_name: 'Second’s' })).statusCode,
    ).toBe(200);
  });

  it('refuses ids that are not active teachers of the organization (400 naming teacher_ids), creating nothing', async () => {
    const other = await t.factory.org();
    const foreignTeacher = await t.factory.user('teacher', other.org_id);
    const inactive = await t.factory.user('teacher', w.org.org_id, { is_active: 0 });
    for (const wrong of [
      w.users.student.user_id,
      w.users.admin.user_id,
      foreignTeacher.user_id,
      inactive.user_id,
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    ]) {
      const name = `bad teachers ${wrong}`;
      const res = await req(
        'POST',
        '/admin/sessions',
        w.auth.admin,
        body({ session_name: name, teacher_ids: [second.user_id, wrong] }),
      );
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldsOf(res.json())).toEqual(['teacher_ids']);
      expect(res.json().errors[0].message).toContain(wrong);
      const made = await t.db
        .selectFrom('attendance_sessions')
        .select('session_id')
        .where('session_name', '=', name)
        .execute();
      expect(made).toEqual([]);
    }
    const dup = await req(
      'POST',
      '/admin/sessions',
      w.auth.admin,
      body({ teacher_ids: [second.user_id, second.user_id] }),
    );
    expect(dup.statusCode).toBe(400);
    expect(fieldsOf(dup.json())[0]).toMatch(/teacher_ids/);
    const notUuid = await req('POST', '/admin/sessions', w.auth.admin, body({ teacher_ids: ['nope'] }));
    expect(notUuid.statusCode).toBe(400);
  });

  it('a teacher may not name other teachers (403), but may send their own id', async () => {
    const res = await req('POST', '/admin/sessions', w.auth.teacher, body({ teacher_ids: [second.user_id] }));
    expect(res.statusCode).toBe(403);
    const self = await req(
      'POST',
      '/admin/sessions',
      w.auth.teacher,
      body({ teacher_ids: [w.users.teacher.user_id] }),
    );
    expect(self.statusCode).toBe(201);
  });
});

describe('teacher_ids on update', () => {
  it('an admin replaces the list; a teacher taken off loses the session, one added gains it', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id, { require_code: 1, code: '777' });
    const res = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.admin, {
      teacher_ids: [second.user_id],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.teacher_ids).toEqual([second.user_id]);
    expect(await stored(s.session_id)).toEqual([second.user_id]);
    // The creator now reads like any other teacher: no code, no changes.
    const read = await req('GET', `/admin/sessions/${s.session_id}`, w.auth.teacher);
    expect(read.statusCode).toBe(200);
    expect(read.json().data).not.toHaveProperty('code');
    expect((await req('POST', `/admin/sessions/${s.session_id}/close`, w.auth.teacher)).statusCode).toBe(403);
    expect((await req('POST', `/admin/sessions/${s.session_id}/close`, auth.second)).statusCode).toBe(200);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('details')
      .where('target_id', '=', s.session_id)
      .where('action', '=', 'session.updated')
      .executeTakeFirstOrThrow();
    expect(String(audit.details)).toContain(second.user_id);
  });

  it('a teacher of the session sends the list back unchanged (200) but cannot change it (403)', async () => {
    const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
    const same = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {
      session_name: 'Echoed',
      teacher_ids: [w.users.teacher.user_id],
    });
    expect(same.statusCode).toBe(200);
    const grow = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.teacher, {
      teacher_ids: [w.users.teacher.user_id, second.user_id],
    });
    expect(grow.statusCode).toBe(403);
    expect(await stored(s.session_id)).toEqual([w.users.teacher.user_id]);
    const bad = await req('PUT', `/admin/sessions/${s.session_id}`, w.auth.admin, {
      teacher_ids: [w.users.student.user_id],
    });
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad.json())).toEqual(['teacher_ids']);
    expect(await stored(s.session_id)).toEqual([w.users.teacher.user_id]);
  });
});

describe('what the other teachers of the org may do', () => {
  it('read sessions, records and reports; 403 for force check-in, corrections, update, cancel, close', async () => {
    const s = await insertSession(t, w.org.org_id, null, { require_code: 1, code: '999' }, [second.user_id]);
    const rec = await req('POST', '/attendance/force-check-in', auth.second, {
      session_id: s.session_id,
      user_id: w.users.student.user_id,
    });
    expect(rec.statusCode).toBe(201);
    const recordId = rec.json().data.record_id;

    for (const [method, url] of [
      ['GET', `/admin/sessions/${s.session_id}`],
      ['GET', `/attendance/session/${s.session_id}/attendance`],
      ['GET', `/attendance/session/${s.session_id}/report`],
      ['GET', `/reports/session/${s.session_id}/detailed`],
    ] as const) {
      const res = await req(method, url, auth.third);
      expect(res.statusCode, `${method} ${url}`).toBe(200);
      expect(res.body, `${method} ${url} shows the code`).not.toContain('"999"');
    }
    const list = await req('GET', '/admin/sessions?per_page=100', auth.third);
    const inList = list.json().data.find((x: { session_id: string }) => x.session_id === s.session_id);
    expect(inList.teacher_ids).toEqual([second.user_id]);
    expect(inList).not.toHaveProperty('code');

    const refused = [
      [
        'POST',
        '/attendance/force-check-in',
        { session_id: s.session_id, user_id: w.users.student.user_id, status: 'excused' },
      ],
      ['PUT', `/attendance/records/${recordId}`, { status: 'excused' }],
      ['PUT', `/admin/sessions/${s.session_id}`, { session_name: 'Taken' }],
      ['DELETE', `/admin/sessions/${s.session_id}`, undefined],
      ['POST', `/admin/sessions/${s.session_id}/close`, undefined],
    ] as const;
    for (const [method, url, payload] of refused) {
      const res = await req(method, url, auth.third, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
    }
    const row = await t.db
      .selectFrom('attendance_sessions')
      .selectAll()
      .where('session_id', '=', s.session_id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ session_name: 'Session', is_active: 1, closed_at: null });
    expect((await recordsOf(t, s.session_id)).map((r) => r.status)).toEqual(['present']);
    // The session's own teacher does the same things.
    expect(
      (await req('PUT', `/attendance/records/${recordId}`, auth.second, { status: 'excused' })).statusCode,
    ).toBe(200);
  });

  it('lists the sessions a teacher teaches with ?teacher_id=', async () => {
    const mine = await insertSession(t, w.org.org_id, null, {}, [third.user_id]);
    const res = await req('GET', `/admin/sessions?teacher_id=${third.user_id}&per_page=100`, w.auth.admin);
    expect(res.statusCode).toBe(200);
    const ids = res.json().data.map((x: { session_id: string }) => x.session_id);
    expect(ids).toContain(mine.session_id);
    for (const x of res.json().data) expect(x.teacher_ids).toContain(third.user_id);
  });
});

describe('migration 2026_11_30_0007', () => {
  it('gives existing sessions their creating teacher, and admin-created ones nobody', async () => {
    const { url, drop } = await freshDatabaseUrl();
    const handle = await openDatabase(url);
    try {
      const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
      const before = await migrator.migrateTo('2026_11_30_0006_checkin_integrity');
      expect(before.error).toBeUndefined();
      const db = handle.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      const org = orgRow();
      const teacher = userRow(org.org_id, { role: 'teacher' });
      const admin = userRow(org.org_id, { role: 'admin' });
      await db.insertInto('organizations').values(org).execute();
      await db.insertInto('users').values([teacher, admin]).execute();
      // Rows as the schema of 0006 has them (the series columns came with 0010).
      const at0006 = (r: ReturnType<typeof sessionRow>) => {
        const { series_id: _s, series_detached: _d, ...rest } = r;
        return rest;
      };
      const taught = at0006(sessionRow(org.org_id, { created_by: teacher.user_id }));
      const byAdmin = at0006(sessionRow(org.org_id, { created_by: admin.user_id }));
      const nobody = at0006(sessionRow(org.org_id, { created_by: null }));
      await db.insertInto('attendance_sessions').values([taught, byAdmin, nobody]).execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await handle.db.selectFrom('session_teachers').selectAll().execute();
      expect(rows).toEqual([{ session_id: taught.session_id, user_id: teacher.user_id, org_id: org.org_id }]);
    } finally {
      await handle.close();
      await drop();
    }
  });
});
