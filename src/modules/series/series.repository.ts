/** Session series and the sessions of a series, always read and written within an OrgScope. */

import type { Updateable } from 'kysely';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { SessionPatch } from '../sessions/sessions.repository.js';
import type { AttendanceSessionRow, NewAttendanceSessionRow } from '../sessions/sessions.table.js';
import type { SessionSeriesRow, SessionSeriesTable } from './series.table.js';

/** Rows per INSERT: ~30 columns each keeps a statement far under every engine's parameter limit. */
const INSERT_CHUNK = 100;

export const seriesRepository = {
  async insert(db: Db, row: SessionSeriesRow): Promise<void> {
    await db.insertInto('session_series').values(row).execute();
  },

  async insertSessions(db: Db, rows: readonly NewAttendanceSessionRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await db
        .insertInto('attendance_sessions')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
  },

  findById(db: Db, scope: OrgScope, seriesId: string): Promise<SessionSeriesRow | undefined> {
    return inScope(
      db.selectFrom('session_series').selectAll().where('series_id', '=', seriesId),
      'org_id',
      scope,
    ).executeTakeFirst();
  },

  async list(
    db: Db,
    scope: OrgScope,
    f: { orgId?: string; active?: boolean },
    page: PageRequest,
  ): Promise<{ rows: SessionSeriesRow[]; total: number }> {
    const base = inScope(db.selectFrom('session_series'), 'org_id', scope)
      .$if(f.orgId !== undefined, (qb) => qb.where('org_id', '=', f.orgId!))
      .$if(f.active !== undefined, (qb) => qb.where('is_active', '=', f.active ? 1 : 0));
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('series_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  /** Sessions per series (cancelled included), for a page of series. */
  async sessionCounts(db: Db, seriesIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(seriesIds.map((id) => [id, 0]));
    if (seriesIds.length === 0) return out;
    const rows = await db
      .selectFrom('attendance_sessions')
      .select(['series_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('series_id', 'in', [...seriesIds])
      .groupBy('series_id')
      .execute();
    for (const r of rows) out.set(r.series_id!, Number(r.n));
    return out;
  },

  /** The series' sessions by start time; `unstartedAfter` keeps those starting after that instant. */
  sessionsOf(
    db: Db,
    orgId: string,
    seriesId: string,
    opts: { unstartedAfter?: number; activeOnly?: boolean; attachedOnly?: boolean } = {},
  ): Promise<AttendanceSessionRow[]> {
    return db
      .selectFrom('attendance_sessions')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('series_id', '=', seriesId)
      .$if(opts.unstartedAfter !== undefined, (qb) => qb.where('start_time', '>', opts.unstartedAfter!))
      .$if(opts.activeOnly === true, (qb) => qb.where('is_active', '=', 1))
      .$if(opts.attachedOnly === true, (qb) => qb.where('series_detached', '=', 0))
      .orderBy('start_time')
      .orderBy('session_id')
      .execute();
  },

  /**
   * Applies a series edit to one of its sessions only while it is still attached, active, not closed
   * and not started: a single-session edit committed meanwhile (which detaches it) wins. False when skipped.
   */
  async updateAttachedSession(
    db: Db,
    orgId: string,
    sessionId: string,
    patch: SessionPatch,
    now: number,
  ): Promise<boolean> {
    const res = await db
      .updateTable('attendance_sessions')
      .set(patch)
      .where('session_id', '=', sessionId)
      .where('org_id', '=', orgId)
      .where('series_detached', '=', 0)
      .where('is_active', '=', 1)
      // A session closed before its start (attendance already taken) keeps its time: its records
      // count in the month of that start (user-counts.repository.ts).
      .where('closed_at', 'is', null)
      .where('start_time', '>', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },

  async update(
    db: Db,
    orgId: string,
    seriesId: string,
    patch: Omit<Updateable<SessionSeriesTable>, 'series_id' | 'org_id'>,
  ): Promise<void> {
    await db
      .updateTable('session_series')
      .set(patch)
      .where('series_id', '=', seriesId)
      .where('org_id', '=', orgId)
      .execute();
  },
};
