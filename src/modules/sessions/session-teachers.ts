/**
 * The rule for `teacher_ids` on create and update (API.md Part 2 "Who runs a session"), shared by
 * single sessions and series: a teacher who creates gets [themselves], an admin's creation gets [];
 * only admins change the list, and it may name active teachers of the session's organization only.
 */
import type { Db } from '../../db/types.js';
import { fieldError, forbidden } from '../../lib/errors.js';
import type { Actor } from '../../lib/tenancy.js';
import { sessionTeachersRepository } from './session-teachers.repository.js';

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id) => b.includes(id));

/**
 * The teachers to store, or null when the list stays as it is (an update that does not change it).
 * `current` is the stored list for an update, undefined for a create.
 */
export async function resolveTeacherIds(
  db: Db,
  actor: Actor,
  orgId: string,
  requested: readonly string[] | undefined,
  current: readonly string[] | undefined,
): Promise<string[] | null> {
  const isCreate = current === undefined;
  if (requested === undefined) {
    if (!isCreate) return null;
    return actor.role === 'teacher' ? [actor.userId] : [];
  }
  // A teacher may send the list back unchanged (a client that PUTs what it read), never change it.
  const unchanged = sameSet(requested, current ?? (actor.role === 'teacher' ? [actor.userId] : []));
  if (actor.role === 'teacher' && !unchanged) throw forbidden('Only an admin may change teacher_ids');
  if (!isCreate && unchanged) return null;
  const teachers = await sessionTeachersRepository.activeTeachersOf(db, orgId, requested);
  const wrong = requested.filter((id) => !teachers.has(id));
  if (wrong.length)
    throw fieldError(
      'teacher_ids',
      `must name active teachers of the session's organization; not: ${wrong.join(', ')}`,
    );
  return [...requested];
}
