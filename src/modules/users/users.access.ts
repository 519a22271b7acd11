/** Role gates and the organization a users operation acts in; shared by the users services. */

import type { Db } from '../../db/types.js';
import { fieldError, forbidden, notFound } from '../../lib/errors.js';
import { type Actor, ALL_ORGS, type OrgScope, scopeOf } from '../../lib/tenancy.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';

export { requireRole } from '../../lib/tenancy.js';

/**
 * Scope of a read with an optional `org_id` filter: super_admin may narrow to any organization;
 * anyone else may only name their own (another organization's id answers 404, like any foreign id).
 */
export function readScope(actor: Actor, requested: string | undefined): OrgScope {
  if (actor.role === 'super_admin') return requested ?? ALL_ORGS;
  if (requested !== undefined && requested !== actor.orgId) throw notFound('Organization');
  return scopeOf(actor);
}

/**
 * The organization new users or groups go into: the caller's own, or for super_admin the `org_id` they pass
 * (required, and it must exist).
 */
export async function targetOrg(db: Db, actor: Actor, requested: string | undefined): Promise<string> {
  if (actor.role !== 'super_admin') {
    if (requested !== undefined && requested !== actor.orgId) throw notFound('Organization');
    if (!actor.orgId) throw forbidden();
    return actor.orgId;
  }
  if (requested === undefined) throw fieldError('org_id', 'is required for a super_admin');
  const org = await organizationsRepository.findById(db, ALL_ORGS, requested);
  if (!org) throw notFound('Organization');
  return org.org_id;
}
