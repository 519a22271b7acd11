import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { attendanceRoutes } from './attendance.routes.js';
import { createCheckInService } from './checkin.service.js';
import { closeEndedSessionsJob } from './close-ended.job.js';
import { legacyRoutes } from './legacy.routes.js';
import { createOverridesService } from './overrides.service.js';
import { createReadsService } from './reads.service.js';

export function createAttendanceServices(deps: ModuleDeps & { now?: () => number }) {
  const overrides = createOverridesService(deps);
  return {
    overrides,
    checkIn: createCheckInService(deps, overrides.forceCheckIn),
    reads: createReadsService(deps),
  };
}
export type AttendanceServices = ReturnType<typeof createAttendanceServices>;

/** Registers /attendance/* and the seed's unprefixed POST /check-in and GET /session/{id}/attendance. */
export async function registerAttendanceModule(app: App, deps: ModuleDeps): Promise<void> {
  const svc = createAttendanceServices(deps);
  await app.register(attendanceRoutes, { prefix: '/attendance', svc });
  await app.register(legacyRoutes, { svc });
  deps.jobs.register(
    closeEndedSessionsJob({
      ...deps,
      log: app.log,
      intervalMs: deps.config.schedulerCloseIntervalSeconds * 1000,
    }),
  );
}
