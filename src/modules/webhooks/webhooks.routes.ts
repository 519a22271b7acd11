import Type from 'typebox';
import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  CreateWebhookBody,
  DeliveryParams,
  DeliverySchema,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookBody,
  WebhookIdParams,
  WebhookSchema,
  WebhookWithSecretSchema,
} from './webhooks.schemas.js';
import type { WebhooksService } from './webhooks.service.js';

const tags = ['webhooks'];
const admins = ['super_admin', 'admin'] as const;
const signing =
  'Each event is POSTed as `{type, timestamp, data}` with Standard Webhooks headers: `webhook-id` ' +
  '(the same across retries), `webhook-timestamp` (seconds, per attempt) and `webhook-signature: ' +
  'v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` where key = the base64-decoded part of the secret ' +
  'after `whsec_`. Only a 2xx answer counts; others are retried with exponential backoff for 24 h. ' +
  'Addresses that are not public are refused at delivery time (WEBHOOK_ALLOW_PRIVATE lifts this).';

export async function webhooksRoutes(app: App, { webhooks }: { webhooks: WebhooksService }) {
  const opts = (summary: string, schema: Record<string, unknown>, description?: string) => ({
    onRequest: app.auth(...admins),
    schema: { tags, summary, description, security: bearer, ...schema },
  });

  app.get(
    '',
    opts('Webhook endpoints of the organization', {
      querystring: ListWebhooksQuery,
      response: { 200: okList(WebhookSchema), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) => {
      const { items, pagination } = await webhooks.list(req.actor, req.query as never);
      return successList('Webhooks', items, pagination);
    },
  );

  app.post(
    '',
    {
      ...opts(
        'Create a webhook endpoint; the answer carries its secret, shown only this once',
        {
          body: CreateWebhookBody,
          response: { 201: ok(WebhookWithSecretSchema), ...errorResponses(400, 401, 403, 404, 415) },
        },
        signing,
      ),
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(success('Webhook created', await webhooks.create(req.actor, req.body as never, req.ip))),
  );

  app.get(
    '/:webhook_id',
    opts('One webhook endpoint (never its secret)', {
      params: WebhookIdParams,
      response: { 200: ok(WebhookSchema), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) =>
      success('Webhook', await webhooks.get(req.actor, (req.params as { webhook_id: string }).webhook_id)),
  );

  app.put(
    '/:webhook_id',
    opts('Change a webhook endpoint (url, events, description, is_active)', {
      params: WebhookIdParams,
      body: UpdateWebhookBody,
      response: { 200: ok(WebhookSchema), ...errorResponses(400, 401, 403, 404, 415) },
    }),
    async (req) =>
      success(
        'Webhook updated',
        await webhooks.update(
          req.actor,
          (req.params as { webhook_id: string }).webhook_id,
          req.body as never,
          req.ip,
        ),
      ),
  );

  app.delete(
    '/:webhook_id',
    opts('Delete a webhook endpoint (pending deliveries are dropped as skipped)', {
      params: WebhookIdParams,
      response: { 200: ok(Type.Null()), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) => {
      await webhooks.remove(req.actor, (req.params as { webhook_id: string }).webhook_id, req.ip);
      return success('Webhook deleted', null);
    },
  );

  app.post(
    '/:webhook_id/rotate-secret',
    opts('Replace the signing secret; the answer carries the new one, shown only this once', {
      params: WebhookIdParams,
      response: { 200: ok(WebhookWithSecretSchema), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) =>
      success(
        'Secret rotated',
        await webhooks.rotateSecret(req.actor, (req.params as { webhook_id: string }).webhook_id, req.ip),
      ),
  );

  app.get(
    '/:webhook_id/deliveries',
    opts(
      'Deliveries of this endpoint, newest first, with every attempt (status, timing, 1 KB of the answer)',
      {
        params: WebhookIdParams,
        querystring: ListDeliveriesQuery,
        response: { 200: okList(DeliverySchema), ...errorResponses(400, 401, 403, 404) },
      },
    ),
    async (req) => {
      const { items, pagination } = await webhooks.deliveries(
        req.actor,
        (req.params as { webhook_id: string }).webhook_id,
        req.query as never,
      );
      return successList('Deliveries', items, pagination);
    },
  );

  app.post(
    '/:webhook_id/deliveries/:delivery_id/retry',
    opts('Send a delivery again now (same webhook-id), with a fresh 24 h retry window', {
      params: DeliveryParams,
      response: { 200: ok(DeliverySchema), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (req) => {
      const p = req.params as { webhook_id: string; delivery_id: string };
      return success('Delivery queued', await webhooks.retry(req.actor, p.webhook_id, p.delivery_id, req.ip));
    },
  );
}
