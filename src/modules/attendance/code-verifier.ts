/**
 * Check-in codes (API.md Part 2 "Check-in codes"). A static code is compared in constant time. A
 * rotating code is derived on the server only: 6 digits by RFC 4226 dynamic truncation of
 * HMAC-SHA256(secret, session_id ‖ step), step = floor(now / period). The projector shows what the
 * server computes, so there is no second clock to disagree with; the accepted window absorbs the
 * time a student needs to type: the current step, the previous one during the first `graceSeconds`
 * of the current, and the next one only in the last 2 s of the current (servers' clocks differ a
 * little).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CodeMode } from '../sessions/sessions.table.js';

export interface CodeSession {
  session_id: string;
  code_mode: CodeMode;
  code: string | null;
  code_secret: string | null;
  code_period_seconds: number;
}

/** The next step is accepted this close to its start. */
const NEXT_STEP_LEAD_MS = 2_000;

/** session_id as UTF-8 followed by the step as 8 bytes big-endian. */
function message(sessionId: string, step: number): Buffer {
  const stepBytes = Buffer.alloc(8);
  stepBytes.writeBigUInt64BE(BigInt(step));
  return Buffer.concat([Buffer.from(sessionId, 'utf8'), stepBytes]);
}

/** RFC 4226 section 5.3 dynamic truncation, over a SHA-256 HMAC (32 bytes: offset from the last byte). */
export function truncate(hmac: Buffer, digits = 6): string {
  const offset = hmac[hmac.length - 1]! & 0x0f;
  const bin =
    ((hmac[offset]! & 0x7f) << 24) | (hmac[offset + 1]! << 16) | (hmac[offset + 2]! << 8) | hmac[offset + 3]!;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export function rotatingCode(secretHex: string, sessionId: string, step: number): string {
  return truncate(
    createHmac('sha256', Buffer.from(secretHex, 'hex')).update(message(sessionId, step)).digest(),
  );
}

export const stepAt = (nowMs: number, periodSeconds: number) => Math.floor(nowMs / (periodSeconds * 1000));

/** The steps whose code is accepted at `nowMs`, current first. */
export function acceptedSteps(nowMs: number, periodSeconds: number, graceSeconds: number): number[] {
  const periodMs = periodSeconds * 1000;
  const step = stepAt(nowMs, periodSeconds);
  const intoStep = nowMs - step * periodMs;
  const steps = [step];
  if (intoStep < graceSeconds * 1000 && step > 0) steps.push(step - 1);
  if (periodMs - intoStep <= NEXT_STEP_LEAD_MS) steps.push(step + 1);
  return steps;
}

/** What the projector shows now (rotating) or the fixed code (static); null for code_mode none. */
export function currentCode(
  s: CodeSession,
  nowMs: number,
): { code: string; step: number | null; expiresAt: number | null } | null {
  if (s.code_mode === 'static' && s.code !== null) return { code: s.code, step: null, expiresAt: null };
  if (s.code_mode !== 'rotating' || s.code_secret === null) return null;
  const step = stepAt(nowMs, s.code_period_seconds);
  return {
    code: rotatingCode(s.code_secret, s.session_id, step),
    step,
    expiresAt: (step + 1) * s.code_period_seconds * 1000,
  };
}

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );
}

/** Whether `given` is a code the session accepts at `nowMs`. A session without codes accepts none. */
export function codeAccepted(s: CodeSession, given: string, nowMs: number, graceSeconds: number): boolean {
  if (s.code_mode === 'static') return s.code !== null && sameSecret(given, s.code);
  if (s.code_mode !== 'rotating' || s.code_secret === null) return false;
  let ok = false;
  // Every accepted step is compared (no early exit): the time taken does not tell which one matched.
  for (const step of acceptedSteps(nowMs, s.code_period_seconds, graceSeconds)) {
    if (sameSecret(given, rotatingCode(s.code_secret, s.session_id, step))) ok = true;
  }
  return ok;
}
