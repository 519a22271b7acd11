import type { App } from '../../lib/http.js';
import type { ModuleDeps } from '../deps.js';

/** Registers the sessions routes. */
export async function registerSessionsModule(_app: App, _deps: ModuleDeps): Promise<void> {}
