/**
 * A per-process cache of the session check every authenticated request makes (login session
 * active and unexpired, user active, the actor's role and org), for SQLite.
 *
 * It is exact, not "fresh enough": an entry is used only while the database's session guard
 * (src/db/sqlite-statements.ts) reports the same version as when the entry was read. The version
 * moves on every write through this process that can change a user or a login session
 * (revocation, deactivation, role or org change, deletion; not the `last_seen_at` touch) and on
 * every commit by another connection or process (`PRAGMA data_version`). So a session revoked by
 * this worker, another worker or another server is refused on the very next request, as without
 * the cache; with several workers the cache simply hits less while others write.
 *
 * PostgreSQL and MariaDB get no cache: there, knowing that nothing changed in another process takes
 * a round trip to the server, which is what the session query costs already.
 */
import type { SessionChangeGuard } from '../db/sqlite-statements.js';
import type { ActiveSessionWithUser } from '../modules/auth/user-sessions.repository.js';

/** 10,000 sessions: ~3 MB. A school's morning is a few thousand students; beyond that, oldest out. */
const MAX_ENTRIES = 10_000;

interface Entry {
  row: ActiveSessionWithUser;
  version: number;
}

export interface SessionCache {
  /** The guard's version now: read it before the query whose row `set` will store. */
  version(): number;
  get(sessionId: string, userId: string, now: number, version: number): ActiveSessionWithUser | undefined;
  set(row: ActiveSessionWithUser, version: number): void;
}

export function createSessionCache(guard: SessionChangeGuard, maxEntries = MAX_ENTRIES): SessionCache {
  const entries = new Map<string, Entry>();
  return {
    version: () => guard.version(),
    get(sessionId, userId, now, version) {
      const e = entries.get(sessionId);
      if (!e) return undefined;
      if (e.version !== version || e.row.expires_at <= now) {
        entries.delete(sessionId);
        return undefined;
      }
      // The token names both: a session id with another user's id is not this session.
      return e.row.user_id === userId ? e.row : undefined;
    },
    set(row, version) {
      if (entries.size >= maxEntries && !entries.has(row.session_id))
        entries.delete(entries.keys().next().value as string);
      entries.set(row.session_id, { row, version });
    },
  };
}
