/**
 * For rate-limit tests: the limit stores to run against — memory always, Redis when one answers
 * (test/helpers/redis.ts); memory moves a fake clock past the window, Redis waits it out in real
 * time, so its window is short (the bursts the tests send take well under a second) — and a
 * hasher that counts the password evaluations it runs.
 */
import type { PasswordHasher } from '../../src/lib/passwords.js';
import { createMemoryStore, type RateLimitStore } from '../../src/lib/rate-limiter.js';
import { hasher } from './app.js';
import { redisLimitStore, testRedisUrl } from './redis.js';

/** The test hasher, counting every password evaluation (real or dummy). */
export function countingHasher() {
  const counter = { verified: 0 };
  const h: PasswordHasher = {
    hash: (p) => hasher.hash(p),
    async verify(stored, p) {
      counter.verified++;
      return hasher.verify(stored, p);
    },
    async verifyDummy(p) {
      counter.verified++;
      return hasher.verifyDummy(p);
    },
  };
  return { h, counter };
}

export interface LimitStoreCase {
  name: 'memory' | 'redis';
  /** LOGIN_WINDOW_SECONDS (or any window) to configure with this store. */
  windowSeconds: number;
  make(): Promise<{ store: RateLimitStore; passWindow(retryAfterS: number): Promise<void> }>;
}

/** The cases, with a warning naming `file` when Redis is skipped. */
export function limitStoreCases(file: string): LimitStoreCase[] {
  const cases: LimitStoreCase[] = [
    {
      name: 'memory',
      windowSeconds: 900,
      async make() {
        let offset = 0;
        const store = createMemoryStore(() => Date.now() + offset);
        return {
          store,
          async passWindow(retryAfterS) {
            offset += retryAfterS * 1000 + 1;
          },
        };
      },
    },
  ];
  if (testRedisUrl)
    cases.push({
      name: 'redis',
      windowSeconds: 4,
      async make() {
        const store = await redisLimitStore();
        return {
          store,
          passWindow: (retryAfterS) => new Promise((r) => setTimeout(r, retryAfterS * 1000 + 50)),
        };
      },
    });
  else console.warn(`${file}: Redis case skipped (no TEST_REDIS_URL, nothing on 127.0.0.1:6379)`);
  return cases;
}
