import { toIso } from '../../lib/time.js';
import type { UserDto } from './users.schemas.js';
import type { UserRow } from './users.table.js';

/** The public face of a user: never the password hash. */
export function toUserDto(u: Omit<UserRow, 'password_hash'> & { password_hash?: string }): UserDto {
  return {
    user_id: u.user_id,
    name: u.name,
    email: u.email,
    role: u.role,
    org_id: u.org_id,
    is_active: Boolean(u.is_active),
    created_at: toIso(u.created_at),
    updated_at: toIso(u.updated_at),
    last_login_at: u.last_login_at === null ? null : toIso(u.last_login_at),
  };
}
