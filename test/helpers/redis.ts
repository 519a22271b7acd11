/**
 * The Redis the tests may use: TEST_REDIS_URL, else a server on 127.0.0.1:6379 when one answers.
 * Redis is shared between test runs (and engineers): every store gets a key prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { RateLimitStore } from '../../src/lib/rate-limiter.js';
import { createLimitStore } from '../../src/plugins/limit-store.js';

const FALLBACK = 'redis://127.0.0.1:6379';

function answers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port || 6379) });
    s.setTimeout(500);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** The URL, or undefined when no Redis is configured or reachable. */
export const testRedisUrl: string | undefined =
  process.env.TEST_REDIS_URL || ((await answers(FALLBACK)) ? FALLBACK : undefined);

/** A Redis-backed limit store with a unique key prefix; close it after the test. */
export function redisLimitStore(): Promise<RateLimitStore> {
  if (!testRedisUrl) throw new Error('no Redis for tests');
  return createLimitStore(testRedisUrl, { prefix: `test:${randomBytes(6).toString('hex')}:` });
}
