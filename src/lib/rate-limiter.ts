/**
 * Fixed-window counters for rate limits. The memory store serves one process; with REDIS_URL the
 * Redis store shares the counts between processes and machines (see plugins/limit-store.ts).
 *
 * Two ways to count:
 * - `hit` counts what already happened (a request arrived) and lets the caller compare afterwards.
 * - `takeSlot` is for attempts whose outcome is only known after slow work (a password hash, a code
 *   check): it reserves one of `limit` slots of the window BEFORE the work starts, atomically, so
 *   200 guesses sent at once cannot all read "9 failures so far" and all be evaluated. Read-then-
 *   increment-after (the earlier login code) let every parallel guess through; take-first does not.
 *   When the attempt turns out to be one that should not count (a right password, a right code),
 *   the caller gives its slot back with `giveBack`. Use it for every "N wrong tries per window"
 *   limit: wrong passwords, wrong check-in codes, scan tickets.
 */
export interface SlotResult {
  /** True when a slot was reserved: do the work. False: the limit is reached, refuse (429). */
  taken: boolean;
  /** Slots in use in this window, this one included when taken. */
  count: number;
  /** When the window ends (epoch ms): the Retry-After of a refusal. */
  resetAt: number;
}

export interface RateLimitStore {
  /** Adds one to the key's counter and returns the new count and when the window ends. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  /** Reads the counter without adding to it. */
  peek(key: string): Promise<{ count: number; resetAt: number }>;
  /**
   * Take a slot first: atomically adds one to the key's counter only if it is below `limit`
   * (the first slot of a window starts it, `windowMs` long). Never counts past `limit`.
   */
  takeSlot(key: string, limit: number, windowMs: number): Promise<SlotResult>;
  /** Gives back one slot taken by `takeSlot` in the current window (no-op once the window ended). */
  giveBack(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** One counter of a multi-counter check: its key and its ceiling. */
export interface SlotSpec {
  key: string;
  limit: number;
  /** This counter's window; takeSlots' `windowMs` when absent. */
  windowMs?: number;
}

/**
 * Takes a slot of every counter, in order, or none: when one is full, the slots already taken are
 * given back and the full one is returned (its `resetAt` is the Retry-After). Each counter alone
 * stays within its ceiling whatever runs in parallel, which is the guarantee the limits need.
 * `counts[i]`: the slots of `specs[i]` in use once this one was taken — `limit` for exactly the
 * attempt that filled it (a re-read after the work would see `limit` in every parallel attempt).
 */
export async function takeSlots(
  store: RateLimitStore,
  specs: readonly SlotSpec[],
  windowMs: number,
): Promise<{ taken: true; counts: number[] } | { taken: false; refusedBy: SlotSpec; resetAt: number }> {
  const held: string[] = [];
  const counts: number[] = [];
  for (const spec of specs) {
    const r = await store.takeSlot(spec.key, spec.limit, spec.windowMs ?? windowMs);
    if (!r.taken) {
      await Promise.all(held.map((k) => store.giveBack(k)));
      return { taken: false, refusedBy: spec, resetAt: r.resetAt };
    }
    held.push(spec.key);
    counts.push(r.count);
  }
  return { taken: true, counts };
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
  /** The key's live window, started now when there is none. Synchronous: no await between read and write. */
  const current = (key: string, windowMs: number, t: number) => {
    let w = windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + windowMs };
      windows.set(key, w);
    }
    return w;
  };
  return {
    async hit(key, windowMs) {
      const t = now();
      sweep(t);
      const w = current(key, windowMs, t);
      w.count += 1;
      return { ...w };
    },
    async peek(key) {
      const t = now();
      const w = windows.get(key);
      return !w || w.resetAt <= t ? { count: 0, resetAt: t } : { ...w };
    },
    async takeSlot(key, limit, windowMs) {
      const t = now();
      sweep(t);
      const w = current(key, windowMs, t);
      if (w.count >= limit) return { taken: false, count: w.count, resetAt: w.resetAt };
      w.count += 1;
      return { taken: true, count: w.count, resetAt: w.resetAt };
    },
    async giveBack(key) {
      const w = windows.get(key);
      if (w && w.resetAt > now() && w.count > 0) w.count -= 1;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
