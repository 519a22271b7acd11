import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { organizationsRoutes } from './organizations.routes.js';
import { createOrganizationsService } from './organizations.service.js';

/** Registers the organizations routes under /admin/organizations. */
export async function registerOrganizationsModule(app: App, deps: ModuleDeps): Promise<void> {
  const orgs = createOrganizationsService({ db: deps.db });
  await app.register(organizationsRoutes, { prefix: '/admin/organizations', orgs });
}
