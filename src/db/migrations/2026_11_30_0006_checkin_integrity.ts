/**
 * Check-in integrity (API.md Part 2, "Check-in codes", "Location decision and flags"):
 * - sessions: code_mode none|static|rotating, code_period_seconds, the rotating code's secret
 *   (hex of 32 random bytes, set by the service), boundary_policy (null = the organization's);
 * - organizations: boundary_policy flag|reject, store_coordinates;
 * - records: flags (comma-separated names, '' for none), review_state, device_hash (HMAC of the
 *   client's device_id), with the (session_id, device_hash) index the shared-device lookup reads and
 *   the (org_id, review_state) index of the review queue;
 * - scan_ticket_uses: one row per scan ticket spent by a check-in; its primary key makes a ticket
 *   single-use even when two check-ins present it at once.
 * Existing sessions with require_code=1 become code_mode 'static' (what Part 1's flag means).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('boundary_policy', 'varchar(10)', (c) => c.notNull().defaultTo('flag'))
    .execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('store_coordinates', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .alterTable('attendance_sessions')
    .addColumn('code_mode', 'varchar(10)', (c) => c.notNull().defaultTo('none'))
    .execute();
  await db.schema
    .alterTable('attendance_sessions')
    .addColumn('code_period_seconds', 'integer', (c) => c.notNull().defaultTo(15))
    .execute();
  await db.schema.alterTable('attendance_sessions').addColumn('code_secret', 'varchar(64)').execute();
  await db.schema.alterTable('attendance_sessions').addColumn('boundary_policy', 'varchar(10)').execute();
  await db
    .updateTable('attendance_sessions')
    .set({ code_mode: 'static' })
    .where('require_code', '=', 1)
    .execute();

  await db.schema
    .alterTable('attendance_records')
    .addColumn('flags', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('attendance_records')
    .addColumn('review_state', 'varchar(10)', (c) => c.notNull().defaultTo('none'))
    .execute();
  await db.schema.alterTable('attendance_records').addColumn('device_hash', 'varchar(64)').execute();
  await db.schema
    .createIndex('attendance_records_session_device_idx')
    .on('attendance_records')
    .columns(['session_id', 'device_hash'])
    .execute();
  await db.schema
    .createIndex('attendance_records_org_review_idx')
    .on('attendance_records')
    .columns(['org_id', 'review_state'])
    .execute();

  await db.schema
    .createTable('scan_ticket_uses')
    .addColumn('ticket_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('session_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('scan_ticket_uses_used_idx')
    .on('scan_ticket_uses')
    .columns(['used_at'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('scan_ticket_uses').execute();
  await db.schema.dropIndex('attendance_records_org_review_idx').on('attendance_records').execute();
  await db.schema.dropIndex('attendance_records_session_device_idx').on('attendance_records').execute();
  for (const c of ['device_hash', 'review_state', 'flags'])
    await db.schema.alterTable('attendance_records').dropColumn(c).execute();
  for (const c of ['boundary_policy', 'code_secret', 'code_period_seconds', 'code_mode'])
    await db.schema.alterTable('attendance_sessions').dropColumn(c).execute();
  for (const c of ['store_coordinates', 'boundary_policy'])
    await db.schema.alterTable('organizations').dropColumn(c).execute();
}
