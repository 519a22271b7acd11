/** Webhook endpoints (admins of the organization; super_admin names it with org_id). */
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { conflict, fieldError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, requireRole, scopeOf } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { recordAudit } from '../audit/audit.repository.js';
import { outboxRepository } from '../outbox/outbox.repository.js';
import type { OutboxRow } from '../outbox/outbox.table.js';
import { readScope, targetOrg } from '../users/users.access.js';
import { isForbiddenAddress } from './safe-post.js';
import { newWebhookSecret, type SecretBox } from './webhook-secrets.js';
import { webhooksRepository as repo } from './webhooks.repository.js';
import type {
  CreateWebhookInput,
  DeliveryDto,
  ListDeliveriesQueryInput,
  ListWebhooksQueryInput,
  UpdateWebhookInput,
  WebhookDto,
} from './webhooks.schemas.js';
import type { WebhookAttemptsTable, WebhookRow } from './webhooks.table.js';

const toDto = (r: WebhookRow): WebhookDto => ({
  webhook_id: r.webhook_id,
  org_id: r.org_id,
  url: r.url,
  events: JSON.parse(r.events),
  description: r.description,
  is_active: Boolean(r.is_active),
  created_at: toIso(Number(r.created_at)),
  updated_at: toIso(Number(r.updated_at)),
});

function toDelivery(r: OutboxRow, attempts: WebhookAttemptsTable[]): DeliveryDto {
  const last = attempts[attempts.length - 1];
  return {
    delivery_id: r.message_id,
    webhook_id: r.target_id ?? '',
    event_type: r.topic,
    state: r.state,
    attempts: r.attempts,
    last_status_code: last?.status_code ?? null,
    last_error: r.last_error,
    next_attempt_at: r.state === 'pending' ? toIso(Number(r.next_attempt_at)) : null,
    created_at: toIso(Number(r.created_at)),
    delivered_at: r.delivered_at === null ? null : toIso(Number(r.delivered_at)),
    attempts_log: attempts.map((a) => ({
      attempt: a.attempt,
      status_code: a.status_code,
      duration_ms: a.duration_ms,
      response_body: a.response_body,
      error: a.error,
      at: toIso(Number(a.created_at)),
    })),
  };
}

export interface WebhooksDeps {
  db: Kysely<Database>;
  box: SecretBox;
  allowPrivate: boolean;
  now?: () => number;
}

