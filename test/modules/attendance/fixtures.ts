/**
 * Fixtures for attendance tests: sessions written straight to the database at times relative to now,
 * positions at a known distance from a centre, and many students with working access tokens without
 * going through the (deliberately slow) login.
 */
import { randomBytes } from 'node:crypto';
import { newId } from '../../../src/lib/ids.js';
import { createTokenService } from '../../../src/modules/auth/tokens.js';
import type { AttendanceSessionRow } from '../../../src/modules/sessions/sessions.table.js';
import { hasher, PASSWORD, type TestContext } from '../../helpers/app.js';
import { sessionRow, userRow } from '../../helpers/rows.js';

export const MIN = 60_000;
export const CENTRE = { lat: 40.7128, lon: -74.006 };
/** Metres per degree of latitude on the mean sphere (2πR/360). */
const M_PER_DEG_LAT = 111_195.08;

/** A position `metres` due north of the centre. */
export const north = (metres: number) => ({ lat: CENTRE.lat + metres / M_PER_DEG_LAT, lon: CENTRE.lon });

/**
 * A session written straight to the database. Its teachers (session_teachers) are `teacherIds`, by
 * default the creator when the creator is a teacher — what POST /admin/sessions does.
 */
export async function insertSession(
  t: TestContext,
  orgId: string,
  createdBy: string | null,
  patch: Partial<AttendanceSessionRow> = {},
  teacherIds?: string[],
): Promise<AttendanceSessionRow> {
  const now = Date.now();
  const row = sessionRow(orgId, {
    start_time: now - 5 * MIN,
    end_time: now + 60 * MIN,
    location_lat: CENTRE.lat,
    location_lon: CENTRE.lon,
    location_radius: 100,
    created_by: createdBy,
    ...patch,
  });
  await t.db.insertInto('attendance_sessions').values(row).execute();
  let teachers = teacherIds;
  if (teachers === undefined) {
    const creator = createdBy
      ? await t.db.selectFrom('users').select('role').where('user_id', '=', createdBy).executeTakeFirst()
      : undefined;
    teachers = creator?.role === 'teacher' ? [createdBy!] : [];
  }
  if (teachers.length)
    await t.db
      .insertInto('session_teachers')
      .values(teachers.map((user_id) => ({ session_id: row.session_id, user_id, org_id: orgId })))
      .execute();
  return row;
}

export async function insertGroup(t: TestContext, orgId: string, memberIds: string[]): Promise<string> {
  const groupId = newId();
  const now = Date.now();
  await t.db
    .insertInto('groups')
    .values({
      group_id: groupId,
      org_id: orgId,
      name: `G ${groupId}`,
      description: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (memberIds.length) {
    await t.db
      .insertInto('group_members')
      .values(memberIds.map((user_id) => ({ group_id: groupId, user_id, org_id: orgId, added_at: now })))
      .execute();
  }
  return groupId;
}

let sharedHash: string | undefined;

/**
 * `n` students of the org, each with an active login session and a signed access token, inserted in
 * bulk with one precomputed password hash (hashing 500 passwords would dominate the test).
 */
export async function bulkStudents(
  t: TestContext,
  orgId: string,
  n: number,
  patch: { is_active?: number; role?: 'student' | 'teacher' } = {},
): Promise<{ user_id: string; headers: { authorization: string } }[]> {
  sharedHash ??= await hasher.hash(PASSWORD);
  const tokens = createTokenService({
    jwtSecret: t.config.jwtSecret,
    secretKey: t.config.secretKey,
    accessTtlSeconds: 900,
  });
  const now = Date.now();
  const users = Array.from({ length: n }, (_, i) =>
    userRow(orgId, {
      name: `Bulk ${i} ${randomBytes(3).toString('hex')}`,
      email: `bulk${i}.${randomBytes(6).toString('hex')}@example.test`,
      password_hash: sharedHash!,
      ...patch,
    }),
  );
  const sessions = users.map((u) => ({
    session_id: newId(),
    user_id: u.user_id,
    org_id: orgId,
    refresh_gen: 0,
    refresh_salt: randomBytes(16).toString('base64url'),
    expires_at: now + 3_600_000,
    created_at: now,
    last_seen_at: now,
    device_info: null,
    ip_address: '127.0.0.1',
    is_active: 1,
    revoked_at: null,
    revoked_reason: null,
  }));
  for (let i = 0; i < n; i += 200) {
    await t.db
      .insertInto('users')
      .values(users.slice(i, i + 200))
      .execute();
    await t.db
      .insertInto('user_sessions')
      .values(sessions.slice(i, i + 200))
      .execute();
  }
  return sessions.map((s) => ({
    user_id: s.user_id,
    headers: { authorization: `Bearer ${tokens.signAccess({ userId: s.user_id, sessionId: s.session_id })}` },
  }));
}

export async function recordsOf(t: TestContext, sessionId: string) {
  return t.db.selectFrom('attendance_records').selectAll().where('session_id', '=', sessionId).execute();
}

export async function changesOf(t: TestContext, recordId: string) {
  return t.db
    .selectFrom('attendance_record_changes')
    .selectAll()
    .where('record_id', '=', recordId)
    .orderBy('changed_at')
    .orderBy('change_id')
    .execute();
}

export const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);
