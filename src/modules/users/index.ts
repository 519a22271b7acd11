import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';

/** Registers the users routes. */
export async function registerUsersModule(_app: App, _deps: ModuleDeps): Promise<void> {}
