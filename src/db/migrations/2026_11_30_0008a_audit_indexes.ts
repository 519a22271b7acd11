/**
 * Indexes for GET /admin/audit filters: by action and by actor within an organization, by target
 * anywhere, and newest-first across all organizations (super_admin).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createIndex('audit_log_org_action_idx')
    .on('audit_log')
    .columns(['org_id', 'action', 'created_at'])
    .execute();
  await db.schema
    .createIndex('audit_log_actor_idx')
    .on('audit_log')
    .columns(['actor_id', 'created_at'])
    .execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_id']).execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').columns(['created_at']).execute();
}

export async function down(db: Db): Promise<void> {
  for (const name of [
    'audit_log_created_idx',
    'audit_log_target_idx',
    'audit_log_actor_idx',
    'audit_log_org_action_idx',
  ])
    await db.schema.dropIndex(name).on('audit_log').execute();
}
