/**
 * Export rows, read in keyset-paginated chunks ordered by record id (UUIDv7: creation order).
 * Each chunk is its own short query, so a million-row export holds no cursor or lock between
 * chunks (on SQLite, other requests run in between) and memory stays flat on every engine.
 */
import type { Db } from '../../db/types.js';

export interface ExportFilter {
  orgId: string;
  fromMs?: number;
  toMs?: number;
  sessionId?: string;
  userId?: string;
  groupId?: string;
}

export const EXPORT_COLUMNS = [
  'record_id',
  'session_id',
  'session_name',
  'session_start',
  'session_end',
  'group_name',
  'user_id',
  'user_name',
  'user_email',
  'status',
  'check_in_time',
  'check_out_time',
  'distance_m',
  'check_in_lat',
  'check_in_lon',
  'notes',
] as const;

const CHUNK = 250;

export async function* exportRows(db: Db, f: ExportFilter) {
  let after: string | undefined;
  for (;;) {
    const rows = await db
      .selectFrom('attendance_records as r')
      .innerJoin('attendance_sessions as s', 's.session_id', 'r.session_id')
      .innerJoin('users as u', 'u.user_id', 'r.user_id')
      .leftJoin('groups as g', 'g.group_id', 's.group_id')
      .select([
        'r.record_id',
        'r.session_id',
        's.session_name',
        's.start_time',
        's.end_time',
        'g.name as group_name',
        'r.user_id',
        'u.name as user_name',
        'u.email as user_email',
        'r.status',
        'r.check_in_time',
        'r.check_out_time',
        'r.distance_m',
        'r.check_in_lat',
        'r.check_in_lon',
        'r.notes',
      ])
      .where('r.org_id', '=', f.orgId)
      .$if(f.fromMs !== undefined, (qb) => qb.where('s.start_time', '>=', f.fromMs!))
      .$if(f.toMs !== undefined, (qb) => qb.where('s.start_time', '<', f.toMs!))
      .$if(f.sessionId !== undefined, (qb) => qb.where('r.session_id', '=', f.sessionId!))
      .$if(f.userId !== undefined, (qb) => qb.where('r.user_id', '=', f.userId!))
      .$if(f.groupId !== undefined, (qb) => qb.where('s.group_id', '=', f.groupId!))
      .$if(after !== undefined, (qb) => qb.where('r.record_id', '>', after!))
      .orderBy('r.record_id')
      .limit(CHUNK)
      .execute();
    yield rows;
    if (rows.length < CHUNK) return;
    after = rows[rows.length - 1]!.record_id;
  }
}
export type ExportRow = Awaited<
  ReturnType<typeof exportRows> extends AsyncGenerator<infer R> ? R : never
>[number];
