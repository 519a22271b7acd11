/**
 * First start: an empty database gets one super_admin, from BOOTSTRAP_ADMIN_EMAIL/_PASSWORD or
 * with a generated password that is printed once (it is not stored anywhere in clear).
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/types.js';
import { newId } from '../../lib/ids.js';
import type { PasswordHasher } from '../../lib/passwords.js';
import { passwordProblems } from '../../lib/passwords.js';

export interface BootstrapResult {
  email: string;
  /** Present only when it was generated here. */
  generatedPassword?: string;
}

export async function bootstrapSuperAdmin(
  db: Db,
  config: Config,
  hasher: PasswordHasher,
): Promise<BootstrapResult | null> {
  const existing = await db
    .selectFrom('users')
    .select('user_id')
    .where('role', '=', 'super_admin')
    .limit(1)
    .executeTakeFirst();
  if (existing) return null;
  const email = config.bootstrapAdminEmail ?? 'admin@attendance.local';
  let password = config.bootstrapAdminPassword;
  let generatedPassword: string | undefined;
  if (password) {
    const problem = passwordProblems(password, config.passwordMinLength);
    if (problem) throw new Error(`BOOTSTRAP_ADMIN_PASSWORD ${problem}`);
  } else {
    password = `${randomBytes(12).toString('base64url')}-9a`;
    generatedPassword = password;
  }
  const t = Date.now();
  await db
    .insertInto('users')
    .values({
      user_id: newId(),
      org_id: null,
      name: 'Platform Administrator',
      email,
      password_hash: await hasher.hash(password),
      role: 'super_admin',
      is_active: 1,
      created_at: t,
      updated_at: t,
      last_login_at: null,
    })
    .execute();
  return { email, generatedPassword };
}
