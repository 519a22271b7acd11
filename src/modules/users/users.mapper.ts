import type { ActorAccount } from '../../lib/tenancy.js';
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

/**
 * The caller's own profile from the row the session check read (Actor.account), without a query.
 * Memoised per row object: on SQLite the session cache hands out the same row until the user or the
 * login session changes (then a fresh row, so a fresh DTO); the DTO is frozen as it is shared.
 */
const accountDtos = new WeakMap<ActorAccount, UserDto>();
export function toAccountDto(a: ActorAccount): UserDto {
  let dto = accountDtos.get(a);
  if (!dto) {
    dto = Object.freeze({
      user_id: a.user_id,
      name: a.name,
      email: a.email,
      role: a.role,
      org_id: a.org_id,
      // The session check reads active users only.
      is_active: true,
      created_at: toIso(a.user_created_at),
      updated_at: toIso(a.user_updated_at),
      last_login_at: a.last_login_at === null ? null : toIso(a.last_login_at),
    });
    accountDtos.set(a, dto);
  }
  return dto;
}
