/**
 * Scan tickets (API.md Part 2): a student scans the projected QR before signing in, and the code in
 * it must not die during the sign-in. The scan trades a right rotating code for a ticket the
 * check-in accepts for 120 s instead of the code. A ticket is `v1.<payload>.<signature>`, both
 * base64url; the payload names the ticket, the session, the expiry and whom it is bound to: the user
 * when the scan carried a token, else the SHA-256 of a random nonce kept in an HttpOnly cookie
 * (only the browser that scanned can use it). The signature is HMAC-SHA256 with SECRET_KEY.
 * Single use is not the ticket's business: the check-in spends it in a table whose primary key is
 * the ticket id (record-writer.ts), in the transaction of the check-in.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TICKET_TTL_MS = 120_000;
export const SCAN_COOKIE = 'scan_nonce';

export interface TicketClaims {
  /** Ticket id (random). */
  t: string;
  /** Session id. */
  s: string;
  /** User id, or null for a ticket bound to a cookie nonce. */
  u: string | null;
  /** SHA-256 (hex) of the cookie nonce, or null. */
  n: string | null;
  /** Expiry, epoch ms. */
  e: number;
}

const sign = (key: string, payload: string) =>
  createHmac('sha256', key).update(`scan-ticket.${payload}`).digest('base64url');

export const nonceHash = (nonce: string) => createHash('sha256').update(nonce).digest('hex');

export function issueTicket(
  key: string,
  sessionId: string,
  bound: { userId: string } | { nonce: string },
  now: number,
): { ticket: string; claims: TicketClaims } {
  const claims: TicketClaims = {
    t: randomBytes(16).toString('base64url'),
    s: sessionId,
    u: 'userId' in bound ? bound.userId : null,
    n: 'nonce' in bound ? nonceHash(bound.nonce) : null,
    e: now + TICKET_TTL_MS,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { ticket: `v1.${payload}.${sign(key, payload)}`, claims };
}

/**
 * The claims of a well-signed, unexpired ticket of this session usable by this caller; null for
 * anything else (malformed, forged, expired, another session, another user, missing cookie) — the
 * caller answers all of these alike, so a replayed or forged ticket tells nothing.
 */
export function readTicket(
  key: string,
  ticket: string,
  expect: { sessionId: string; userId: string; nonce: string | undefined; now: number },
): TicketClaims | null {
  const parts = ticket.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const [, payload, sig] = parts as [string, string, string];
  const good = Buffer.from(sign(key, payload));
  const given = Buffer.from(sig);
  if (good.length !== given.length || !timingSafeEqual(good, given)) return null;
  let c: TicketClaims;
  try {
    c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TicketClaims;
  } catch {
    return null;
  }
  if (typeof c.t !== 'string' || c.s !== expect.sessionId || !(c.e > expect.now)) return null;
  if (c.u !== null) return c.u === expect.userId ? c : null;
  if (c.n === null || expect.nonce === undefined) return null;
  const mine = Buffer.from(nonceHash(expect.nonce));
  return timingSafeEqual(mine, Buffer.from(String(c.n).padEnd(mine.length).slice(0, mine.length))) ? c : null;
}

/** The value of one cookie of a Cookie header (no dependency for one name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function scanCookie(nonce: string, secure: boolean): string {
  return `${SCAN_COOKIE}=${nonce}; Path=/attendance; Max-Age=${TICKET_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
