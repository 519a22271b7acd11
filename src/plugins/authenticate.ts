/**
 * `app.auth(...roles)` — an onRequest hook: a Bearer token (header only, never a query string),
 * its session still active, its user still active; the actor's role and org come from the database
 * so a role change or deactivation takes effect on the next request. Then the role gate, so a
 * refused role gets 403 before its body is even validated.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionChangeGuard } from '../db/sqlite-statements.js';
import type { Db } from '../db/types.js';
import { forbidden, unauthorized } from '../lib/errors.js';
import type { Actor } from '../lib/tenancy.js';
import type { TokenService } from '../modules/auth/tokens.js';
import { userSessionsRepository } from '../modules/auth/user-sessions.repository.js';
import type { Role } from '../modules/users/users.table.js';
import { createSessionCache } from './session-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    auth: (...roles: Role[]) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /**
     * The actor of a login session that is still active with its user still active, or null: what
     * a Bearer token gets checked against, for credentials that are not a token (stream tickets)
     * and for long-lived responses that re-check their caller (the live feed).
     */
    actorOf: (loginSessionId: string, userId: string) => Promise<Actor | null>;
  }
}

/** last_seen_at is written at most this often per session: a write per request would cost more than the read. */
const TOUCH_INTERVAL_MS = 60_000;

export function installAuthenticate(
  app: FastifyInstance,
  deps: { db: Db; tokens: TokenService; sessionGuard?: SessionChangeGuard },
): void {
  app.decorateRequest('actor', null as unknown as Actor);
  // SQLite only, and exact (src/plugins/session-cache.ts): a revoked session is refused at once.
  const cache = deps.sessionGuard ? createSessionCache(deps.sessionGuard) : undefined;

  async function activeSession(sessionId: string, userId: string, now: number) {
    if (!cache) return userSessionsRepository.findActiveWithUser(deps.db, sessionId, userId, now);
    const version = cache.version();
    const hit = cache.get(sessionId, userId, now, version);
    if (hit) return hit;
    const row = await userSessionsRepository.findActiveWithUser(deps.db, sessionId, userId, now);
    if (row) cache.set(row, version);
    return row;
  }

  async function actorOf(loginSessionId: string, userId: string): Promise<Actor | null> {
    const now = Date.now();
    const row = await activeSession(loginSessionId, userId, now);
    if (!row) return null;
    if (now - row.last_seen_at > TOUCH_INTERVAL_MS) {
      await userSessionsRepository.touch(deps.db, row.session_id, now);
      row.last_seen_at = now; // the cached row too: one touch per interval, not one per request
    }
    return {
      userId: row.user_id,
      orgId: row.org_id,
      role: row.role,
      sessionId: row.session_id,
      name: row.name,
      email: row.email,
      account: row,
    };
  }

  async function authenticate(request: FastifyRequest): Promise<Actor> {
    const header = request.headers.authorization;
    const m = header ? /^Bearer ([A-Za-z0-9_\-.]{10,4096})$/i.exec(header.trim()) : null;
    if (!m) throw unauthorized(header ? 'Malformed Authorization header' : 'Authentication required');
    const claims = deps.tokens.verifyAccess(m[1]!);
    if (!claims) throw unauthorized('Invalid or expired token');
    const actor = await actorOf(claims.sessionId, claims.userId);
    if (!actor) throw unauthorized('Session has ended');
    return actor;
  }

  app.decorate('actorOf', actorOf);
  app.decorate('auth', (...roles: Role[]) => async (request: FastifyRequest) => {
    request.actor = await authenticate(request);
    if (roles.length && !roles.includes(request.actor.role)) throw forbidden();
  });
}
