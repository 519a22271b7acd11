/**
 * The web app's typed client is generated from the server's OpenAPI document; a response schema
 * changed without `npm run web:client` fails here (and in CI's web:client:check), not in a browser.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_PATH, generateClientSchema } from '../../scripts/web-client.js';

describe('generated web client', () => {
  it('web/src/api/schema.d.ts matches the OpenAPI document of this server', async () => {
    const fresh = await generateClientSchema();
    expect(fresh.includes('"/attendance/check-in"')).toBe(true);
    expect(readFileSync(CLIENT_SCHEMA_PATH, 'utf8') === fresh, 'stale: run `npm run web:client`').toBe(true);
  });
});
