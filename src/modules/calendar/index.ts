import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { calendarRoutes } from './calendar.routes.js';
import { createCalendarService } from './calendar.service.js';

/** POST/DELETE /auth/calendar-token and the feed GET /calendar/{token}.ics. */
export async function registerCalendarModule(app: App, deps: ModuleDeps): Promise<void> {
  const calendar = createCalendarService({
    db: deps.db,
    dialect: deps.dialect,
    publicUrl: deps.config.publicUrl,
  });
  await app.register(calendarRoutes, { calendar });
}
