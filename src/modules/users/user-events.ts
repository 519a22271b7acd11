import type { ChangeEvent } from '../../lib/change-events.js';

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
