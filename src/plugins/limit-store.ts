/** Rate-limit counters: in memory for one process, in Redis (REDIS_URL) when several share the limits. */
import { createMemoryStore, type RateLimitStore } from '../lib/rate-limiter.js';

export async function createLimitStore(redisUrl: string | undefined): Promise<RateLimitStore> {
  if (!redisUrl) return createMemoryStore();
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  return {
    async hit(key, windowMs) {
      // INCR then PEXPIRE NX in one round trip: the first hit of a window sets its end.
      const res = await redis
        .multi()
        .incr(`rl:${key}`)
        .pexpire(`rl:${key}`, windowMs, 'NX')
        .pttl(`rl:${key}`)
        .exec();
      const count = Number(res?.[0]?.[1] ?? 1);
      const ttl = Number(res?.[2]?.[1] ?? windowMs);
      return { count, resetAt: Date.now() + (ttl > 0 ? ttl : windowMs) };
    },
    async peek(key) {
      const [count, ttl] = await Promise.all([redis.get(`rl:${key}`), redis.pttl(`rl:${key}`)]);
      return { count: Number(count ?? 0), resetAt: Date.now() + Math.max(ttl, 0) };
    },
    async reset(key) {
      await redis.del(`rl:${key}`);
    },
    async release(key) {
      // DECR only an existing, positive counter (a Lua script keeps it one atomic step).
      await redis.eval(
        "local v = tonumber(redis.call('GET', KEYS[1]) or '0') if v > 0 then redis.call('DECR', KEYS[1]) end return 0",
        1,
        `rl:${key}`,
      );
    },
    async close() {
      await redis.quit();
    },
  };
}
