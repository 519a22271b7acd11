import type { Insertable, Selectable, Updateable } from 'kysely';

export interface OrganizationsTable {
  org_id: string;
  name: string;
  description: string | null;
  address: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  timezone: string;
  self_registration: number;
  default_geofence_radius: number | null;
  late_after_minutes: number;
  is_active: number;
  created_at: number;
  updated_at: number;
}
export type OrganizationRow = Selectable<OrganizationsTable>;
export type NewOrganizationRow = Insertable<OrganizationsTable>;
export type OrganizationUpdate = Updateable<OrganizationsTable>;
