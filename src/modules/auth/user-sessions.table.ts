import type { Generated, Insertable, Selectable } from 'kysely';

export interface UserSessionsTable {
  session_id: string;
  user_id: string;
  org_id: string | null;
  refresh_gen: number;
  refresh_salt: string;
  expires_at: number;
  created_at: number;
  last_seen_at: number;
  device_info: string | null;
  ip_address: string | null;
  is_active: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** The user's credentials_version when the session was issued: the session lives while they match. */
  credentials_version: Generated<number>;
}
export type UserSessionRow = Selectable<UserSessionsTable>;
export type NewUserSessionRow = Insertable<UserSessionsTable>;
