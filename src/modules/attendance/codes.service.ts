/**
 * The code a session shows (GET /admin/sessions/{id}/code) and the scan that trades a right
 * rotating code for a scan ticket (POST /attendance/scan, no login needed).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/schema.js';
import { conflict, fieldError, notFound, ruleViolation } from '../../lib/errors.js';
import type { RateLimitStore } from '../../lib/rate-limiter.js';
import { type Actor, ALL_ORGS, scopeOf } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { assertCanManageSession } from '../sessions/session-access.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { codeAccepted, currentCode } from './code-verifier.js';
import { issueTicket } from './scan-tickets.js';
import { guardedGuess, scanLimits } from './wrong-code-limit.js';

export interface CodesDeps {
  db: Kysely<Database>;
  config: Config;
  limits: RateLimitStore;
  now?: () => number;
}

const SIX_DIGITS = /^\d{6}$/;

export function createCodesService(deps: CodesDeps) {
  const { db, config, limits } = deps;
  const now = deps.now ?? Date.now;

  return {
    /** For the projector: the session's teachers and admins. */
    async show(actor: Actor, sessionId: string) {
      const s = await sessionsRepository.findById(db, scopeOf(actor), sessionId);
      if (!s) throw notFound('Session');
      assertCanManageSession(actor, s);
      const t = now();
      const c = currentCode(s, t);
      if (!c) throw conflict('CONFLICT', 'This session has no check-in code (code_mode none)');
      return {
        code: c.code,
        code_mode: c.step === null ? ('static' as const) : ('rotating' as const),
        step: c.step,
        period_seconds: s.code_mode === 'rotating' ? s.code_period_seconds : null,
        expires_at: c.expiresAt === null ? null : toIso(c.expiresAt),
        server_time: toIso(t),
        // The code rides in the fragment: browsers never send it, so it reaches no server log.
        checkin_url: `${config.publicUrl}/c/${s.session_id}#k=${encodeURIComponent(c.code)}`,
      };
    },

    /**
     * A right rotating code → a ticket bound to the user (token sent) or to a fresh cookie nonce.
     * Everything else — wrong code, unknown session, another org's, a cancelled or static one — is
     * the same 422 INVALID_CODE, so the answer tells nothing about the session.
     */
    async scan(actor: Actor | null, input: { session_id: string; code: string }, ip: string) {
      if (!SIX_DIGITS.test(input.code))
        throw fieldError('code', 'must be the 6 digits shown for the session');
      const t = now();
      const s = await sessionsRepository.findById(db, actor ? scopeOf(actor) : ALL_ORGS, input.session_id);
      const usable =
        s !== undefined &&
        s.is_active === 1 &&
        s.code_mode === 'rotating' &&
        s.closed_at === null &&
        t <= s.end_time;
      const ok = await guardedGuess(
        limits,
        scanLimits(input.session_id, ip),
        t,
        () => usable && codeAccepted(s, input.code, t, config.codeGraceSeconds),
      );
      if (!ok) throw ruleViolation('INVALID_CODE', 'The code is not valid; scan the code shown now');
      const nonce = actor ? undefined : randomBytes(24).toString('base64url');
      const { ticket, claims } = issueTicket(
        config.secretKey,
        input.session_id,
        actor ? { userId: actor.userId } : { nonce: nonce! },
        t,
      );
      return { scan_ticket: ticket, expires_at: toIso(claims.e), nonce };
    },
  };
}
export type CodesService = ReturnType<typeof createCodesService>;
