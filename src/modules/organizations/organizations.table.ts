import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

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
  /** 'flag' | 'reject': what a check-in whose accuracy circle crosses the fence gets. */
  boundary_policy: ColumnType<'flag' | 'reject', 'flag' | 'reject' | undefined, 'flag' | 'reject'>;
  /** 0: raw coordinates of check-ins are never written (only distance and decision). */
  store_coordinates: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}
export type OrganizationRow = Selectable<OrganizationsTable>;
export type NewOrganizationRow = Insertable<OrganizationsTable>;
export type OrganizationUpdate = Updateable<OrganizationsTable>;
