/**
 * Server-Sent Events read with fetch (the live feed authenticates with the Authorization header,
 * which EventSource cannot send; API.md "Live feed"). A small parser of `text/event-stream` and a
 * connection that reconnects with `Last-Event-ID`, notices a silent stream (the server comments
 * every 15 s) and says when the endpoint does not exist (404: the caller falls back to polling).
 */
import { authFetch, toApiError } from '../api/client';
import type { ApiError } from '../api/errors';
import { type SseEvent, sseParser } from './sse-parser';

export type { SseEvent };

/**
 * live: events flow; lost: the stream dropped (reconnecting); unavailable: the server has no such
 * stream (404) — poll instead; denied: 401/403, no retry.
 */
export type FeedState = 'connecting' | 'live' | 'lost' | 'unavailable' | 'denied';

export interface FeedOptions {
  onEvent: (e: SseEvent) => void;
  onState: (s: FeedState, error?: ApiError) => void;
  /** No byte for this long → the stream is taken as dead and reopened (server comments every 15 s). */
  silenceMs?: number;
  /** How often to look again for a stream that answered 404. */
  unavailableRetryMs?: number;
}

/** Opens the stream and keeps it open until the returned function is called. */
export function openFeed(url: string, opts: FeedOptions): () => void {
  const silenceMs = opts.silenceMs ?? 40_000;
  let stopped = false;
  let ctrl: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let lastEventId: string | undefined;

  let wake: (() => void) | undefined;
  const wait = (ms: number) =>
    new Promise<void>((r) => {
      wake = r;
      timer = setTimeout(r, ms);
    });
  // The device says it went offline: the stream is dead even if no error has surfaced yet (a
  // half-open TCP connection can stay silent for minutes). Back online: reconnect at once.
  const offline = () => ctrl?.abort();
  const online = () => {
    clearTimeout(timer);
    wake?.();
  };
  addEventListener('offline', offline);
  addEventListener('online', online);

  const once = async (): Promise<number> => {
    let retryMs: number | undefined;
    ctrl = new AbortController();
    const mine = ctrl;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => mine.abort(), silenceMs);
    };
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const res = await authFetch(
        new Request(new URL(url, location.origin), { headers, signal: mine.signal, cache: 'no-store' }),
      );
      if (!res.ok) {
        const err = toApiError(res, await res.json().catch(() => ({})));
        if (res.status === 404) {
          opts.onState('unavailable', err);
          return opts.unavailableRetryMs ?? 30_000;
        }
        if (res.status === 401 || res.status === 403) {
          opts.onState('denied', err);
          return -1;
        }
        opts.onState('lost', err);
        return (err.retryAfterS ?? 5) * 1000;
      }
      if (!res.body) throw new Error('no body');
      const parser = sseParser((e) => {
        lastEventId = e.lastEventId;
        opts.onEvent(e);
      }, alive);
      parser.lastEventId = lastEventId;
      alive();
      failures = 0;
      opts.onState('live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        alive();
        parser.push(value);
      }
      retryMs = parser.retryMs;
    } catch {
      // Network error or watchdog abort: reconnect below.
    } finally {
      clearTimeout(watchdog);
    }
    if (stopped) return -1;
    opts.onState('lost');
    failures++;
    return retryMs ?? Math.min(15_000, 500 * 2 ** Math.min(failures, 5));
  };

  (async () => {
    opts.onState('connecting');
    while (!stopped) {
      const next = await once();
      if (next < 0 || stopped) return;
      await wait(next);
    }
  })();

  return () => {
    stopped = true;
    clearTimeout(timer);
    removeEventListener('offline', offline);
    removeEventListener('online', online);
    ctrl?.abort();
  };
}
