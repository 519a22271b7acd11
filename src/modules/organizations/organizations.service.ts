/**
 * Organizations: super_admin manages all of them; an admin reads and edits their own (but cannot
 * switch it off); a teacher may read their own. Another organization's id answers 404.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { type FieldError, forbidden, notFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { TIME_ZONE_MESSAGE } from '../../lib/strings.js';
import { type Actor, requireRole, scopeOf } from '../../lib/tenancy.js';
import { isValidTimeZone, toIso } from '../../lib/time.js';
import { recordAudit } from '../audit/audit.repository.js';
import { orgStatsRepository as stats } from './org-stats.repository.js';
import { toOrganizationDto } from './organizations.mapper.js';
import { organizationsRepository as repo, revokeOrganizationSessions } from './organizations.repository.js';
import type {
  CreateOrganizationInput,
  ListOrganizationsFilter,
  OrganizationStatsDto,
  UpdateOrganizationInput,
} from './organizations.schemas.js';
import type { OrganizationUpdate } from './organizations.table.js';

export interface OrganizationsDeps {
  db: Kysely<Database>;
  now?: () => number;
}

/** Optional free text: trimmed, and blank means "none". */
const text = (v: string | null | undefined) => (v === undefined ? undefined : v?.trim() || null);

/** The request validator checks these too (DisplayName, TimeZoneName); here for other callers, all at once. */
function editableFields(input: Omit<UpdateOrganizationInput, 'is_active'>): OrganizationUpdate {
  const patch: OrganizationUpdate = {};
  const errors: FieldError[] = [];
  if (input.name !== undefined) {
    patch.name = input.name.trim();
    if (!patch.name) errors.push({ field: 'name', message: 'must not be blank' });
  }
  if (input.timezone !== undefined) {
    if (!isValidTimeZone(input.timezone)) errors.push({ field: 'timezone', message: TIME_ZONE_MESSAGE });
    patch.timezone = input.timezone;
  }
  if (errors.length) throw validationError(errors);
  for (const k of ['description', 'address', 'contact_phone'] as const) {
    const v = text(input[k]);
    if (v !== undefined) patch[k] = v;
  }
  if (input.contact_email !== undefined)
    patch.contact_email = input.contact_email?.trim().toLowerCase() ?? null;
  if (input.self_registration !== undefined) patch.self_registration = input.self_registration ? 1 : 0;
  if (input.default_geofence_radius !== undefined)
    patch.default_geofence_radius = input.default_geofence_radius;
  if (input.late_after_minutes !== undefined) patch.late_after_minutes = input.late_after_minutes;
  if (input.boundary_policy !== undefined) patch.boundary_policy = input.boundary_policy;
  if (input.store_coordinates !== undefined) patch.store_coordinates = input.store_coordinates ? 1 : 0;
  return patch;
}

export function createOrganizationsService(deps: OrganizationsDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  async function load(actor: Actor, orgId: string) {
    const org = await repo.findById(db, scopeOf(actor), orgId);
    if (!org) throw notFound('Organization');
    return org;
  }

  return {
    async list(actor: Actor, q: ListOrganizationsFilter) {
      requireRole(actor, 'super_admin', 'admin');
      const page = pageRequest(q);
      const { rows, total } = await repo.list(db, scopeOf(actor), { is_active: q.is_active, q: q.q }, page);
      return { items: rows.map(toOrganizationDto), pagination: pagination(page, total) };
    },

    async create(actor: Actor, input: CreateOrganizationInput, ip?: string) {
      requireRole(actor, 'super_admin');
      const t = now();
      const fields = editableFields(input);
      const row = {
        org_id: newId(),
        name: fields.name!,
        description: fields.description ?? null,
        address: fields.address ?? null,
        contact_email: fields.contact_email ?? null,
        contact_phone: fields.contact_phone ?? null,
        timezone: fields.timezone ?? 'UTC',
        self_registration: fields.self_registration ?? 1,
        default_geofence_radius: fields.default_geofence_radius ?? null,
        late_after_minutes: fields.late_after_minutes ?? 10,
        boundary_policy: fields.boundary_policy ?? 'flag',
        store_coordinates: fields.store_coordinates ?? 1,
        is_active: 1,
        created_at: t,
        updated_at: t,
      };
      await repo.insert(db, row);
      await recordAudit(db, {
        orgId: row.org_id,
        actorId: actor.userId,
        action: 'organization.create',
        targetType: 'organization',
        targetId: row.org_id,
        ip,
      });
      return toOrganizationDto(row);
    },

    async get(actor: Actor, orgId: string) {
      requireRole(actor, 'super_admin', 'admin', 'teacher');
      return toOrganizationDto(await load(actor, orgId));
    },

    async update(actor: Actor, orgId: string, input: UpdateOrganizationInput, ip?: string) {
      requireRole(actor, 'super_admin', 'admin');
      const before = await load(actor, orgId);
      if (input.is_active !== undefined && actor.role !== 'super_admin')
        throw forbidden('Only a super_admin can activate or deactivate an organization');
      const t = now();
      const patch: OrganizationUpdate = { ...editableFields(input), updated_at: t };
      if (input.is_active !== undefined) patch.is_active = input.is_active ? 1 : 0;
      const deactivating = Boolean(before.is_active) && input.is_active === false;
      const revoked = await db.transaction().execute(async (tx) => {
        await repo.update(tx, scopeOf(actor), orgId, patch);
        return deactivating ? revokeOrganizationSessions(tx, orgId, t) : 0;
      });
      await recordAudit(db, {
        orgId,
        actorId: actor.userId,
        action: 'organization.update',
        targetType: 'organization',
        targetId: orgId,
        details: { fields: Object.keys(input), ...(deactivating ? { sessions_revoked: revoked } : {}) },
        ip,
      });
      return toOrganizationDto(await load(actor, orgId));
    },

    async stats(actor: Actor, orgId: string): Promise<OrganizationStatsDto> {
      requireRole(actor, 'super_admin', 'admin');
      await load(actor, orgId);
      const t = now();
      const [users, groups, sessions, records] = await Promise.all([
        stats.usersByRole(db, orgId),
        stats.groupCount(db, orgId),
        stats.sessionCounts(db, orgId, t),
        stats.recordsByStatus(db, orgId),
      ]);
      const byRole = {
        super_admin: { total: 0, active: 0 },
        admin: { total: 0, active: 0 },
        teacher: { total: 0, active: 0 },
        student: { total: 0, active: 0 },
      };
      for (const r of users) {
        const n = Number(r.n);
        byRole[r.role].total += n;
        if (Number(r.is_active) === 1) byRole[r.role].active += n;
      }
      const roles = Object.values(byRole);
      const status = { present: 0, late: 0, absent: 0, excused: 0 };
      for (const r of records) status[r.status] += Number(r.n);
      const recorded = status.present + status.late + status.absent + status.excused;
      return {
        org_id: orgId,
        users: {
          total: roles.reduce((s, r) => s + r.total, 0),
          active: roles.reduce((s, r) => s + r.active, 0),
          by_role: byRole,
        },
        groups: { total: groups },
        sessions,
        attendance: {
          total: recorded,
          ...status,
          attendance_rate:
            recorded === 0 ? null : Math.round(((status.present + status.late) / recorded) * 10_000) / 10_000,
        },
        generated_at: toIso(t),
      };
    },
  };
}
export type OrganizationsService = ReturnType<typeof createOrganizationsService>;
