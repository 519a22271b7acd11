/** Warning rules and the warnings they sent. Frozen; portable as 0001. */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('warning_rules')
    .addColumn('rule_id', id, (c) => c.primaryKey())
    .addColumn('org_id', id, (c) => c.notNull().references('organizations.org_id'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('min_sessions', 'integer', (c) => c.notNull())
    .addColumn('group_id', id)
    .addColumn('notify', 'text', (c) => c.notNull())
    .addColumn('cooldown_days', 'integer', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', id)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('warning_rules_org_idx')
    .on('warning_rules')
    .columns(['org_id', 'is_active'])
    .execute();

  await db.schema
    .createTable('warnings')
    .addColumn('warning_id', id, (c) => c.primaryKey())
    .addColumn('org_id', id, (c) => c.notNull())
    .addColumn('rule_id', id, (c) => c.notNull())
    .addColumn('user_id', id, (c) => c.notNull())
    .addColumn('session_id', id, (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('warnings_rule_user_idx')
    .on('warnings')
    .columns(['rule_id', 'user_id', 'created_at'])
    .execute();
  await db.schema.createIndex('warnings_org_idx').on('warnings').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Db): Promise<void> {
  for (const t of ['warnings', 'warning_rules']) await db.schema.dropTable(t).ifExists().execute();
}
