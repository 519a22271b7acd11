/**
 * Session series (recurring sessions) and calendar feed tokens (API.md Part 2 "Session series").
 * A series keeps its schedule and its settings; its sessions are ordinary rows pointing at it
 * (`series_id`), with `series_detached` set once a session is edited on its own, so a later edit of
 * the series leaves it alone. Calendar tokens are stored as SHA-256 digests only; one per user.
 * Frozen; portable as 0001 (no foreign key is added to an existing table: SQLite cannot ALTER one in).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('session_series')
    .addColumn('series_id', id, (c) => c.primaryKey())
    .addColumn('org_id', id, (c) => c.notNull().references('organizations.org_id'))
    .addColumn('session_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('group_id', id)
    .addColumn('teacher_ids', 'text', (c) => c.notNull())
    .addColumn('weekdays', 'varchar(32)', (c) => c.notNull())
    .addColumn('start_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('end_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('start_local', 'varchar(5)', (c) => c.notNull())
    .addColumn('end_local', 'varchar(5)', (c) => c.notNull())
    .addColumn('interval_weeks', 'integer', (c) => c.notNull())
    .addColumn('skip_dates', 'text', (c) => c.notNull())
    .addColumn('timezone', 'varchar(64)', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_by', id)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('session_series_org_idx')
    .on('session_series')
    .columns(['org_id', 'created_at'])
    .execute();

  await db.schema.alterTable('attendance_sessions').addColumn('series_id', id).execute();
  await db.schema
    .alterTable('attendance_sessions')
    .addColumn('series_detached', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('attendance_sessions_series_idx')
    .on('attendance_sessions')
    .columns(['series_id', 'start_time'])
    .execute();

  await db.schema
    .createTable('calendar_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.notNull().unique().references('users.user_id'))
    .addColumn('org_id', id)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('calendar_tokens').ifExists().execute();
  await db.schema.dropIndex('attendance_sessions_series_idx').on('attendance_sessions').execute();
  await db.schema.alterTable('attendance_sessions').dropColumn('series_detached').execute();
  await db.schema.alterTable('attendance_sessions').dropColumn('series_id').execute();
  await db.schema.dropTable('session_series').ifExists().execute();
}
