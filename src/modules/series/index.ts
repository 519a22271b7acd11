import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { seriesRoutes } from './series.routes.js';
import { createSeriesService, type SeriesDeps } from './series.service.js';

/** Registers the session-series routes under /admin/session-series. */
export async function registerSeriesModule(
  app: App,
  deps: ModuleDeps & { cancelSession: SeriesDeps['cancelSession'] },
): Promise<void> {
  const series = createSeriesService(deps);
  await app.register(seriesRoutes, { prefix: '/admin/session-series', series });
}
