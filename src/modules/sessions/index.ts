import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { sessionsRoutes } from './sessions.routes.js';
import { type CloseSession, createSessionsService, type SessionsService } from './sessions.service.js';

/** Registers the attendance-session routes under /admin/sessions. */
export async function registerSessionsModule(
  app: App,
  deps: ModuleDeps & { closeSession: CloseSession },
): Promise<SessionsService> {
  const sessions = createSessionsService(deps);
  await app.register(sessionsRoutes, { prefix: '/admin/sessions', sessions });
  return sessions;
}
