/**
 * Who sees whom (lib/visibility.ts) applied to one record: a record whose owner the actor may not see
 * (a teacher and a staff member's record, even in the teacher's own session) is "not found", exactly as
 * a record of another organization — a 403 would confirm the id exists (issue 17.9).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../lib/errors.js';
import type { Actor } from '../../lib/tenancy.js';
import { canSeeUser, seesEveryUser } from '../../lib/visibility.js';
import { usersRepository } from '../users/users.repository.js';

export async function assertSeesRecordOwner(
  db: Kysely<Database>,
  actor: Actor,
  record: { org_id: string; user_id: string },
): Promise<void> {
  if (record.user_id === actor.userId || seesEveryUser(actor)) return;
  const owner = await usersRepository.findById(db, record.org_id, record.user_id);
  if (!owner || !canSeeUser(actor, owner)) throw notFound('Attendance record');
}
