import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';

/** Registers the organizations routes. */
export async function registerOrganizationsModule(_app: App, _deps: ModuleDeps): Promise<void> {}
