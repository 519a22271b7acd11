/** The audit trail of attendance records: force check-ins, corrections, absences recorded at close. */
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import type { NewRecordChangeRow, RecordChangeRow } from './attendance.table.js';

export type RecordChangeWithActor = RecordChangeRow & { changed_by_name: string | null };

export const recordChangesRepository = {
  async insert(db: Db, rows: NewRecordChangeRow[]): Promise<void> {
    if (rows.length) await db.insertInto('attendance_record_changes').values(rows).execute();
  },

  async listForRecord(
    db: Db,
    recordId: string,
    page: PageRequest,
  ): Promise<{ rows: RecordChangeWithActor[]; total: number }> {
    const base = db.selectFrom('attendance_record_changes as c').where('c.record_id', '=', recordId);
    const [rows, count] = await Promise.all([
      base
        .leftJoin('users as u', 'u.user_id', 'c.changed_by')
        .selectAll('c')
        .select('u.name as changed_by_name')
        .orderBy('c.changed_at')
        .orderBy('c.change_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
};
