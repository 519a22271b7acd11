/** Organizations. An admin's scope is their own organization; super_admin sees all. */
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { likeContains } from '../../lib/strings.js';
import { inScope, type OrgScope } from '../../lib/tenancy.js';
import type { NewOrganizationRow, OrganizationRow, OrganizationUpdate } from './organizations.table.js';

export const organizationsRepository = {
  findById(db: Db, scope: OrgScope, orgId: string): Promise<OrganizationRow | undefined> {
    return inScope(
      db.selectFrom('organizations').selectAll().where('org_id', '=', orgId),
      'org_id',
      scope,
    ).executeTakeFirst();
  },

  /** Public lookup for self-registration: the caller has no organization yet. */
  findForRegistration(db: Db, orgId: string): Promise<OrganizationRow | undefined> {
    return db.selectFrom('organizations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  },

  async list(
    db: Db,
    scope: OrgScope,
    f: { is_active?: boolean; q?: string },
    page: PageRequest,
  ): Promise<{ rows: OrganizationRow[]; total: number }> {
    const base = inScope(db.selectFrom('organizations'), 'org_id', scope)
      .$if(f.is_active !== undefined, (qb) => qb.where('is_active', '=', f.is_active ? 1 : 0))
      .$if(Boolean(f.q), (qb) => qb.where(sql`lower(name)`, 'like', likeContains(f.q!)));
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('org_id')
        .limit(page.perPage)
        .offset(page.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async insert(db: Db, row: NewOrganizationRow): Promise<void> {
    await db.insertInto('organizations').values(row).execute();
  },

  async update(db: Db, scope: OrgScope, orgId: string, patch: OrganizationUpdate): Promise<boolean> {
    const res = await inScope(
      db.updateTable('organizations').set(patch).where('org_id', '=', orgId),
      'org_id',
      scope,
    ).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  },
};

/**
 * Ends every login session of the organization's users: a deactivated organization is locked out at
 * once, not when its access tokens expire (login itself already refuses an inactive organization).
 */
export async function revokeOrganizationSessions(db: Db, orgId: string, now: number): Promise<number> {
  // A login of one of these users that verified its password before this commits must not create a
  // session afterwards (it would come back to life with the organization): bump their versions.
  await db
    .updateTable('users')
    .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
    .where('org_id', '=', orgId)
    .execute();
  const res = await db
    .updateTable('user_sessions')
    .set({ is_active: 0, revoked_at: now, revoked_reason: 'org_deactivated' })
    .where('is_active', '=', 1)
    .where('user_id', 'in', (eb) => eb.selectFrom('users').select('user_id').where('org_id', '=', orgId))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
