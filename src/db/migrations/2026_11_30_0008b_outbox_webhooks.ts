/**
 * The outbox (messages written in the transaction of the change that causes them, delivered by a
 * worker), webhook endpoints and the log of webhook delivery attempts. Frozen; portable as 0001.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('message_id', id, (c) => c.primaryKey())
    .addColumn('org_id', id)
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('topic', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_id', id)
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    // Retries stop once the retry window after this instant has passed (a manual retry restarts it).
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema
    .createIndex('outbox_target_idx')
    .on('outbox')
    .columns(['target_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('webhook_id', id, (c) => c.primaryKey())
    .addColumn('org_id', id, (c) => c.notNull().references('organizations.org_id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', id)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_org_idx').on('webhooks').columns(['org_id', 'is_active']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('attempt_id', id, (c) => c.primaryKey())
    .addColumn('message_id', id, (c) => c.notNull())
    .addColumn('webhook_id', id, (c) => c.notNull())
    .addColumn('org_id', id, (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_attempts_message_idx')
    .on('webhook_attempts')
    .columns(['message_id', 'attempt'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const t of ['webhook_attempts', 'webhooks', 'outbox'])
    await db.schema.dropTable(t).ifExists().execute();
}
