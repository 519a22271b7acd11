import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import type { Outbox } from '../outbox/outbox.js';
import { webhookDeliverer, webhookFanOut, webhookInterest } from './webhook-delivery.js';
import { createSecretBox } from './webhook-secrets.js';
import { webhooksRoutes } from './webhooks.routes.js';
import { createWebhooksService } from './webhooks.service.js';

/**
 * The webhook channel of the outbox: which events it wants stored, their fan-out, signed delivery.
 * The CLI registers it too, so that its changes store the events the server's worker will want.
 */
export function webhooksOnOutbox(outbox: Outbox, deps: Pick<ModuleDeps, 'db' | 'config'>): void {
  outbox.onEvent(webhookFanOut(outbox.enqueue), webhookInterest);
  outbox.deliverer(
    'webhook',
    webhookDeliverer({
      db: deps.db,
      box: createSecretBox(deps.config.secretKey),
      allowPrivate: deps.config.webhookAllowPrivate,
    }),
  );
}

/** /admin/webhooks, and the webhook channel of the outbox. */
export async function registerWebhooksModule(app: App, deps: ModuleDeps, outbox: Outbox): Promise<void> {
  webhooksOnOutbox(outbox, deps);
  const box = createSecretBox(deps.config.secretKey);
  const allowPrivate = deps.config.webhookAllowPrivate;
  const webhooks = createWebhooksService({ db: deps.db, box, allowPrivate });
  await app.register(webhooksRoutes, { prefix: '/admin/webhooks', webhooks });
}
