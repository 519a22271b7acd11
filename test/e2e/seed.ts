/** A small school for the browser tests and screenshots, written through the API (as a user would). */
import { expect } from 'vitest';
import type { TestContext, TestUser } from '../helpers/app.js';

export const ROOM = { latitude: 52.52, longitude: 13.405 };
/** Metres per degree of latitude on the mean sphere. */
const M_PER_DEG_LAT = 111_195.08;
export const northOfRoom = (m: number) => ({
  latitude: ROOM.latitude + m / M_PER_DEG_LAT,
  longitude: ROOM.longitude,
});

const MIN = 60_000;
const DAY = 86_400_000;

export interface School {
  orgId: string;
  admin: TestUser;
  teacher: TestUser;
  students: TestUser[];
  groupId: string;
  openSessionId: string;
  headers: { admin: Record<string, string>; teacher: Record<string, string> };
}

export async function seedSchool(t: TestContext): Promise<School> {
  const org = await t.factory.org({ name: 'Riverside High', timezone: 'Europe/Berlin' });
  const admin = await t.factory.user('admin', org.org_id, {
    name: 'Grace Hopper',
    email: 'grace@riverside.test',
  });
  const teacher = await t.factory.user('teacher', org.org_id, {
    name: 'Ada Lovelace',
    email: 'ada@riverside.test',
  });
  const names = ['Alan Turing', 'Barbara Liskov', 'Claude Shannon', 'Dorothy Vaughan', 'Edsger Dijkstra'];
  const students: TestUser[] = [];
  for (const name of names) {
    const email = `${name.split(' ')[0]!.toLowerCase()}@riverside.test`;
    students.push(await t.factory.user('student', org.org_id, { name, email }));
  }
  const headers = {
    admin: (await t.login(admin)).headers,
    teacher: (await t.login(teacher)).headers,
  };
  const call = async (method: 'POST' | 'PUT', url: string, payload: object, who = headers.teacher) => {
    const res = await t.app.inject({ method, url, payload, headers: who });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json().data;
  };

  const group = await call('POST', '/admin/groups', { name: 'Physics 1A' }, headers.admin);
  await call(
    'POST',
    `/admin/groups/${group.group_id}/members`,
    { user_ids: students.map((s) => s.user_id) },
    headers.admin,
  );

  // Past sessions (entered later, as on paper) with a mix of statuses, then closed: history and trend.
  const now = Date.now();
  const pattern = ['present', 'late', 'present', 'absent', 'present', 'excused', 'present'];
  for (let d = 1; d <= 6; d++) {
    const start = now - d * DAY - 2 * 60 * MIN;
    const s = await call('POST', '/admin/sessions', {
      session_name: d % 2 ? 'Physics' : 'Mathematics',
      start_time: new Date(start).toISOString(),
      end_time: new Date(start + 90 * MIN).toISOString(),
      group_id: group.group_id,
      location_lat: ROOM.latitude,
      location_lon: ROOM.longitude,
      location_radius: 60,
    });
    for (const [i, st] of students.entries()) {
      const status = pattern[(i + d) % pattern.length]!;
      if (status === 'absent') continue;
      await call('POST', '/attendance/force-check-in', {
        session_id: s.session_id,
        user_id: st.user_id,
        status,
      });
    }
    await call('POST', `/admin/sessions/${s.session_id}/close`, {});
  }
  // Open now, and one later today.
  const open = await call('POST', '/admin/sessions', {
    session_name: 'Physics',
    description: 'Optics lab',
    start_time: new Date(now - 5 * MIN).toISOString(),
    end_time: new Date(now + 85 * MIN).toISOString(),
    group_id: group.group_id,
    location_lat: ROOM.latitude,
    location_lon: ROOM.longitude,
    location_radius: 50,
    late_after_minutes: 15,
  });
  await call('POST', '/admin/sessions', {
    session_name: 'Mathematics',
    start_time: new Date(now + 3 * 60 * MIN).toISOString(),
    end_time: new Date(now + 4 * 60 * MIN).toISOString(),
    group_id: group.group_id,
  });
  return {
    orgId: org.org_id,
    admin,
    teacher,
    students,
    groupId: group.group_id,
    openSessionId: open.session_id,
    headers,
  };
}
