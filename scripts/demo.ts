/**
 * `npm run demo`: loads demo data like the seed's init_db.py into DATABASE_URL (default SQLite file):
 * two organizations, their admins, teachers and students, groups, sessions around now with a few
 * check-ins; then prints the logins. Running it twice does nothing the second time.
 */

import { haversineDistanceM } from '../src/lib/geo.js';
import { newId } from '../src/lib/ids.js';
import { createPasswordHasher } from '../src/lib/passwords.js';
import { configOrExit, prepareDatabase } from '../src/start.js';

const PASSWORD = 'DemoPass123!';
const config = configOrExit();
const handle = await prepareDatabase(config);
const { db } = handle;

const existing = await db
  .selectFrom('organizations')
  .select('org_id')
  .where('name', '=', 'Tech University')
  .executeTakeFirst();
if (existing) {
  console.log('Demo data is already loaded (organization "Tech University" exists).');
  printLogins();
  await handle.close();
  process.exit(0);
}

const hasher = createPasswordHasher();
const passwordHash = await hasher.hash(PASSWORD);
const now = Date.now();
const minute = 60_000;

const orgs = [
  {
    name: 'Tech University',
    slug: 'tech',
    timezone: 'America/New_York',
    lat: 40.7128,
    lon: -74.006,
    groups: ['CS 101 — Section A', 'CS 101 — Section B'],
  },
  {
    name: 'Business School',
    slug: 'business',
    timezone: 'Europe/London',
    lat: 51.5074,
    lon: -0.1278,
    groups: ['MBA Cohort 2026'],
  },
];

for (const o of orgs) {
  const orgId = newId();
  await db
    .insertInto('organizations')
    .values({
      org_id: orgId,
      name: o.name,
      description: `${o.name} (demo)`,
      address: null,
      contact_email: `office@${o.slug}.example`,
      contact_phone: null,
      timezone: o.timezone,
      self_registration: 1,
      default_geofence_radius: 100,
      late_after_minutes: 10,
      is_active: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const user = async (role: 'admin' | 'teacher' | 'student', name: string, email: string) => {
    const userId = newId();
    await db
      .insertInto('users')
      .values({
        user_id: userId,
        org_id: orgId,
        name,
        email,
        password_hash: passwordHash,
        role,
        is_active: 1,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .execute();
    return userId;
  };
  await user('admin', `${o.name} Admin`, `admin@${o.slug}.example`);
  const teacher = await user('teacher', `${o.name} Teacher`, `teacher@${o.slug}.example`);
  const students: string[] = [];
  for (let i = 1; i <= 6; i++)
    students.push(await user('student', `Student ${i} (${o.slug})`, `student${i}@${o.slug}.example`));

  const groupIds: string[] = [];
  const membersOf = new Map<string, string[]>();
  for (const [gi, name] of o.groups.entries()) {
    const groupId = newId();
    groupIds.push(groupId);
    await db
      .insertInto('groups')
      .values({ group_id: groupId, org_id: orgId, name, description: null, created_at: now, updated_at: now })
      .execute();
    const members = students.filter((_, i) => i % o.groups.length === gi);
    membersOf.set(groupId, members);
    await db
      .insertInto('group_members')
      .values(members.map((user_id) => ({ group_id: groupId, user_id, org_id: orgId, added_at: now })))
      .execute();
  }

  // A session that is on now, one that ended this morning, one later today, and one tomorrow.
  const sessions = [
    {
      name: 'Lecture (on now)',
      start: now - 20 * minute,
      end: now + 70 * minute,
      group: groupIds[0] ?? null,
    },
    {
      name: 'Morning seminar (ended)',
      start: now - 4 * 60 * minute,
      end: now - 2 * 60 * minute,
      group: null,
    },
    {
      name: 'Lab (later today)',
      start: now + 3 * 60 * minute,
      end: now + 5 * 60 * minute,
      group: groupIds.at(-1) ?? null,
    },
    { name: 'Workshop (tomorrow)', start: now + 24 * 60 * minute, end: now + 26 * 60 * minute, group: null },
  ];
  for (const s of sessions) {
    const sessionId = newId();
    await db
      .insertInto('attendance_sessions')
      .values({
        session_id: sessionId,
        org_id: orgId,
        session_name: s.name,
        description: null,
        start_time: s.start,
        end_time: s.end,
        timezone: o.timezone,
        group_id: s.group,
        location_lat: o.lat,
        location_lon: o.lon,
        location_radius: 100,
        geofence: null,
        late_after_minutes: null,
        checkin_opens_minutes: 15,
        require_code: 0,
        code: null,
        created_by: teacher,
        created_at: now,
        updated_at: now,
        closed_at: null,
        is_active: 1,
      })
      .execute();
    // The demo teacher runs the sessions they created (API.md Part 2 "Who runs a session").
    await db
      .insertInto('session_teachers')
      .values({ session_id: sessionId, user_id: teacher, org_id: orgId })
      .execute();
    if (s.start > now) continue;
    // A few sample check-ins by expected attendees, a few metres from the centre.
    const expected = s.group ? (membersOf.get(s.group) ?? []) : students;
    for (const [i, userId] of expected.slice(0, 3).entries()) {
      const lat = o.lat + 0.0001 * i;
      const checkIn = s.start + (i * 8 + 2) * minute;
      await db
        .insertInto('attendance_records')
        .values({
          record_id: newId(),
          org_id: orgId,
          session_id: sessionId,
          user_id: userId,
          check_in_time: checkIn,
          check_out_time: s.end < now ? s.end : null,
          check_in_lat: lat,
          check_in_lon: o.lon,
          check_in_accuracy: 12,
          check_out_lat: null,
          check_out_lon: null,
          distance_m: Math.round(haversineDistanceM({ lat, lon: o.lon }, { lat: o.lat, lon: o.lon })),
          status: checkIn > s.start + 10 * minute ? 'late' : 'present',
          notes: null,
          marked_by: null,
          created_at: checkIn,
          updated_at: checkIn,
        })
        .execute()
        .catch(() => undefined); // the student may not be expected at a group session: skip
    }
  }
}

console.log('Demo data loaded: 2 organizations, 16 users, 3 groups, 8 sessions.');
printLogins();
await handle.close();

function printLogins() {
  console.log(`\nDemo logins (password for all: ${PASSWORD})`);
  for (const slug of ['tech', 'business']) {
    console.log(
      `  ${slug.padEnd(9)} admin@${slug}.example  teacher@${slug}.example  student1@${slug}.example … student6@${slug}.example`,
    );
  }
  console.log('  The super_admin is the one printed at first start (or BOOTSTRAP_ADMIN_EMAIL).');
}
