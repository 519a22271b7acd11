/**
 * Access tokens are short-lived HS256 JWTs naming the user and the login session; every request
 * still checks that the session is active, so revocation is immediate.
 * Refresh tokens are `<session_id>.<generation>.<mac>` with mac = HMAC-SHA256(secret, id|gen|salt):
 * the database holds only the generation and a salt, so a leaked database yields no usable token,
 * and presenting an older generation proves a token was copied (theft detection).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const ISSUER = 'attendance';
const AUDIENCE = 'attendance-api';
const CLOCK_TOLERANCE_S = 5;
const B64URL = /^[A-Za-z0-9_-]+$/;
/** The one header we issue; verification insists on alg HS256 whatever else a token claims. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

const parseJsonSegment = (segment: string): Record<string, unknown> | null => {
  try {
    const v = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
};

/** Tokens whose signature was verified, kept with their time claims (~3 MB at most). */
const MAX_VERIFIED = 10_000;

interface Verified {
  claims: Readonly<AccessClaims>;
  exp: number;
  iat: number;
  nbf: number | undefined;
}

/** The time claims at `now`: checked on every use, from the cache too. */
const current = (v: { exp: number; iat: number; nbf?: number }, now: number) => {
  const t = now / 1000;
  return (
    v.exp > t - CLOCK_TOLERANCE_S &&
    v.iat <= t + CLOCK_TOLERANCE_S &&
    (v.nbf === undefined || v.nbf <= t + CLOCK_TOLERANCE_S)
  );
};

export function createTokenService(opts: { jwtSecret: string; secretKey: string; accessTtlSeconds: number }) {
  /**
   * Access tokens already verified, by their full text: a client sends the same token on every
   * request for its 15 minutes, and parsing it and computing its HMAC was ~9% of a GET
   * /auth/profile's CPU. Exact: only a token whose every byte equals one verified with this secret
   * is found here, and its time claims are checked again at each use.
   */
  const verified = new Map<string, Verified>();
  // HS256 with node:crypto rather than jose: jose goes through WebCrypto, a thread-pool round trip
  // costing 50-100 µs per verification on the hottest path of the service; this is ~4 µs.
  // docs/decisions/001-jwt-hs256-with-node-crypto.md has the measurement; jose still forges the
  // attack tokens in test/modules/auth/token-attacks.test.ts, so both implementations are checked.
  const jwtMac = (signingInput: string) => createHmac('sha256', opts.jwtSecret).update(signingInput).digest();

  const mac = (sessionId: string, gen: number, salt: string) =>
    createHmac('sha256', opts.secretKey).update(`${sessionId}|${gen}|${salt}`).digest('base64url');

  return {
    accessTtlSeconds: opts.accessTtlSeconds,

    signAccess(claims: AccessClaims, now = Date.now()): string {
      const iat = Math.floor(now / 1000);
      const payload = Buffer.from(
        JSON.stringify({
          sid: claims.sessionId,
          sub: claims.userId,
          iss: ISSUER,
          aud: AUDIENCE,
          iat,
          exp: iat + opts.accessTtlSeconds,
        }),
      ).toString('base64url');
      const input = `${HEADER}.${payload}`;
      return `${input}.${jwtMac(input).toString('base64url')}`;
    },

    /**
     * Null for anything that is not a valid, current token of ours: the algorithm is pinned (no
     * `none`, no RS/HS confusion), the signature compared in constant time, then the claims checked.
     */
    verifyAccess(token: string, now = Date.now()): AccessClaims | null {
      const hit = verified.get(token);
      if (hit) {
        if (current(hit, now)) return hit.claims;
        verified.delete(token);
        return null;
      }
      const parts = token.split('.');
      if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return null;
      const [h, p, sig] = parts as [string, string, string];
      const header = parseJsonSegment(h);
      if (header?.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT') || 'crit' in header)
        return null;
      const expected = jwtMac(`${h}.${p}`);
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const c = parseJsonSegment(p);
      if (!c) return null;
      if (typeof c.exp !== 'number' || typeof c.iat !== 'number') return null;
      if (c.nbf !== undefined && typeof c.nbf !== 'number') return null;
      const time = { exp: c.exp, iat: c.iat, nbf: c.nbf as number | undefined };
      if (!current(time, now)) return null;
      if (c.iss !== ISSUER) return null;
      if (c.aud !== AUDIENCE && !(Array.isArray(c.aud) && c.aud.includes(AUDIENCE))) return null;
      if (typeof c.sub !== 'string' || typeof c.sid !== 'string') return null;
      const claims = Object.freeze({ userId: c.sub, sessionId: c.sid });
      if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
      verified.set(token, { claims, ...time });
      return claims;
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
