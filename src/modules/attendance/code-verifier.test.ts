import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acceptedSteps, type CodeSession, codeAccepted, currentCode, rotatingCode } from './code-verifier.js';

/** An independent RFC 4226 truncation over HMAC-SHA256(secret, session_id ‖ step as 8 bytes BE). */
function referenceCode(secretHex: string, sessionId: string, step: number): string {
  const msg = Buffer.alloc(Buffer.byteLength(sessionId) + 8);
  msg.write(sessionId, 0, 'utf8');
  msg.writeUInt32BE(Math.floor(step / 2 ** 32), msg.length - 8);
  msg.writeUInt32BE(step >>> 0, msg.length - 4);
  const h = createHmac('sha256', Buffer.from(secretHex, 'hex')).update(msg).digest();
  const o = h[31]! & 0xf;
  const n = h.readUInt32BE(o) & 0x7fffffff;
  return (n % 1_000_000).toString().padStart(6, '0');
}

const session = (period = 15): CodeSession => ({
  session_id: randomUUID(),
  code_mode: 'rotating',
  code: null,
  code_secret: randomBytes(32).toString('hex'),
  code_period_seconds: period,
});

describe('rotating codes', () => {
  it('1000 random (secret, step) pairs: 6 digits in 000000–999999, equal to an independent HMAC computation', () => {
    for (let i = 0; i < 1000; i++) {
      const secret = randomBytes(32).toString('hex');
      const sid = randomUUID();
      const step = Math.floor(Math.random() * 2 ** 40);
      const code = rotatingCode(secret, sid, step);
      expect(code).toMatch(/^\d{6}$/);
      expect(Number(code)).toBeGreaterThanOrEqual(0);
      expect(Number(code)).toBeLessThanOrEqual(999_999);
      expect(code).toBe(referenceCode(secret, sid, step));
    }
  });

  it('the code depends on the session id and the step, not only the secret', () => {
    const s = session();
    const other = { ...s, session_id: randomUUID() };
    const t = 1_800_000_000_000;
    const codes = new Set([
      currentCode(s, t)!.code,
      currentCode(other, t)!.code,
      currentCode(s, t + 15_000)!.code,
    ]);
    expect(codes.size).toBe(3);
  });

  // Period 15 s, grace 10 s; t0 is the start of step k.
  const period = 15;
  const grace = 10;
  const k = 120_000_000;
  const t0 = k * period * 1000;

  it('accepted in its own step, from its first to its last millisecond', () => {
    const s = session(period);
    const code = rotatingCode(s.code_secret!, s.session_id, k);
    expect(codeAccepted(s, code, t0, grace)).toBe(true);
    expect(codeAccepted(s, code, t0 + 14_999, grace)).toBe(true);
    expect(currentCode(s, t0 + 7_000)).toEqual({ code, step: k, expiresAt: t0 + 15_000 });
  });

  it('accepted in the grace seconds of the next step, refused after', () => {
    const s = session(period);
    const code = rotatingCode(s.code_secret!, s.session_id, k);
    expect(codeAccepted(s, code, t0 + 15_000 + 9_999, grace)).toBe(true);
    expect(codeAccepted(s, code, t0 + 15_000 + 10_000, grace)).toBe(false);
    expect(codeAccepted(s, code, t0 + 30_000, grace)).toBe(false);
  });

  it('refused one step early, except in the last 2 s of the step before (clock skew)', () => {
    const s = session(period);
    const next = rotatingCode(s.code_secret!, s.session_id, k + 1);
    expect(codeAccepted(s, next, t0, grace)).toBe(false);
    expect(codeAccepted(s, next, t0 + 12_999, grace)).toBe(false);
    expect(codeAccepted(s, next, t0 + 13_000, grace)).toBe(true);
    expect(codeAccepted(s, rotatingCode(s.code_secret!, s.session_id, k + 2), t0 + 14_999, grace)).toBe(
      false,
    );
  });

  it.each([
    [0, [k, k - 1]],
    [9_999, [k, k - 1]],
    [10_000, [k]],
    [13_000, [k, k + 1]],
  ])('acceptedSteps at t0 + %i ms', (offset, steps) => {
    expect(acceptedSteps(t0 + offset, period, grace)).toEqual(steps);
  });

  it('static codes: exact match only; no codes for code_mode none', () => {
    const s: CodeSession = {
      session_id: randomUUID(),
      code_mode: 'static',
      code: 'BLUE-42',
      code_secret: null,
      code_period_seconds: 15,
    };
    expect(codeAccepted(s, 'BLUE-42', 0, grace)).toBe(true);
    expect(codeAccepted(s, 'blue-42', 0, grace)).toBe(false);
    expect(currentCode(s, 0)).toEqual({ code: 'BLUE-42', step: null, expiresAt: null });
    expect(codeAccepted({ ...s, code_mode: 'none' }, 'BLUE-42', 0, grace)).toBe(false);
    expect(currentCode({ ...s, code_mode: 'none' }, 0)).toBeNull();
  });
});
