import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';
import { attendanceRoutes } from './attendance.routes.js';
import { createCheckInService } from './checkin.service.js';
import { legacyRoutes } from './legacy.routes.js';
import { createOverridesService } from './overrides.service.js';
import { createReadsService } from './reads.service.js';
import type { RecordWriter } from './record-writer.js';

export { createRecordWriter, type RecordWriter } from './record-writer.js';

export function createAttendanceServices(deps: ModuleDeps & { writer: RecordWriter; now?: () => number }) {
  const overrides = createOverridesService(deps);
  return {
    overrides,
    checkIn: createCheckInService(deps, overrides.forceCheckIn),
    reads: createReadsService(deps),
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
}
