import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export const ROLES = ['super_admin', 'admin', 'teacher', 'student'] as const;
export type Role = (typeof ROLES)[number];

export interface UsersTable {
  user_id: string;
  org_id: string | null;
  name: string;
  email: string;
  password_hash: string;
  role: Role;
  is_active: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
  /** Bumped by every change that ends the user's sessions (migration 2026_11_30_0005). */
  credentials_version: Generated<number>;
}
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
