/**
 * `app.auth(...roles)` — an onRequest hook: a Bearer token (header only, never a query string),
 * its session still active, its user still active; the actor's role and org come from the database
 * so a role change or deactivation takes effect on the next request. Then the role gate, so a
 * refused role gets 403 before its body is even validated.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/types.js';
import { forbidden, unauthorized } from '../lib/errors.js';
import type { Actor } from '../lib/tenancy.js';
import type { TokenService } from '../modules/auth/tokens.js';
import { userSessionsRepository } from '../modules/auth/user-sessions.repository.js';
import type { Role } from '../modules/users/users.table.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyInstance {
    auth: (...roles: Role[]) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** last_seen_at is written at most this often per session: a write per request would cost more than the read. */
const TOUCH_INTERVAL_MS = 60_000;

export function installAuthenticate(app: FastifyInstance, deps: { db: Db; tokens: TokenService }): void {
  app.decorateRequest('actor', null as unknown as Actor);

  async function authenticate(request: FastifyRequest): Promise<Actor> {
    const header = request.headers.authorization;
    const m = header ? /^Bearer ([A-Za-z0-9_\-.]{10,4096})$/i.exec(header.trim()) : null;
    if (!m) throw unauthorized(header ? 'Malformed Authorization header' : 'Authentication required');
    const claims = deps.tokens.verifyAccess(m[1]!);
    if (!claims) throw unauthorized('Invalid or expired token');
    const now = Date.now();
    const row = await userSessionsRepository.findActiveWithUser(
      deps.db,
      claims.sessionId,
      claims.userId,
      now,
    );
    if (!row) throw unauthorized('Session has ended');
    if (now - row.last_seen_at > TOUCH_INTERVAL_MS)
      await userSessionsRepository.touch(deps.db, row.session_id, now);
    return {
      userId: row.user_id,
      orgId: row.org_id,
      role: row.role,
      sessionId: row.session_id,
      name: row.name,
      email: row.email,
    };
  }

  app.decorate('auth', (...roles: Role[]) => async (request: FastifyRequest) => {
    request.actor = await authenticate(request);
    if (roles.length && !roles.includes(request.actor.role)) throw forbidden();
  });
}
