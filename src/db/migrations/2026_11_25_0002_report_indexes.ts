/**
 * Report aggregations read only (session_id, status, user_id) of attendance records: with this index
 * they are index-only scans, never touching the table rows (measured: bench/, BENCHMARKS.md).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createIndex('attendance_records_session_status_user_idx')
    .on('attendance_records')
    .columns(['session_id', 'status', 'user_id'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex('attendance_records_session_status_user_idx').on('attendance_records').execute();
}
