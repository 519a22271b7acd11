/**
 * The scheduler's leases (API.md Part 2 "Scheduler"): one row per job; the process whose `holder` it
 * names runs the job until `expires_at` (epoch ms) passes without a renewal, then another takes over.
 * `fence` grows on every acquisition or renewal, so a conditional UPDATE always changes the row
 * (MySQL counts changed rows, not matched ones).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('job_leases')
    .addColumn('job_name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(100)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('fence', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_run_at', 'bigint')
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('job_leases').execute();
}
