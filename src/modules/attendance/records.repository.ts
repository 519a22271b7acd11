/** Attendance records. One per user and session: the UNIQUE(session_id, user_id) constraint decides. */
import type { DialectName } from '../../db/connection.js';
import { isUniqueViolation } from '../../db/errors.js';
import { prepared, preparedInsert } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { type Actor, inScope, type OrgScope } from '../../lib/tenancy.js';
import { onlyUsersSeenBy } from '../../lib/visibility.js';
import { sessionTeachersRepository } from '../sessions/session-teachers.repository.js';
import type {
  AttendanceRecordRow,
  AttendanceRecordUpdate,
  NewAttendanceRecordRow,
} from './attendance.table.js';

export type RecordWithSession = AttendanceRecordRow & {
  session_name: string;
  session_start_time: number;
  session_end_time: number;
};
export type RecordWithUser = AttendanceRecordRow & { user_name: string; user_email: string };
export type RecordWithOwner = AttendanceRecordRow & { session_teacher_ids: string[] };

/** Every column of a record, in the order a prepared insert binds them (the compiler checks it is all). */
const RECORD_COLUMNS = Object.keys({
  record_id: 1,
  org_id: 1,
  session_id: 1,
  user_id: 1,
  check_in_time: 1,
  check_out_time: 1,
  check_in_lat: 1,
  check_in_lon: 1,
  check_in_accuracy: 1,
  check_out_lat: 1,
  check_out_lon: 1,
  distance_m: 1,
  status: 1,
  notes: 1,
  marked_by: 1,
  created_at: 1,
  updated_at: 1,
  flags: 1,
  review_state: 1,
  device_hash: 1,
} satisfies Record<keyof AttendanceRecordRow, 1>) as (keyof AttendanceRecordRow)[];

