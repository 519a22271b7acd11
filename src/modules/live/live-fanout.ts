/**
 * How a committed change reaches the live feeds of every process (API.md Part 2 "Live feed").
 * What travels is a notice "session X changed", never the event itself: each process reads the
 * stored events after the last one it sent (live-hub.ts), so a notice lost, doubled or overtaken
 * loses, doubles or reorders nothing.
 *   - REDIS_URL set: Redis pub/sub, one channel; a dedicated subscriber connection (a subscribed
 *     ioredis connection can do nothing else) and one for publishing. Reaches every process on every
 *     machine, workers included.
 *   - a cluster worker without Redis: a message to the primary, which relays it to every worker
 *     (src/server.ts, `relayLiveNotices`).
 *   - otherwise: this process only.
 * The notifying process always tells its own hub directly and ignores its own echo.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { redisStreamSlots, type StreamSlots } from './stream-slots.js';

export const CLUSTER_MESSAGE = 'attendance:live';

export interface LiveFanout {
  /** Tell every process (this one included) that these sessions have new events. */
  publish(sessionIds: readonly string[]): void;
  /** Per-user stream slots shared by every process (with Redis only: stream-slots.ts). */
  slots?: StreamSlots;
  close(): Promise<void>;
}

interface Notice {
  type: typeof CLUSTER_MESSAGE;
  origin: string;
  sessions: string[];
}

const isNotice = (m: unknown): m is Notice =>
  typeof m === 'object' &&
  m !== null &&
  (m as Notice).type === CLUSTER_MESSAGE &&
  typeof (m as Notice).origin === 'string' &&
  Array.isArray((m as Notice).sessions);

export async function createLiveFanout(opts: {
  redisUrl: string | undefined;
  /** Redis channel name (tests sharing one Redis give each run its own). */
  channel?: string;
  deliver: (sessionId: string) => void;
  onError: (err: unknown) => void;
}): Promise<LiveFanout> {
  const origin = randomBytes(8).toString('hex');
  const receive = (m: unknown) => {
    if (!isNotice(m) || m.origin === origin) return;
    for (const s of m.sessions) if (typeof s === 'string') opts.deliver(s);
  };
  const local = (sessionIds: readonly string[]) => {
    for (const s of sessionIds) opts.deliver(s);
  };

  if (opts.redisUrl) {
    const { Redis } = await import('ioredis');
    const channel = opts.channel ?? 'attendance:live';
    const pub = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2 });
    const sub = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    pub.on('error', opts.onError);
    sub.on('error', opts.onError);
    sub.on('message', (_ch: string, text: string) => {
      try {
        receive(JSON.parse(text));
      } catch (err) {
        opts.onError(err);
      }
    });
    await sub.subscribe(channel);
    return {
      slots: redisStreamSlots(pub, channel, opts.onError),
      publish(sessionIds) {
        local(sessionIds);
        const notice: Notice = { type: CLUSTER_MESSAGE, origin, sessions: [...sessionIds] };
        pub.publish(channel, JSON.stringify(notice)).catch(opts.onError);
      },
      async close() {
        await Promise.allSettled([sub.quit(), pub.quit()]);
      },
    };
  }

  if (cluster.isWorker && process.send) {
    process.on('message', receive);
    return {
      publish(sessionIds) {
        local(sessionIds);
        const notice: Notice = { type: CLUSTER_MESSAGE, origin, sessions: [...sessionIds] };
        process.send?.(notice);
      },
      async close() {
        process.off('message', receive);
      },
    };
  }

  return { publish: local, close: async () => {} };
}

/** In the primary of WEB_CONCURRENCY workers: every worker's notice goes to all the others. */
export function relayLiveNotices(): void {
  cluster.on('message', (from, m: unknown) => {
    if (!isNotice(m)) return;
    for (const w of Object.values(cluster.workers ?? {})) if (w && w !== from && w.isConnected()) w.send(m);
  });
}
