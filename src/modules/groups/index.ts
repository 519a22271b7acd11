import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';

/** Registers the groups routes. */
export async function registerGroupsModule(_app: App, _deps: ModuleDeps): Promise<void> {}
