import type { Insertable, Selectable } from 'kysely';

export interface GroupsTable {
  group_id: string;
  org_id: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}
export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  org_id: string;
  added_at: number;
}
export type GroupRow = Selectable<GroupsTable>;
export type NewGroupRow = Insertable<GroupsTable>;
