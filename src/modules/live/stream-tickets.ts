/**
 * Stream tickets (API.md Part 2 "Live feed"): `EventSource` cannot send an Authorization header,
 * so POST /auth/stream-ticket trades the caller's token for a short ticket the feed accepts as
 * `?ticket=`. A ticket is `st1.<payload>.<signature>` (base64url; HMAC-SHA256 with SECRET_KEY, with
 * its own domain prefix so no other signed thing of this service passes for one). It names the
 * live session, the user, the login session and the expiry: valid 60 s for that session and user,
 * any number of (re)connections meanwhile — EventSource reconnects by itself with the same URL.
 * The login session is checked at every use, so a logout kills the ticket with the session.
 * Tickets travel in URLs: the request log never writes query strings (src/plugins/request-log.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const STREAM_TICKET_TTL_MS = 60_000;

export interface StreamTicketClaims {
  /** Attendance session id. */
  s: string;
  /** User id. */
  u: string;
  /** Login session id (user_sessions). */
  l: string;
  /** Expiry, epoch ms. */
  e: number;
}

const sign = (key: string, payload: string) =>
  createHmac('sha256', key).update(`stream-ticket.${payload}`).digest('base64url');

export function issueStreamTicket(
  key: string,
  who: { sessionId: string; userId: string; loginSessionId: string },
  now: number,
): { ticket: string; expiresAt: number } {
  const claims: StreamTicketClaims = {
    s: who.sessionId,
    u: who.userId,
    l: who.loginSessionId,
    e: now + STREAM_TICKET_TTL_MS,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { ticket: `st1.${payload}.${sign(key, payload)}`, expiresAt: claims.e };
}

/** The claims of a well-signed, unexpired ticket for this session; null for anything else. */
export function readStreamTicket(
  key: string,
  ticket: string,
  expect: { sessionId: string; now: number },
): StreamTicketClaims | null {
  if (ticket.length > 1024) return null;
  const parts = ticket.split('.');
  if (parts.length !== 3 || parts[0] !== 'st1') return null;
  const [, payload, sig] = parts as [string, string, string];
  const good = Buffer.from(sign(key, payload));
  const given = Buffer.from(sig);
  if (good.length !== given.length || !timingSafeEqual(good, given)) return null;
  let c: StreamTicketClaims;
  try {
    c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as StreamTicketClaims;
  } catch {
    return null;
  }
  if (typeof c !== 'object' || c === null) return null;
  if (
    typeof c.s !== 'string' ||
    typeof c.u !== 'string' ||
    typeof c.l !== 'string' ||
    typeof c.e !== 'number'
  )
    return null;
  if (c.s !== expect.sessionId || c.e <= expect.now) return null;
  return c;
}
