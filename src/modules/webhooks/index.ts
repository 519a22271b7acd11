import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import type { Outbox } from '../outbox/outbox.js';
import { webhookDeliverer, webhookFanOut } from './webhook-delivery.js';
import { createSecretBox } from './webhook-secrets.js';
import { webhooksRoutes } from './webhooks.routes.js';
import { createWebhooksService } from './webhooks.service.js';

/** /admin/webhooks, and the webhook channel of the outbox (fan-out of events, signed delivery). */
export async function registerWebhooksModule(app: App, deps: ModuleDeps, outbox: Outbox): Promise<void> {
  const box = createSecretBox(deps.config.secretKey);
  const allowPrivate = deps.config.webhookAllowPrivate;
  outbox.onEvent(webhookFanOut(outbox.enqueue));
  outbox.deliverer('webhook', webhookDeliverer({ db: deps.db, box, allowPrivate }));
  const webhooks = createWebhooksService({ db: deps.db, box, allowPrivate });
  await app.register(webhooksRoutes, { prefix: '/admin/webhooks', webhooks });
}
