/**
 * Access tokens are short-lived HS256 JWTs naming the user and the login session; every request
 * still checks that the session is active, so revocation is immediate.
 * Refresh tokens are `<session_id>.<generation>.<mac>` with mac = HMAC-SHA256(secret, id|gen|salt):
 * the database holds only the generation and a salt, so a leaked database yields no usable token,
 * and presenting an older generation proves a token was copied (theft detection).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

const ISSUER = 'attendance';
const AUDIENCE = 'attendance-api';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export function createTokenService(opts: { jwtSecret: string; secretKey: string; accessTtlSeconds: number }) {
  const jwtKey = new TextEncoder().encode(opts.jwtSecret);

  const mac = (sessionId: string, gen: number, salt: string) =>
    createHmac('sha256', opts.secretKey).update(`${sessionId}|${gen}|${salt}`).digest('base64url');

  return {
    accessTtlSeconds: opts.accessTtlSeconds,

    async signAccess(claims: AccessClaims): Promise<string> {
      return new SignJWT({ sid: claims.sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${opts.accessTtlSeconds}s`)
        .sign(jwtKey);
    },

    /** Null for anything that is not a valid, current token of ours (alg pinned: no `none`, no RS/HS mix-up). */
    async verifyAccess(token: string): Promise<AccessClaims | null> {
      try {
        const { payload } = await jwtVerify(token, jwtKey, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
        return { userId: payload.sub, sessionId: payload.sid };
      } catch (err) {
        if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return null;
        throw err;
      }
    },

    makeRefresh(sessionId: string, gen: number, salt: string): string {
      return `${sessionId}.${gen}.${mac(sessionId, gen, salt)}`;
    },

    parseRefresh(token: string): { sessionId: string; gen: number; mac: string } | null {
      const m = /^([0-9a-f-]{36})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!m) return null;
      return { sessionId: m[1]!, gen: Number(m[2]), mac: m[3]! };
    },

    /** Constant-time check that `presented` was issued by us for this session, generation and salt. */
    refreshMacMatches(presented: string, sessionId: string, gen: number, salt: string): boolean {
      const a = Buffer.from(presented);
      const b = Buffer.from(mac(sessionId, gen, salt));
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}
export type TokenService = ReturnType<typeof createTokenService>;
