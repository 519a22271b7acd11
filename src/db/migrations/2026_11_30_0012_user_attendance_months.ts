/**
 * Per-user attendance counts per UTC month of session start (issue 15 item 4), so the organization
 * summary's lowest-attendance list sums ~12 rows per user for a year instead of every record.
 * `user_attendance_months` holds, for each (org, user, month), the user's records in closed, active
 * sessions starting in that month: how many, and how many present or late. It is kept by increments
 * in the transactions that change those records or sessions. `user_attendance_orgs` says which
 * organizations have been counted in full (built from their records once, by the scheduler); an org
 * without a built row is answered from the records. Frozen; portable as 0001.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('user_attendance_months')
    .addColumn('org_id', id, (c) => c.notNull().references('organizations.org_id'))
    .addColumn('user_id', id, (c) => c.notNull())
    .addColumn('month_start', 'bigint', (c) => c.notNull())
    .addColumn('sessions', 'integer', (c) => c.notNull())
    .addColumn('attended', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_attendance_months_pk', ['org_id', 'user_id', 'month_start'])
    .execute();
  // The summary sums a range of months per user of one org: index-only and in user order from this
  // index (no sort on SQLite; measured 2x faster than an index led by month_start at 1M records).
  await db.schema
    .createIndex('user_attendance_months_org_user_idx')
    .on('user_attendance_months')
    .columns(['org_id', 'user_id', 'month_start', 'sessions', 'attended'])
    .execute();
  await db.schema
    .createTable('user_attendance_orgs')
    .addColumn('org_id', id, (c) => c.primaryKey().references('organizations.org_id'))
    .addColumn('built_at', 'bigint')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('user_attendance_orgs').execute();
  await db.schema.dropTable('user_attendance_months').execute();
}
