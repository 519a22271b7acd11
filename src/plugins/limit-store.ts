/** Rate-limit counters: in memory for one process, in Redis (REDIS_URL) when several share the limits. */
import { createMemoryStore, type RateLimitStore } from '../lib/rate-limiter.js';

/**
 * Take-a-slot in one Lua script: Redis runs a script without interleaving other commands, so the
 * read of the count and its increment are one step for every process sharing the counter.
 * Returns {taken 0|1, count, pttl}. A key left without expiry (it cannot happen here, but a crash
 * between commands of older code could leave one) gets the window, so no counter lives forever.
 */
const TAKE_SLOT = `
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
local taken = 0
if c < tonumber(ARGV[1]) then
  c = redis.call('INCR', KEYS[1])
  taken = 1
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {taken, c, ttl}
`;

/** Decrement only a live counter above zero: a slot given back after its window ended changes nothing. */
const GIVE_BACK = `
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

interface SlotCommands {
  rlTakeSlot(key: string, limit: number, windowMs: number): Promise<[number, number, number]>;
  rlGiveBack(key: string): Promise<number>;
}

export async function createLimitStore(
  redisUrl: string | undefined,
  opts: { prefix?: string } = {},
): Promise<RateLimitStore> {
  if (!redisUrl) return createMemoryStore();
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  redis.defineCommand('rlTakeSlot', { numberOfKeys: 1, lua: TAKE_SLOT });
  redis.defineCommand('rlGiveBack', { numberOfKeys: 1, lua: GIVE_BACK });
  const cmd = redis as unknown as SlotCommands;
  // Tests sharing one Redis give each app its own prefix.
  const k = (key: string) => `${opts.prefix ?? 'rl:'}${key}`;
  return {
    async hit(key, windowMs) {
      // INCR then PEXPIRE NX in one round trip: the first hit of a window sets its end.
      const res = await redis.multi().incr(k(key)).pexpire(k(key), windowMs, 'NX').pttl(k(key)).exec();
      const count = Number(res?.[0]?.[1] ?? 1);
      const ttl = Number(res?.[2]?.[1] ?? windowMs);
      return { count, resetAt: Date.now() + (ttl > 0 ? ttl : windowMs) };
    },
    async peek(key) {
      const [count, ttl] = await Promise.all([redis.get(k(key)), redis.pttl(k(key))]);
      return { count: Number(count ?? 0), resetAt: Date.now() + Math.max(ttl, 0) };
    },
    async takeSlot(key, limit, windowMs) {
      const [taken, count, ttl] = await cmd.rlTakeSlot(k(key), limit, windowMs);
      return { taken: taken === 1, count: Number(count), resetAt: Date.now() + Number(ttl) };
    },
    async giveBack(key) {
      await cmd.rlGiveBack(k(key));
    },
    async reset(key) {
      await redis.del(k(key));
    },
    async close() {
      await redis.quit();
    },
  };
}
