import { toIso } from '../../lib/time.js';
import type { OrganizationDto } from './organizations.schemas.js';
import type { OrganizationRow } from './organizations.table.js';

export function toOrganizationDto(o: OrganizationRow): OrganizationDto {
  return {
    org_id: o.org_id,
    name: o.name,
    description: o.description,
    address: o.address,
    contact_email: o.contact_email,
    contact_phone: o.contact_phone,
    timezone: o.timezone,
    self_registration: Boolean(o.self_registration),
    default_geofence_radius: o.default_geofence_radius === null ? null : Number(o.default_geofence_radius),
    late_after_minutes: Number(o.late_after_minutes),
    boundary_policy: o.boundary_policy === 'reject' ? 'reject' : 'flag',
    store_coordinates: Boolean(Number(o.store_coordinates)),
    is_active: Boolean(o.is_active),
    created_at: toIso(Number(o.created_at)),
    updated_at: toIso(Number(o.updated_at)),
  };
}
