import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { bootstrapSuperAdmin } from '../../../src/modules/users/bootstrap.js';
import { createTestApp, hasher, type TestContext } from '../../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('first start', () => {
  it('creates exactly one super_admin with a generated password that logs in, and nothing on the next start', async () => {
    const config = loadConfig({ BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com' });
    const first = await bootstrapSuperAdmin(t.db, config, hasher);
    expect(first?.email).toBe('root@example.com');
    expect(first?.generatedPassword).toMatch(/^.{16,}$/);
    expect(await bootstrapSuperAdmin(t.db, config, hasher)).toBeNull();
    const admins = await t.db
      .selectFrom('users')
      .select(['role', 'org_id'])
      .where('role', '=', 'super_admin')
      .execute();
    expect(admins).toEqual([{ role: 'super_admin', org_id: null }]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'root@example.com', password: first?.generatedPassword },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.user.role).toBe('super_admin');
  });

  it('refuses a weak BOOTSTRAP_ADMIN_PASSWORD', async () => {
    const other = await createTestApp();
    try {
      await expect(
        bootstrapSuperAdmin(other.db, loadConfig({ BOOTSTRAP_ADMIN_PASSWORD: 'short' }), hasher),
      ).rejects.toThrow(/BOOTSTRAP_ADMIN_PASSWORD/);
    } finally {
      await other.close();
    }
  });
});
