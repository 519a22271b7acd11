/**
 * The live feed's stored events (API.md Part 2 "Live feed"): what a reconnecting client missed is
 * replayed from here, across restarts. Each session numbers its events 1, 2, 3… (`live_session_seq`
 * holds the last number given); the number is taken as the last write of the transaction of the
 * change, under the counter row's lock, so per session the numbers follow commit order without
 * gaps. Frozen; portable as 0001.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('live_session_seq')
    .addColumn('session_id', id, (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('live_events')
    .addColumn('session_id', id, (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    // 'record' (ref_id = record_id) or 'session' (ref_id = session_id).
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('ref_id', id, (c) => c.notNull())
    // created | changed (records), updated | closed | cancelled (sessions).
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_events_pk', ['session_id', 'seq'])
    .execute();
  await db.schema.createIndex('live_events_created_idx').on('live_events').column('created_at').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('live_events').ifExists().execute();
  await db.schema.dropTable('live_session_seq').ifExists().execute();
}
