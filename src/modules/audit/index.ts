import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { auditRoutes } from './audit.routes.js';
import { createAuditService } from './audit.service.js';

/** Registers GET /admin/audit and its CSV export. */
export async function registerAuditModule(app: App, deps: ModuleDeps): Promise<void> {
  await app.register(auditRoutes, { prefix: '/admin/audit', audit: createAuditService({ db: deps.db }) });
}
