import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { ChangeBus, ChangeEvent } from '../../lib/change-events.js';
import { usersRepository } from './users.repository.js';
import type { NewUserRow } from './users.table.js';

/** The change events of newly inserted users (a super_admin without an organization announces nothing). */
export function userCreatedEvents(
  rows: readonly { user_id: string; org_id?: string | null }[],
  actorId: string | null,
  at: number,
): ChangeEvent[] {
  const when = new Date(at);
  return rows
    .filter((r): r is { user_id: string; org_id: string } => typeof r.org_id === 'string')
    .map((r) => ({ type: 'user.created', orgId: r.org_id, userId: r.user_id, actorId, at: when }));
}

/**
 * Inserts one user and announces user.created in the insert's transaction (the outbox row exists if
 * and only if the user does), then after the commit. Admin creation and self-registration both come
 * here; a unique violation (email taken) reaches the caller, which words it.
 */
export async function insertUserAnnounced(
  db: Kysely<Database>,
  changes: ChangeBus,
  row: NewUserRow & { user_id: string; org_id: string | null },
  actorId: string | null,
): Promise<void> {
  const created = userCreatedEvents([row], actorId, Number(row.created_at));
  await db.transaction().execute(async (tx) => {
    await usersRepository.insert(tx, row);
    await changes.write(tx, created);
  });
  changes.committed(created);
}
