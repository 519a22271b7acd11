/**
 * Export rows, read in keyset-paginated chunks ordered by record id (UUIDv7: creation order).
 * Each chunk is its own short query, so a million-row export holds no cursor or lock between
 * chunks (other requests run in between: see the turn of the event loop in exportRows) and memory
 * stays flat on every engine.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../lib/tenancy.js';
import { canSeeUser } from '../../lib/visibility.js';

export interface ExportFilter {
  orgId: string;
  fromMs?: number;
  toMs?: number;
  sessionId?: string;
  userId?: string;
  groupId?: string;
  /** Exports only records of users this actor may see (lib/visibility.ts); absent: every record. */
  seenBy?: Actor;
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

/**
 * Rows per chunk (decision 004). At 1,000 a 1M-row export grew RSS by 92 MB, at 250 by 5 MB, for
 * 109k rows/s against 114k–124k. Round two found the likelier cause of such growth: V8 tenuring a
 * row literal's allocation site when a whole chunk is alive at a young collection, which the
 * constructor below prevents (BENCHMARKS.md); the smaller chunk stays, at no measurable cost.
 */
const CHUNK = 250;

/**
 * Users repeat across an export's records (a student has hundreds): their names and emails are read
 * once per export, by id lists padded to one length (one statement shape), instead of joined on
 * every row — two fewer B-tree descents per row. Bounded: a huge organization refills it.
 */
export function userDirectory(db: Db, orgId: string, capacity = 50_000) {
  const known = new Map<string, { name: string; email: string; role: string }>();
  return {
    /** Makes every id of one chunk (at most CHUNK) readable with get(). */
    async load(ids: string[]): Promise<void> {
      if (known.size + ids.length > capacity) known.clear();
      const missing = [...new Set(ids)].filter((id) => !known.has(id));
      if (missing.length === 0) return;
      const padded = missing.concat(Array(CHUNK - missing.length).fill(missing[0]));
      const rows = await db
        .selectFrom('users')
        .select(['user_id', 'name', 'email', 'role'])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', padded)
        .execute();
      for (const u of rows) known.set(u.user_id, u);
    },
    get: (id: string) => known.get(id),
  };
}

/**
 * One export row (the type the formats read), built by a constructor rather than an object literal. V8 tracks an object
 * literal's allocation site and, if one young-generation collection happens to find nearly all of a
 * site's recent objects alive (it can: a chunk's 250 rows are all alive until the chunk is written),
 * marks the site "tenured" for the rest of the process: from then on every row is allocated straight
 * into the old generation, which only a full collection empties. That was the export's +95..110 MB
 * RSS in one run of three (the heap filled to ~150 MB between full collections with ~37 MB live).
 * Objects made by `new` have no allocation site, so their rows stay young and die there.
 */
export class ExportRow {
  record_id: string;
  session_id: string;
  session_name: string;
  start_time: number;
  end_time: number;
  group_name: string | null;
  user_id: string;
  user_name: string;
  user_email: string;
  status: string;
  check_in_time: number | null;
  check_out_time: number | null;
  distance_m: number | null;
  check_in_lat: number | null;
  check_in_lon: number | null;
  notes: string | null;
  constructor(
    r: Omit<ExportRow, 'user_name' | 'user_email'>,
    u: { name: string; email: string } | undefined,
  ) {
    this.record_id = r.record_id;
    this.session_id = r.session_id;
    this.session_name = r.session_name;
    this.start_time = r.start_time;
    this.end_time = r.end_time;
    this.group_name = r.group_name;
    this.user_id = r.user_id;
    this.user_name = u?.name ?? '';
    this.user_email = u?.email ?? '';
    this.status = r.status;
    this.check_in_time = r.check_in_time;
    this.check_out_time = r.check_out_time;
    this.distance_m = r.distance_m;
    this.check_in_lat = r.check_in_lat;
    this.check_in_lon = r.check_in_lon;
    this.notes = r.notes;
  }
}

export async function* exportRows(db: Db, f: ExportFilter): AsyncGenerator<ExportRow[]> {
  const users = userDirectory(db, f.orgId);
  let after: string | undefined;
  for (;;) {
    // A turn of the event loop before each chunk: SQLite's queries complete synchronously, so the
    // whole export otherwise ran in microtasks and held every other request, /health included,
    // until its last row (12–16 s at 1M records). On the other engines the query yields anyway.
    if (after !== undefined) await new Promise<void>((resolve) => setImmediate(resolve));
    const rows = await db
      .selectFrom('attendance_records as r')
      .innerJoin('attendance_sessions as s', 's.session_id', 'r.session_id')
      .leftJoin('groups as g', 'g.group_id', 's.group_id')
      .select([
        'r.record_id',
        'r.session_id',
        's.session_name',
        's.start_time',
        's.end_time',
        'g.name as group_name',
        'r.user_id',
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
    await users.load(rows.map((r) => r.user_id));
    const out: ExportRow[] = [];
    for (const r of rows) {
      // A record's user always exists (foreign key); were one gone, the record is still exported.
      const u = users.get(r.user_id);
      if (f.seenBy && u && !canSeeUser(f.seenBy, { user_id: r.user_id, role: u.role })) continue;
      out.push(new ExportRow(r, u));
    }
    yield out;
    if (rows.length < CHUNK) return;
    after = rows[rows.length - 1]!.record_id;
  }
}
