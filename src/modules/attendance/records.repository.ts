/** Attendance records. One per user and session: the UNIQUE(session_id, user_id) constraint decides. */
import type { DialectName } from '../../db/connection.js';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
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

export const recordsRepository = {
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

  /** Records of one session with their users, by name. */
  async listForSession(
    db: Db,
    scope: OrgScope,
    sessionId: string,
    page: PageRequest,
  ): Promise<{ rows: RecordWithUser[]; total: number }> {
    const base = inScope(
      db
        .selectFrom('attendance_records as r')
        .innerJoin('users as u', 'u.user_id', 'r.user_id')
        .where('r.session_id', '=', sessionId),
      'r.org_id',
      scope,
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
