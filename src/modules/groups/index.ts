import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { groupsRoutes } from './groups.routes.js';
import { createGroupsService } from './groups.service.js';

/** Registers the groups routes under /admin/groups. */
export async function registerGroupsModule(app: App, deps: ModuleDeps): Promise<void> {
  const groups = createGroupsService({ db: deps.db });
  await app.register(groupsRoutes, { prefix: '/admin/groups', groups });
}
