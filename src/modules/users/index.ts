import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { createBulkImportService } from './users.bulk.js';
import { usersBulkRoutes } from './users.bulk.routes.js';
import { usersRoutes } from './users.routes.js';
import { createUsersService } from './users.service.js';

/** Registers /admin/users (with bulk import and idle deactivation) and /admin/students. */
export async function registerUsersModule(app: App, deps: ModuleDeps, jobs: JobsService): Promise<void> {
  const { db, config, hasher, changes } = deps;
  const users = createUsersService({ db, config, hasher, changes });
  const bulk = createBulkImportService({ db, config, hasher, changes });
  await app.register(usersRoutes, { prefix: '/admin', users });
  await app.register(usersBulkRoutes, {
    prefix: '/admin',
    users,
    bulk,
    jobs,
    bodyLimit: config.bodyLimitBytes,
  });
}