export function createWebhooksService(deps: WebhooksDeps) {
  const { db, box } = deps;
  const now = deps.now ?? Date.now;

  /** Scheme and, without WEBHOOK_ALLOW_PRIVATE, no literal private address; names are checked per delivery. */
  function checkUrl(url: string): string {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw fieldError('url', 'must be an absolute http(s) URL');
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw fieldError('url', 'must use http or https');
    if (u.username || u.password) throw fieldError('url', 'must not carry credentials');
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    if (!deps.allowPrivate && ((isIP(host) && isForbiddenAddress(host)) || /(^|\.)localhost\.?$/i.test(host)))
      throw fieldError('url', 'must point to a public address');
    return u.toString();
  }

  async function load(actor: Actor, webhookId: string): Promise<WebhookRow> {
    requireRole(actor, 'super_admin', 'admin');
    const row = await repo.findById(db, scopeOf(actor), webhookId);
    if (!row) throw notFound('Webhook');
    return row;
  }

  const audit = (
    actor: Actor,
    row: WebhookRow,
    action: string,
    ip?: string,
    details?: Record<string, unknown>,
  ) =>
    recordAudit(db, {
      orgId: row.org_id,
      actorId: actor.userId,
      action,
      targetType: 'webhook',
      targetId: row.webhook_id,
      details,
      ip,
    });

  return {
    async list(actor: Actor, q: ListWebhooksQueryInput) {
      requireRole(actor, 'super_admin', 'admin');
      const page = pageRequest(q);
      const { rows, total } = await repo.list(db, readScope(actor, q.org_id), page.perPage, page.offset);
      return { items: rows.map(toDto), pagination: pagination(page, total) };
    },

    get: async (actor: Actor, webhookId: string) => toDto(await load(actor, webhookId)),

    async create(actor: Actor, input: CreateWebhookInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const orgId = await targetOrg(db, actor, input.org_id);
      const secret = newWebhookSecret();
      const t = now();
      const row: WebhookRow = {
        webhook_id: newId(),
        org_id: orgId,
        url: checkUrl(input.url),
        events: JSON.stringify(input.events),
        description: input.description ?? null,
        secret_enc: box.seal(secret),
        is_active: input.is_active === false ? 0 : 1,
        created_by: actor.userId,
        created_at: t,
        updated_at: t,
      };
      await repo.insert(db, row);
      await audit(actor, row, 'webhook.created', ip, { url: row.url, events: input.events });
      return { ...toDto(row), secret };
    },

    async update(actor: Actor, webhookId: string, input: UpdateWebhookInput, ip?: string) {
      const row = await load(actor, webhookId);
      const patch: Partial<WebhookRow> = { updated_at: now() };
      if (input.url !== undefined) patch.url = checkUrl(input.url);
      if (input.events !== undefined) patch.events = JSON.stringify(input.events);
      if (input.description !== undefined) patch.description = input.description;
      if (input.is_active !== undefined) patch.is_active = input.is_active ? 1 : 0;
      await repo.update(db, row.org_id, webhookId, patch);
      await audit(actor, row, 'webhook.updated', ip, { fields: Object.keys(input) });
      return toDto({ ...row, ...patch });
    },

    async remove(actor: Actor, webhookId: string, ip?: string) {
      const row = await load(actor, webhookId);
      await repo.remove(db, row.org_id, webhookId);
      await audit(actor, row, 'webhook.deleted', ip, { url: row.url });
    },

    async rotateSecret(actor: Actor, webhookId: string, ip?: string) {
      const row = await load(actor, webhookId);
      const secret = newWebhookSecret();
      const patch = { secret_enc: box.seal(secret), updated_at: now() };
      await repo.update(db, row.org_id, webhookId, patch);
      await audit(actor, row, 'webhook.secret_rotated', ip);
      return { ...toDto({ ...row, ...patch }), secret };
    },

    async deliveries(actor: Actor, webhookId: string, q: ListDeliveriesQueryInput) {
      const hook = await load(actor, webhookId);
      const page = pageRequest(q);
      const { rows, total } = await repo.deliveries(
        db,
        hook.org_id,
        webhookId,
        q.state,
        page.perPage,
        page.offset,
      );
      const attempts = await repo.attemptsOf(
        db,
        hook.org_id,
        rows.map((r) => r.message_id),
      );
      const items = rows.map((r) =>
        toDelivery(
          r,
          attempts.filter((a) => a.message_id === r.message_id),
        ),
      );
      return { items, pagination: pagination(page, total) };
    },

    /** Due now with a fresh retry window; a delivered one is sent again (same webhook-id). */
    async retry(actor: Actor, webhookId: string, deliveryId: string, ip?: string) {
      const hook = await load(actor, webhookId);
      const row = await repo.delivery(db, hook.org_id, webhookId, deliveryId);
      if (!row) throw notFound('Delivery');
      if (!(await outboxRepository.requeue(db, deliveryId, now())))
        throw conflict('CONFLICT', 'This delivery is being attempted right now');
      await audit(actor, hook, 'webhook.delivery_retried', ip, { delivery_id: deliveryId });
      const fresh = (await repo.delivery(db, hook.org_id, webhookId, deliveryId))!;
      return toDelivery(fresh, await repo.attemptsOf(db, hook.org_id, [deliveryId]));
    },
  };
}
export type WebhooksService = ReturnType<typeof createWebhooksService>;