// The check-in's statements are built once (src/db/prepared.ts): it is the hot path.
const insertRecordUnlessTaken = preparedInsert<AttendanceRecordRow>(RECORD_COLUMNS, (db, row) =>
  db
    .insertInto('attendance_records')
    .values(row)
    .onConflict((oc) => oc.columns(['session_id', 'user_id']).doNothing()),
);
const insertRecordPlain = preparedInsert<AttendanceRecordRow>(RECORD_COLUMNS, (db, row) =>
  db.insertInto('attendance_records').values(row),
);
const previousFix = prepared((db: Db, userId: string, before: number) =>
  db
    .selectFrom('attendance_records')
    .select(['check_in_lat', 'check_in_lon', 'check_in_accuracy', 'check_in_time'])
    .where('user_id', '=', userId)
    .where('created_at', '<=', before)
    .where('check_in_lat', 'is not', null)
    .where('check_in_time', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(1),
);

export const recordsRepository = {
  /**
   * A self check-in's insert: true when the row went in, false when (session_id, user_id) exists
   * already — even committed a moment ago by a concurrent transaction — without aborting the
   * transaction (ON CONFLICT DO NOTHING; on MySQL, InnoDB rolls back only the failing statement).
   */
  async insertUnlessTaken(db: Db, dialect: DialectName, row: AttendanceRecordRow): Promise<boolean> {
    if (dialect !== 'mysql') return (await insertRecordUnlessTaken.run(db, row)) > 0;
    try {
      await insertRecordPlain.run(db, row);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  },

  async insert(db: Db, row: NewAttendanceRecordRow): Promise<void> {
    await db.insertInto('attendance_records').values(row).execute();
  },

  /**
   * Inserts the rows, silently skipping any whose (session_id, user_id) already has a record — even
   * one committed by a concurrent transaction a moment ago. ON CONFLICT DO NOTHING on SQLite and
   * PostgreSQL, INSERT IGNORE on MySQL; callers learn what was inserted with `existingIds`.
   */
  async insertSkippingDuplicates(
    db: Db,
    dialect: DialectName,
    rows: NewAttendanceRecordRow[],
  ): Promise<void> {
    if (!rows.length) return;
    const q = db.insertInto('attendance_records').values(rows);
    if (dialect === 'mysql') await q.ignore().execute();
    else await q.onConflict((oc) => oc.columns(['session_id', 'user_id']).doNothing()).execute();
  },

  async existingIds(db: Db, recordIds: string[]): Promise<string[]> {
    if (!recordIds.length) return [];
    const rows = await db
      .selectFrom('attendance_records')
      .select('record_id')
      .where('record_id', 'in', recordIds)
      .execute();
    return rows.map((r) => r.record_id);
  },

  /**
   * The user's latest check-in with coordinates before `before` (impossible_travel). Walks the
   * (user_id, created_at) index backwards; a self check-in's created_at is its check-in time.
   */
  previousFix(
    db: Db,
    userId: string,
    before: number,
  ): Promise<
    | {
        check_in_lat: number | null;
        check_in_lon: number | null;
        check_in_accuracy: number | null;
        check_in_time: number | null;
      }
    | undefined
  > {
    return previousFix.first(db, userId, before);
  },

  findById(db: Db, scope: OrgScope, recordId: string): Promise<AttendanceRecordRow | undefined> {
    return inScope(
      db.selectFrom('attendance_records').selectAll().where('record_id', '=', recordId),
      'org_id',
      scope,
    ).executeTakeFirst();
  },

  /** The record and the teachers of its session (for the permission check of a correction). */
  async findWithSessionOwner(
    db: Db,
    scope: OrgScope,
    recordId: string,
  ): Promise<RecordWithOwner | undefined> {
    const rec = await inScope(
      db.selectFrom('attendance_records').selectAll().where('record_id', '=', recordId),
      'org_id',
      scope,
    ).executeTakeFirst();
    if (!rec) return undefined;
    return { ...rec, session_teacher_ids: await sessionTeachersRepository.forSession(db, rec.session_id) };
  },

  /** The record, locked for the rest of the transaction (SQLite has no FOR UPDATE; it serialises writers). */
  findForUpdate(db: Db, dialect: DialectName, recordId: string): Promise<AttendanceRecordRow | undefined> {
    return db
      .selectFrom('attendance_records')
      .selectAll()
      .where('record_id', '=', recordId)
      .$if(dialect !== 'sqlite', (qb) => qb.forUpdate())
      .executeTakeFirst();
  },

  findBySessionAndUser(
    db: Db,
    dialect: DialectName,
    sessionId: string,
    userId: string,
    lock = false,
  ): Promise<AttendanceRecordRow | undefined> {
    return db
      .selectFrom('attendance_records')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('user_id', '=', userId)
      .$if(lock && dialect !== 'sqlite', (qb) => qb.forUpdate())
      .executeTakeFirst();
  },

  /**
   * Sets the check-out only if there is a check-in and no check-out yet: of two concurrent
   * check-outs exactly one changes the row. Returns whether this call did.
   */
  async checkOut(
    db: Db,
    scope: OrgScope,
    recordId: string,
    userId: string,
    patch: { check_out_time: number; check_out_lat: number | null; check_out_lon: number | null },
  ): Promise<boolean> {
    const res = await inScope(
      db
        .updateTable('attendance_records')
        .set({ ...patch, updated_at: patch.check_out_time })
        .where('record_id', '=', recordId)
        .where('user_id', '=', userId)
        .where('check_out_time', 'is', null)
        .where('check_in_time', 'is not', null),
      'org_id',
      scope,
    ).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  async update(db: Db, recordId: string, patch: AttendanceRecordUpdate): Promise<void> {
    await db.updateTable('attendance_records').set(patch).where('record_id', '=', recordId).execute();
  },

  /** A user's records with their sessions, newest session first; the range applies to the session start. */
  async listForUser(
    db: Db,
    scope: OrgScope,
    userId: string,
    range: { fromMs?: number; toMs?: number },
    page: PageRequest,
  ): Promise<{ rows: RecordWithSession[]; total: number }> {
    const base = inScope(
      db
        .selectFrom('attendance_records as r')
        .innerJoin('attendance_sessions as s', 's.session_id', 'r.session_id')
        .where('r.user_id', '=', userId)
        .$if(range.fromMs !== undefined, (qb) => qb.where('s.start_time', '>=', range.fromMs!))
        .$if(range.toMs !== undefined, (qb) => qb.where('s.start_time', '<', range.toMs!)),
      'r.org_id',
      scope,
    );
    const [rows, count] = await Promise.all([
      base
        .selectAll('r')
        .select([
          's.session_name as session_name',
          's.start_time as session_start_time',
          's.end_time as session_end_time',
        ])
        .orderBy('s.start_time', 'desc')
        .orderBy('r.record_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  /** Records of one session with their users, by name: those of users `seenBy` may see (lib/visibility.ts). */
  async listForSession(
    db: Db,
    scope: OrgScope,
    sessionId: string,
    page: PageRequest,
    seenBy: Actor,
  ): Promise<{ rows: RecordWithUser[]; total: number }> {
    const base = onlyUsersSeenBy(
      inScope(
        db
          .selectFrom('attendance_records as r')
          .innerJoin('users as u', 'u.user_id', 'r.user_id')
          .where('r.session_id', '=', sessionId),
        'r.org_id',
        scope,
      ),
      seenBy,
      { userId: 'u.user_id', role: 'u.role' },
    );
    const [rows, count] = await Promise.all([
      base
        .selectAll('r')
        .select(['u.name as user_name', 'u.email as user_email'])
        .orderBy('u.name')
        .orderBy('r.record_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async countByStatus(db: Db, sessionId: string): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom('attendance_records')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('session_id', '=', sessionId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
};
