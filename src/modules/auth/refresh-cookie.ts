/**
 * The web app's refresh token lives in a cookie the page's script cannot read (API.md Part 2, "Web
 * app"): a stolen-by-XSS page can still call the API while open, but cannot carry the long-lived
 * token away. `HttpOnly; SameSite=Strict; Path=/auth` (plus `Secure` when PUBLIC_URL is https):
 * the browser sends it to /auth only, and never on a request started by another site.
 * SameSite treats other ports and subdomains of the same site as "same site", so a cookie refresh
 * also requires an `Origin` equal to PUBLIC_URL's (sent by browsers on every POST): a page of a
 * sibling origin cannot mint access tokens with the user's cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const REFRESH_COOKIE = 'attendance_refresh';

/** The client asked for cookie mode: the refresh token goes to the cookie and out of the body. */
export const wantsCookie = (req: FastifyRequest) => req.headers['x-auth-cookie'] === '1';

/** The refresh cookie's value, if the request carries one that looks like a refresh token. */
export function readRefreshCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== REFRESH_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Our tokens are `<uuid>.<n>.<base64url>`: nothing to decode, and anything else is not ours.
    return /^[0-9A-Za-z._-]{1,200}$/.test(value) ? value : undefined;
  }
  return undefined;
}

const attributes = (publicUrl: string) =>
  `Path=/auth; HttpOnly; SameSite=Strict${publicUrl.startsWith('https:') ? '; Secure' : ''}`;

export function setRefreshCookie(
  reply: FastifyReply,
  token: string,
  maxAgeSeconds: number,
  publicUrl: string,
) {
  reply.header(
    'set-cookie',
    `${REFRESH_COOKIE}=${token}; Max-Age=${maxAgeSeconds}; ${attributes(publicUrl)}`,
  );
}

export function clearRefreshCookie(reply: FastifyReply, publicUrl: string) {
  reply.header('set-cookie', `${REFRESH_COOKIE}=; Max-Age=0; ${attributes(publicUrl)}`);
}

/** The request's Origin is PUBLIC_URL's origin (a browser POST always sends one). */
export function fromPublicOrigin(req: FastifyRequest, publicUrl: string): boolean {
  return req.headers.origin === new URL(publicUrl).origin;
}
