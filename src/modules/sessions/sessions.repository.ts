/** Attendance sessions, always read and written within an OrgScope. */
import type { Updateable } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import { prepared } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { ALL_ORGS, inScope, type OrgScope } from '../../lib/tenancy.js';
import { sessionTeachersRepository } from './session-teachers.repository.js';
import type {
  AttendanceSessionRow,
  AttendanceSessionsTable,
  NewAttendanceSessionRow,
} from './sessions.table.js';

export interface SessionFilter {
  active?: boolean;
  /** start_time >= fromMs */
  fromMs?: number;
  /** start_time < toMs */
  toMs?: number;
  groupId?: string;
  createdBy?: string;
  /** Sessions this user is a teacher of. */
  teacherId?: string;
  orgId?: string;
}

/** A session with the organization defaults a check-in needs, read in one query. */
export type SessionForCheckIn = AttendanceSessionRow & {
  org_late_after_minutes: number;
  org_default_radius: number | null;
};

/** A session with its teachers (API.md Part 2 "Who runs a session"), as `findById` reads it. */
export type SessionWithTeachers = AttendanceSessionRow & { teacher_ids: string[] };

export type SessionPatch = Omit<Updateable<AttendanceSessionsTable>, 'session_id' | 'org_id' | 'created_at'>;

const withOrgDefaults = (db: Db) =>
  db
    .selectFrom('attendance_sessions as s')
    .innerJoin('organizations as o', 'o.org_id', 's.org_id')
    .selectAll('s')
    .select([
      'o.late_after_minutes as org_late_after_minutes',
      'o.default_geofence_radius as org_default_radius',
    ]);

/** Read on every check-in: prepared (src/db/prepared.ts). */
const forCheckInInOrg = prepared((db: Db, sessionId: string, orgId: string) =>
  withOrgDefaults(db).where('s.session_id', '=', sessionId).where('s.org_id', '=', orgId),
);

export const sessionsRepository = {
  /** The session and its teachers, so any caller can run the access rule (session-access.ts). */
  async findById(db: Db, scope: OrgScope, sessionId: string): Promise<SessionWithTeachers | undefined> {
    const row = await inScope(
      db.selectFrom('attendance_sessions').selectAll().where('session_id', '=', sessionId),
      'org_id',
      scope,
    ).executeTakeFirst();
    if (!row) return undefined;
    return { ...row, teacher_ids: await sessionTeachersRepository.forSession(db, sessionId) };
  },

  findForCheckIn(db: Db, scope: OrgScope, sessionId: string): Promise<SessionForCheckIn | undefined> {
    if (scope === ALL_ORGS)
      return withOrgDefaults(db).where('s.session_id', '=', sessionId).executeTakeFirst();
    return forCheckInInOrg.first(db, sessionId, scope);
  },

  async list(
    db: Db,
    scope: OrgScope,
    f: SessionFilter,
    page: PageRequest,
  ): Promise<{ rows: AttendanceSessionRow[]; total: number }> {
    const base = inScope(db.selectFrom('attendance_sessions'), 'org_id', scope)
      .$if(f.orgId !== undefined, (qb) => qb.where('org_id', '=', f.orgId!))
      .$if(f.active !== undefined, (qb) => qb.where('is_active', '=', f.active ? 1 : 0))
      .$if(f.fromMs !== undefined, (qb) => qb.where('start_time', '>=', f.fromMs!))
      .$if(f.toMs !== undefined, (qb) => qb.where('start_time', '<', f.toMs!))
      .$if(f.groupId !== undefined, (qb) => qb.where('group_id', '=', f.groupId!))
      .$if(f.createdBy !== undefined, (qb) => qb.where('created_by', '=', f.createdBy!))
      .$if(f.teacherId !== undefined, (qb) =>
        qb.where('session_id', 'in', (eb) =>
          eb.selectFrom('session_teachers').select('session_id').where('user_id', '=', f.teacherId!),
        ),
      );
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('start_time', 'desc')
        .orderBy('session_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async insert(db: Db, row: NewAttendanceSessionRow): Promise<void> {
    await db.insertInto('attendance_sessions').values(row).execute();
  },

  async update(db: Db, scope: OrgScope, sessionId: string, patch: SessionPatch): Promise<boolean> {
    const res = await inScope(
      db.updateTable('attendance_sessions').set(patch).where('session_id', '=', sessionId),
      'org_id',
      scope,
    ).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  /**
   * Locks the session row for a close, so closes of one session run one after the other. PostgreSQL
   * takes FOR NO KEY UPDATE, which lets the foreign-key checks of concurrent check-ins (KEY SHARE)
   * through; MySQL has only FOR UPDATE. Taken first in the transaction: on MySQL the inserted
   * records' foreign-key checks take shared locks on this row, and upgrading those to the exclusive
   * lock of the closing UPDATE is what deadlocks two closes.
   */
  lockForClose(
    db: Db,
    dialect: DialectName,
    sessionId: string,
  ): Promise<{ closed_at: number | null; is_active: number } | undefined> {
    return db
      .selectFrom('attendance_sessions')
      .select(['closed_at', 'is_active'])
      .where('session_id', '=', sessionId)
      .$if(dialect === 'postgres', (qb) => qb.forNoKeyUpdate())
      .$if(dialect === 'mysql', (qb) => qb.forUpdate())
      .executeTakeFirst();
  },

  /** Sets closed_at once: of two racing closes only the first stamps its time. */
  async markClosed(db: Db, sessionId: string, now: number): Promise<boolean> {
    const res = await db
      .updateTable('attendance_sessions')
      .set({ closed_at: now, updated_at: now })
      .where('session_id', '=', sessionId)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  /** Active sessions past their end that nobody has closed yet (of one org, or all for the CLI). */
  listEndedUnclosed(db: Db, scope: OrgScope, now: number): Promise<AttendanceSessionRow[]> {
    return inScope(
      db
        .selectFrom('attendance_sessions')
        .selectAll()
        .where('is_active', '=', 1)
        .where('closed_at', 'is', null)
        .where('end_time', '<=', now),
      'org_id',
      scope,
    )
      .orderBy('end_time')
      .execute();
  },

  /** Groups are owned by the groups module; a session only needs to know the id is of its org. */
  async groupInOrg(db: Db, orgId: string, groupId: string): Promise<boolean> {
    const row = await db
      .selectFrom('groups')
      .select('group_id')
      .where('group_id', '=', groupId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row !== undefined;
  },
};
