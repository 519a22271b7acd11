/** Background jobs (bulk import with `Prefer: respond-async`). Frozen; portable as 0001. */
import { type Kysely, MysqlAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('job_id', id, (c) => c.primaryKey())
    .addColumn('org_id', id, (c) => c.notNull())
    .addColumn('created_by', id, (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'text')
    .addColumn('result_read_at', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  // MySQL's `text` holds 64 KB; a 10,000-row import's result (with generated passwords) is ~1 MB.
  if (db.getExecutor().adapter instanceof MysqlAdapter)
    await db.schema.alterTable('jobs').modifyColumn('result', sql`longtext`).execute();
  await db.schema.createIndex('jobs_state_idx').on('jobs').columns(['state', 'updated_at']).execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('jobs').ifExists().execute();
}
