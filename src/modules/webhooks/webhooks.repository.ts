/** Webhook endpoints and their delivery log, always scoped by organization. */
import { prepared } from '../../db/prepared.js';
import type { Db } from '../../db/types.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { WebhookRow } from './webhooks.table.js';

// Asked by every change that announces itself (the outbox's interest): built once.
const activeOf = prepared((db: Db, orgId: string) =>
  db.selectFrom('webhooks').selectAll().where('org_id', '=', orgId).where('is_active', '=', 1),
);

export const webhooksRepository = {
  insert(db: Db, row: WebhookRow) {
    return db.insertInto('webhooks').values(row).execute();
  },
  findById(db: Db, scope: OrgScope, webhookId: string) {
    return inScope(
      db.selectFrom('webhooks').selectAll().where('webhook_id', '=', webhookId),
      'org_id',
      scope,
    ).executeTakeFirst();
  },
  async list(db: Db, scope: OrgScope, limit: number, offset: number) {
    const rows = await inScope(db.selectFrom('webhooks').selectAll(), 'org_id', scope)
      .orderBy('created_at', 'desc')
      .orderBy('webhook_id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    const total = await inScope(
      db.selectFrom('webhooks').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')),
      'org_id',
      scope,
    ).executeTakeFirstOrThrow();
    return { rows, total: Number(total.n) };
  },
  async update(db: Db, orgId: string, webhookId: string, patch: Partial<WebhookRow>) {
    await db
      .updateTable('webhooks')
      .set(patch)
      .where('webhook_id', '=', webhookId)
      .where('org_id', '=', orgId)
      .execute();
  },
  async remove(db: Db, orgId: string, webhookId: string) {
    await db.deleteFrom('webhooks').where('webhook_id', '=', webhookId).where('org_id', '=', orgId).execute();
  },
  /** Active endpoints of an organization (the fan-out filters by event type in code: events is JSON). */
  activeOf(db: Db, orgId: string): Promise<WebhookRow[]> {
    return activeOf.all(db, orgId);
  },

  async deliveries(
    db: Db,
    orgId: string,
    webhookId: string,
    state: string | undefined,
    limit: number,
    offset: number,
  ) {
    let q = db
      .selectFrom('outbox')
      .where('channel', '=', 'webhook')
      .where('org_id', '=', orgId)
      .where('target_id', '=', webhookId);
    if (state) q = q.where('state', '=', state as 'pending');
    const rows = await q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('message_id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    const total = await q
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirstOrThrow();
    return { rows, total: Number(total.n) };
  },
  delivery(db: Db, orgId: string, webhookId: string, deliveryId: string) {
    return db
      .selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', deliveryId)
      .where('channel', '=', 'webhook')
      .where('org_id', '=', orgId)
      .where('target_id', '=', webhookId)
      .executeTakeFirst();
  },
  attemptsOf(db: Db, orgId: string, messageIds: readonly string[]) {
    if (messageIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('message_id', 'in', messageIds)
      .orderBy('attempt')
      .execute();
  },
  logAttempt(
    db: Db,
    row: {
      attempt_id: string;
      message_id: string;
      webhook_id: string;
      org_id: string;
      attempt: number;
      status_code: number | null;
      duration_ms: number;
      response_body: string | null;
      error: string | null;
      created_at: number;
    },
  ) {
    return db.insertInto('webhook_attempts').values(row).execute();
  },
};
