/**
 * Limits on wrong check-in codes (API.md Part 2; issue 17.3: a static code could be brute-forced).
 * Each guess takes a slot *before* it is verified (increment-then-check), so parallel guesses cannot
 * all slip under the limit; a code that turns out right gives its slot back, so only wrong codes
 * count. Check-in: 5 wrong codes in 10 minutes per user and session. Scan (no login): wrong codes per
 * address and per session; a right scan takes nothing from the address (a 500-seat hall scans from
 * one campus address within one step).
 */
import { rateLimited } from '../../lib/errors.js';
import { type RateLimitStore, type SlotSpec, takeSlots } from '../../lib/rate-limiter.js';

export type Limit = Required<SlotSpec>;

const TEN_MINUTES = 10 * 60_000;

export const checkInLimit = (sessionId: string, userId: string): Limit => ({
  key: `code:checkin:${sessionId}:${userId}`,
  limit: 5,
  windowMs: TEN_MINUTES,
});
export const scanLimits = (sessionId: string, ip: string): Limit[] => [
  { key: `code:scan-ip:${ip}`, limit: 30, windowMs: TEN_MINUTES },
  { key: `code:scan-session:${sessionId}`, limit: 300, windowMs: TEN_MINUTES },
];

/**
 * Takes a slot in every limit, then runs `verify`. Over any limit → 429 (the guess is not verified).
 * A right code returns the slots.
 */
export async function guardedGuess(
  store: RateLimitStore,
  limits: Limit[],
  now: number,
  verify: () => boolean,
): Promise<boolean> {
  // Every slot or none (takeSlots gives back what it took when one limit is full): a refused guess
  // is not verified and takes nothing, so each limit stays at its ceiling whatever runs in parallel.
  const slots = await takeSlots(store, limits, TEN_MINUTES);
  if (!slots.taken) throw rateLimited((slots.resetAt - now) / 1000);
  const ok = verify();
  if (ok) await Promise.all(limits.map((l) => store.giveBack(l.key)));
  return ok;
}
