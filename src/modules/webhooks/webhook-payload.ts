/**
 * The `data` of a webhook payload, read when the event is fanned out (events carry ids only).
 * Never raw coordinates: receivers get the distance and the decision (API.md Part 2, store_coordinates).
 */
import type { Db } from '../../db/types.js';
import { toIso } from '../../lib/time.js';
import type { StoredEvent } from '../outbox/outbox.js';

const iso = (v: number | null | undefined) => (v === null || v === undefined ? null : toIso(Number(v)));

async function recordData(db: Db, e: StoredEvent) {
  const r = await db
    .selectFrom('attendance_records')
    .select([
      'record_id',
      'session_id',
      'user_id',
      'status',
      'check_in_time',
      'check_out_time',
      'distance_m',
      'notes',
      'marked_by',
      'updated_at',
    ])
    .where('record_id', '=', String(e.record_id))
    .where('org_id', '=', String(e.org_id))
    .executeTakeFirst();
  if (!r)
    return {
      record_id: e.record_id,
      session_id: e.session_id,
      user_id: e.user_id,
      cause: e.cause,
      deleted: true,
    };
  return {
    ...r,
    check_in_time: iso(r.check_in_time),
    check_out_time: iso(r.check_out_time),
    updated_at: iso(r.updated_at),
    cause: e.cause,
    actor_id: e.actor_id,
  };
}

async function sessionClosedData(db: Db, e: StoredEvent) {
  const s = await db
    .selectFrom('attendance_sessions')
    .select(['session_id', 'session_name', 'group_id', 'start_time', 'end_time', 'closed_at'])
    .where('session_id', '=', String(e.session_id))
    .where('org_id', '=', String(e.org_id))
    .executeTakeFirst();
  const rows = await db
    .selectFrom('attendance_records')
    .select(['status', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('session_id', '=', String(e.session_id))
    .groupBy('status')
    .execute();
  const counts = { present: 0, late: 0, absent: 0, excused: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  const expected = counts.present + counts.late + counts.absent + counts.excused;
  return {
    session_id: e.session_id,
    session_name: s?.session_name ?? null,
    group_id: s?.group_id ?? null,
    start_time: iso(s?.start_time),
    end_time: iso(s?.end_time),
    closed_at: iso(s?.closed_at),
    closed_by: e.actor_id,
    counts,
    expected,
    attendance_rate: expected ? (counts.present + counts.late) / expected : null,
  };
}

async function userData(db: Db, e: StoredEvent) {
  const u = await db
    .selectFrom('users')
    .select(['user_id', 'name', 'email', 'role', 'org_id', 'is_active', 'created_at'])
    .where('user_id', '=', String(e.user_id))
    .executeTakeFirst();
  if (!u) return { user_id: e.user_id };
  return { ...u, is_active: Boolean(u.is_active), created_at: iso(u.created_at), created_by: e.actor_id };
}

/** `{type, timestamp, data}` as it will be signed and sent (the same bytes on every retry). */
export async function webhookBody(db: Db, e: StoredEvent): Promise<string> {
  let data: unknown;
  switch (e.type) {
    case 'attendance.recorded':
    case 'attendance.changed':
      data = await recordData(db, e);
      break;
    case 'session.closed':
      data = await sessionClosedData(db, e);
      break;
    case 'user.created':
      data = await userData(db, e);
      break;
    default:
      data = e.data ?? {};
  }
  return JSON.stringify({ type: e.type, timestamp: e.at, data });
}
