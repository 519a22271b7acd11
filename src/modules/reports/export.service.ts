/** Exports: the caller's organization, filtered, streamed as CSV or XLSX. */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fieldError, notFound } from '../../lib/errors.js';
import type { Actor } from '../../lib/tenancy.js';
import { localDateRangeMs, parseLocalDate } from '../../lib/time.js';
import { canSeeUser } from '../../lib/visibility.js';
import { usersRepository } from '../users/users.repository.js';
import { csvStream, xlsxStream } from './export.format.js';
import { exportRows } from './export.repository.js';
import type { ReportsService } from './reports.service.js';

export type ExportFormat = 'csv' | 'xlsx';

export const exportFilename = (format: ExportFormat) =>
  `attendance-${new Date().toISOString().slice(0, 10)}.${format}`;

interface ExportQuery {
  start_date?: string;
  end_date?: string;
  org_id?: string;
  session_id?: string;
  user_id?: string;
  group_id?: string;
}

export function createExportService(deps: { db: Kysely<Database>; reports: ReportsService }) {
  const { db, reports } = deps;
  return {
    /** Validates everything before the first byte is sent: errors still get the JSON envelope. */
    async open(actor: Actor, q: ExportQuery, format: ExportFormat): Promise<Readable> {
      const org = await reports.orgFor(actor, q.org_id);
      for (const field of ['start_date', 'end_date'] as const) {
        const v = q[field];
        if (v !== undefined && !parseLocalDate(v)) throw fieldError(field, 'must be a real date YYYY-MM-DD');
      }
      const range = localDateRangeMs(q.start_date, q.end_date, org.timezone);
      // Filters naming another organization's objects answer 404, as everywhere.
      const exists = async (
        table: 'attendance_sessions' | 'groups',
        column: string,
        id: string | undefined,
      ) => {
        if (!id) return;
        const row = await db
          .selectFrom(table)
          .select('org_id')
          .where(column as 'org_id', '=', id)
          .where('org_id', '=', org.org_id)
          .executeTakeFirst();
        if (!row) throw notFound(table === 'attendance_sessions' ? 'Session' : 'Group');
      };
      await exists('attendance_sessions', 'session_id', q.session_id);
      if (q.user_id) {
        // A user the caller may not see is unknown here too (lib/visibility.ts).
        const user = await usersRepository.findById(db, org.org_id, q.user_id);
        if (!user || !canSeeUser(actor, user)) throw notFound('User');
      }
      await exists('groups', 'group_id', q.group_id);
      // Reads never write: the scheduler closes ended sessions within 60 s, writing their absent rows.
      const rows = exportRows(db, {
        orgId: org.org_id,
        ...range,
        sessionId: q.session_id,
        userId: q.user_id,
        groupId: q.group_id,
        seenBy: actor,
      });
      return format === 'csv' ? csvStream(rows) : await xlsxStream(rows);
    },
  };
}
export type ExportService = ReturnType<typeof createExportService>;
