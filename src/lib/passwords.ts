/**
 * Password hashing: Argon2id with OWASP's parameters (19 MiB, t=2, p=1), computed on libuv's thread
 * pool so the event loop keeps serving. bcrypt hashes imported from the seed are verified and
 * reported as needing a re-hash, which the login then performs.
 */
import { type Algorithm, hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id`; the package's const enum cannot be read under isolatedModules. */
const ARGON2ID = 2 as Algorithm;

import { availableParallelism } from 'node:os';
import bcrypt from 'bcryptjs';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** `ok` false for a wrong password or an unreadable hash; `needsRehash` for bcrypt or old parameters. */
  verify(stored: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Burns the same time as a real verification; used when the account does not exist. */
  verifyDummy(password: string): Promise<void>;
}

/**
 * At most `limit` hashes at once. Argon2id runs on libuv's thread pool (4 threads) but a login storm
 * would otherwise keep every core busy hashing and starve the event loop, and with it every other
 * request (measured: /health p99 59 ms during a login storm on PostgreSQL). One core is left free.
 */
function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so no newcomer can slip in between.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

export function createPasswordHasher(
  opts: { memoryKib?: number; timeCost?: number; concurrency?: number } = {},
): PasswordHasher {
  const run = limiter(opts.concurrency ?? Math.max(1, availableParallelism() - 1));
  const params = {
    algorithm: ARGON2ID,
    memoryCost: opts.memoryKib ?? 19_456,
    timeCost: opts.timeCost ?? 2,
    parallelism: 1,
  };
  const current = `m=${params.memoryCost},t=${params.timeCost},p=1`;
  let dummy: Promise<string> | undefined;

  const verifyArgon = async (stored: string, password: string) => {
    try {
      return await run(() => verify(stored, password));
    } catch {
      return false;
    }
  };

  return {
    hash: (password) => run(() => hash(password, params)),
    async verify(stored, password) {
      if (/^\$2[aby]\$/.test(stored)) {
        // bcrypt silently ignores bytes past 72: refuse longer passwords instead of truncating them.
        if (Buffer.byteLength(password) > 72) return { ok: false, needsRehash: false };
        const ok = await run(() => bcrypt.compare(password, stored)).catch(() => false);
        return { ok, needsRehash: ok };
      }
      if (!stored.startsWith('$argon2')) return { ok: false, needsRehash: false };
      const ok = await verifyArgon(stored, password);
      return { ok, needsRehash: ok && !stored.includes(current) };
    },
    async verifyDummy(password) {
      dummy ??= run(() => hash('dummy-password-for-timing', params));
      await verifyArgon(await dummy, password);
    },
  };
}

/** Policy of API.md: a minimum length and more than one character class. */
export function passwordProblems(password: string, minLength: number): string | null {
  if ([...password].length < minLength) return `must be at least ${minLength} characters`;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((re) => re.test(password)).length;
  if (classes < 2) return 'must mix at least two of: lower case, upper case, digits, symbols';
  return null;
}
