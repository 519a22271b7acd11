/**
 * Fixed-window counters for rate limits. The memory store serves one process; with REDIS_URL the
 * Redis store shares the counts between processes and machines (see plugins/redis-store.ts).
 */
export interface RateLimitStore {
  /** Adds one to the key's counter and returns the new count and when the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  /** Reads the counter without adding to it. */
  peek(key: string): Promise<{ count: number; resetAt: number }>;
  reset(key: string): Promise<void>;
  /** Takes one back (never below zero): an attempt counted up front that turned out not to count. */
  release(key: string): Promise<void>;
  close?(): Promise<void>;
}

export function createMemoryStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let lastSweep = now();
  const sweep = (t: number) => {
    // Bounded memory: drop finished windows at most once a minute.
    if (t - lastSweep < 60_000) return;
    lastSweep = t;
    for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
  };
  return {
    async hit(key, windowMs) {
      const t = now();
      sweep(t);
      const w = windows.get(key);
      if (!w || w.resetAt <= t) {
        const fresh = { count: 1, resetAt: t + windowMs };
        windows.set(key, fresh);
        return { ...fresh };
      }
      w.count += 1;
      return { ...w };
    },
    async peek(key) {
      const t = now();
      const w = windows.get(key);
      return !w || w.resetAt <= t ? { count: 0, resetAt: t } : { ...w };
    },
    async reset(key) {
      windows.delete(key);
    },
    async release(key) {
      const w = windows.get(key);
      if (w && w.count > 0) w.count -= 1;
    },
  };
}
