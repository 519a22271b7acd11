import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';

/** Registers the attendance routes. */
export async function registerAttendanceModule(_app: App, _deps: ModuleDeps): Promise<void> {}
