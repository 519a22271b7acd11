/** `npm run migrate`: applies pending migrations (and creates the first super_admin) without serving. */
import { configOrExit, prepareDatabase } from './start.js';

const handle = await prepareDatabase(configOrExit());
console.log(`database ready: ${handle.describe}`);
await handle.close();
