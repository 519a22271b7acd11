import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { attendanceRoutes } from './attendance.routes.js';
import { createCheckInService } from './checkin.service.js';
import { closeEndedSessionsJob } from './close-ended.job.js';
import { createCodesService } from './codes.service.js';
import { integrityRoutes } from './integrity.routes.js';
import { legacyRoutes } from './legacy.routes.js';
import { eraseLocationsJob } from './location-retention.js';
import { createOverridesService } from './overrides.service.js';
import { createReadsService } from './reads.service.js';
import type { RecordWriter } from './record-writer.js';
import { createReviewService } from './review.service.js';

export { createRecordWriter, type RecordWriter } from './record-writer.js';

export function createAttendanceServices(deps: ModuleDeps & { writer: RecordWriter; now?: () => number }) {
  const overrides = createOverridesService(deps);
  return {
    overrides,
    checkIn: createCheckInService(deps, overrides.forceCheckIn),
    reads: createReadsService(deps),
    codes: createCodesService(deps),
    review: createReviewService(deps),
  };
}
export type AttendanceServices = ReturnType<typeof createAttendanceServices>;

/** Registers /attendance/* and the seed's unprefixed POST /check-in and GET /session/{id}/attendance. */
export async function registerAttendanceModule(
  app: App,
  deps: ModuleDeps & { writer: RecordWriter },
): Promise<void> {
  const svc = createAttendanceServices(deps);
  await app.register(attendanceRoutes, { prefix: '/attendance', svc });
  await app.register(legacyRoutes, { svc });
  await app.register(integrityRoutes, { svc, secureCookies: deps.config.publicUrl.startsWith('https:') });
  // The scheduler closes ended sessions through the writer (reads no longer close them).
  deps.jobs.register(
    closeEndedSessionsJob({
      db: deps.db,
      closeIfEnded: deps.writer.closeIfEnded,
      log: app.log,
      intervalMs: deps.config.schedulerCloseIntervalSeconds * 1000,
    }),
  );
  const retentionDays = deps.config.locationRetentionDays;
  if (retentionDays !== undefined) deps.jobs.register(eraseLocationsJob(deps.db, retentionDays));
}
