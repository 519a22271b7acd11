/** A 200,000-row export arrives whole: every record once, header first. (Memory is measured in bench/.) */
import { parse } from 'csv-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';

const ROWS = 200_000;
const PER_SESSION = 100;
let t: TestContext;
let headers: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  const w = await t.world();
  headers = w.auth.admin;
  const orgId = w.org.org_id;
  const now = Date.now();
  const students: string[] = [];
  const userRows = Array.from({ length: PER_SESSION }, (_, i) => {
    const user_id = newId();
    students.push(user_id);
    return {
      user_id,
      org_id: orgId,
      name: `Student ${i}, "big"`,
      email: `big${i}@example.test`,
      password_hash: 'x',
      role: 'student' as const,
      is_active: 1,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    };
  });
  await t.db.insertInto('users').values(userRows).execute();
  const sessions = ROWS / PER_SESSION;
  for (let s0 = 0; s0 < sessions; s0 += 200) {
    await t.db.transaction().execute(async (tx) => {
      for (let s = s0; s < Math.min(sessions, s0 + 200); s++) {
        const session_id = newId();
        const start = now - (sessions - s) * 3_600_000;
        await tx
          .insertInto('attendance_sessions')
          .values({
            session_id,
            org_id: orgId,
            session_name: `Session ${s}`,
            description: null,
            start_time: start,
            end_time: start + 1800_000,
            timezone: 'UTC',
            group_id: null,
            location_lat: null,
            location_lon: null,
            location_radius: null,
            geofence: null,
            late_after_minutes: null,
            checkin_opens_minutes: 15,
            require_code: 0,
            code: null,
            created_by: null,
            created_at: start,
            updated_at: start,
            closed_at: start + 1800_000,
            is_active: 1,
          })
          .execute();
        const records = students.map((user_id, k) => ({
          record_id: newId(),
          org_id: orgId,
          session_id,
          user_id,
          check_in_time: start + k * 1000,
          check_out_time: null,
          check_in_lat: 1.5,
          check_in_lon: -2.25,
          check_in_accuracy: null,
          check_out_lat: null,
          check_out_lon: null,
          distance_m: 3,
          status: 'present' as const,
          notes: k % 10 === 0 ? 'line one\nline two, "quoted"' : null,
          marked_by: null,
          created_at: start,
          updated_at: start,
        }));
        for (let i = 0; i < records.length; i += 50)
          await tx
            .insertInto('attendance_records')
            .values(records.slice(i, i + 50))
            .execute();
      }
    });
  }
}, 600_000);
afterAll(async () => t.close());

describe('large CSV export', () => {
  it(`streams ${ROWS.toLocaleString('en')} rows, each record exactly once`, async () => {
    const res = await t.app.inject({ method: 'GET', url: '/reports/export/csv', headers });
    expect(res.statusCode).toBe(200);
    const ids = new Set<string>();
    let rows = 0;
    const parser = parse({ bom: true, columns: true });
    parser.on('readable', () => {
      for (let r = parser.read(); r; r = parser.read()) {
        rows++;
        ids.add(r.record_id);
      }
    });
    parser.end(res.rawPayload);
    await new Promise((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
    });
    expect(rows).toBe(ROWS);
    expect(ids.size).toBe(ROWS);
  }, 600_000);
});
