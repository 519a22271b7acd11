/**
 * Data for the benchmarks, written straight into the database (the API would spend the whole
 * budget hashing passwords): an organization, staff, students with ready access tokens, open
 * sessions, and a history of past sessions and records for the report scenarios.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { newId } from '../../src/lib/ids.js';
import { createPasswordHasher } from '../../src/lib/passwords.js';
import { createTokenService } from '../../src/modules/auth/tokens.js';
import { recordRow, sessionRow, userRow } from '../../test/helpers/rows.js';

export const BENCH_PASSWORD = 'Bench-Passw0rd';
export const CENTRE = { lat: 40.7128, lon: -74.006 };
export const SECRETS = {
  JWT_SECRET_KEY: 'bench-jwt-secret-0123456789abcdef0123456789',
  SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789',
};

/** Multi-row inserts in chunks that stay under every engine's bound-parameter limit. */
export async function insertChunked<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: Database[T][] extends never ? never : Record<string, unknown>[],
  chunk = 400,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    // biome-ignore lint/suspicious/noExplicitAny: generic bulk loader over any table
    const values = rows.slice(i, i + chunk) as any;
    await db.insertInto(table).values(values).execute();
  }
}

export interface BaseData {
  orgId: string;
  adminToken: string;
  teacherId: string;
  students: { userId: string; email: string; token: string }[];
}

export async function seedBase(db: Kysely<Database>, studentCount: number): Promise<BaseData> {
  const now = Date.now();
  const orgId = newId();
  await db
    .insertInto('organizations')
    .values({
      org_id: orgId,
      name: 'Bench University',
      description: null,
      address: null,
      contact_email: null,
      contact_phone: null,
      timezone: 'America/New_York',
      self_registration: 1,
      default_geofence_radius: 100,
      late_after_minutes: 10,
      is_active: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  // One real OWASP-cost hash shared by all: the login storm verifies real Argon2id.
  const hash = await createPasswordHasher().hash(BENCH_PASSWORD);
  const tokens = createTokenService({
    jwtSecret: SECRETS.JWT_SECRET_KEY,
    secretKey: SECRETS.SECRET_KEY,
    accessTtlSeconds: 6 * 3600,
  });
  const user = (role: 'admin' | 'teacher' | 'student', i: number) =>
    userRow(orgId, { name: `${role} ${i}`, email: `${role}${i}@bench.example`, password_hash: hash, role });
  const admin = user('admin', 0);
  const teacher = user('teacher', 0);
  const students = Array.from({ length: studentCount }, (_, i) => user('student', i));
  await insertChunked(db, 'users', [admin, teacher, ...students]);
  const session = (userId: string) => ({
    session_id: newId(),
    user_id: userId,
    org_id: orgId,
    refresh_gen: 0,
    refresh_salt: randomBytes(16).toString('base64url'),
    expires_at: now + 86_400_000,
    created_at: now,
    last_seen_at: now,
    device_info: 'bench',
    ip_address: '127.0.0.1',
    is_active: 1,
    revoked_at: null,
    revoked_reason: null,
  });
  const sessions = [admin, ...students].map((u) => session(u.user_id));
  await insertChunked(db, 'user_sessions', sessions);
  const sign = (i: number) =>
    tokens.signAccess({ userId: sessions[i]!.user_id, sessionId: sessions[i]!.session_id });
  const adminToken = await sign(0);
  const out: BaseData['students'] = [];
  for (let i = 0; i < students.length; i++)
    out.push({ userId: students[i]!.user_id, email: students[i]!.email, token: await sign(i + 1) });
  return { orgId, adminToken, teacherId: teacher.user_id, students: out };
}

/** What every bench session shares: the org's zone and lateness, a 100 m circle, the teacher. */
const benchSession = (base: BaseData) => ({
  timezone: 'America/New_York',
  location_lat: CENTRE.lat,
  location_lon: CENTRE.lon,
  location_radius: 100,
  late_after_minutes: 10,
  created_by: base.teacherId,
});

/** Sessions open for check-in right now, for the whole organization, with a 100 m circle. */
export async function openSessions(db: Kysely<Database>, base: BaseData, count: number): Promise<string[]> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) =>
    sessionRow(base.orgId, {
      session_name: `Open session ${i}`,
      start_time: now - 5 * 60_000,
      end_time: now + 3 * 3_600_000,
      ...benchSession(base),
    }),
  );
  await insertChunked(db, 'attendance_sessions', rows);
  return rows.map((r) => r.session_id);
}

/**
 * A history for the report scenarios: `records` attendance records spread over past sessions of
 * the last year, one record per (session, student), statuses in realistic proportions.
 */
export async function seedHistory(
  db: Kysely<Database>,
  base: BaseData,
  records: number,
  studentsPerSession = 100,
): Promise<{ sessionIds: string[] }> {
  const now = Date.now();
  const sessionCount = Math.max(1, Math.ceil(records / studentsPerSession));
  const yearMs = 365 * 86_400_000;
  const sessionRows = Array.from({ length: sessionCount }, (_, s) => {
    const start = now - yearMs + Math.floor((s / sessionCount) * (yearMs - 86_400_000));
    return sessionRow(base.orgId, {
      session_name: `Lecture ${s}`,
      start_time: start,
      end_time: start + 90 * 60_000,
      created_at: start,
      updated_at: start,
      closed_at: start + 90 * 60_000,
      ...benchSession(base),
    });
  });
  const sessionIds = sessionRows.map((r) => r.session_id);
  await insertChunked(db, 'attendance_sessions', sessionRows);
  const statuses = [
    'present',
    'present',
    'present',
    'present',
    'present',
    'present',
    'late',
    'late',
    'absent',
    'excused',
  ] as const;
  let made = 0;
  let batch: Record<string, unknown>[] = [];
  for (let s = 0; s < sessionCount && made < records; s++) {
    const sess = sessionRows[s]!;
    for (let k = 0; k < studentsPerSession && made < records; k++) {
      const st = base.students[(s * 7 + k) % base.students.length]!;
      const status = statuses[(s + k) % statuses.length]!;
      const checkIn = status === 'absent' ? null : sess.start_time + ((k % 20) - 5) * 60_000;
      batch.push(
        recordRow(
          { orgId: base.orgId, sessionId: sess.session_id, userId: st.userId },
          {
            check_in_time: checkIn,
            check_out_time: checkIn === null ? null : sess.end_time,
            check_in_lat: checkIn === null ? null : CENTRE.lat,
            check_in_lon: checkIn === null ? null : CENTRE.lon,
            distance_m: checkIn === null ? null : 5,
            status,
            created_at: checkIn ?? sess.end_time,
            updated_at: checkIn ?? sess.end_time,
          },
        ),
      );
      made++;
      if (batch.length >= 5000) {
        const rows = batch;
        batch = [];
        await db
          .transaction()
          .execute((tx) => insertChunked(tx as unknown as Kysely<Database>, 'attendance_records', rows));
      }
    }
  }
  if (batch.length)
    await db
      .transaction()
      .execute((tx) => insertChunked(tx as unknown as Kysely<Database>, 'attendance_records', batch));
  return { sessionIds };
}
