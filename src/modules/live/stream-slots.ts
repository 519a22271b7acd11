/**
 * SSE_MAX_PER_USER across processes. Without Redis each process counts its own streams (the hub's
 * per-user count). With REDIS_URL every process takes a slot in one sorted set per user — member:
 * the stream, score: when the slot lapses — in a Lua script (Redis runs it without interleaving
 * other commands, so two processes cannot both take the last slot). Each process renews the slots
 * of its open streams on every re-check (10 s) and gives a slot back when its stream ends; the
 * slots of a process that died lapse on their own after SLOT_TTL_MS.
 */
import type { Redis } from 'ioredis';

export interface StreamSlots {
  take(userId: string, streamId: string, max: number): Promise<boolean>;
  release(userId: string, streamId: string): void;
  renew(slots: readonly { userId: string; streamId: string }[]): Promise<void>;
}

const SLOT_TTL_MS = 45_000;

const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export function redisStreamSlots(redis: Redis, prefix: string, onError: (err: unknown) => void): StreamSlots {
  const key = (userId: string) => `${prefix}:slots:${userId}`;
  return {
    async take(userId, streamId, max) {
      const now = Date.now();
      const r = await redis.eval(TAKE, 1, key(userId), now, now + SLOT_TTL_MS, max, streamId, SLOT_TTL_MS);
      return Number(r) === 1;
    },
    release(userId, streamId) {
      redis.zrem(key(userId), streamId).catch(onError);
    },
    async renew(slots) {
      if (slots.length === 0) return;
      const until = Date.now() + SLOT_TTL_MS;
      const m = redis.multi();
      for (const s of slots)
        m.zadd(key(s.userId), 'XX', until, s.streamId).pexpire(key(s.userId), SLOT_TTL_MS);
      await m.exec();
    },
  };
}
