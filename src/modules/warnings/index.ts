import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import type { Outbox } from '../outbox/outbox.js';
import { warningsOnSessionClosed } from './warnings.evaluator.js';
import { warningsRoutes } from './warnings.routes.js';
import { createWarningsService } from './warnings.service.js';

/** Rule evaluation on every session.closed event (the CLI registers it too: its closes store the event). */
export function warningsOnOutbox(outbox: Outbox): void {
  outbox.onEvent(warningsOnSessionClosed(outbox), async () => (type) => type === 'session.closed');
}

/** /admin/warning-rules, /admin/warnings, and rule evaluation on session.closed events of the outbox. */
export async function registerWarningsModule(app: App, deps: ModuleDeps, outbox: Outbox): Promise<void> {
  warningsOnOutbox(outbox);
  await app.register(warningsRoutes, { prefix: '/admin', warnings: createWarningsService({ db: deps.db }) });
}
