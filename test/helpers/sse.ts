import { type IncomingMessage, request } from 'node:http';
/**
 * A small Server-Sent Events client over fetch for tests: events in arrival order, comments
 * counted, `next()` waits for the next event (or fails after `timeoutMs`, so a missing event fails
 * the test instead of hanging it).
 */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read event bodies as loose JSON
  json: () => any;
}

export interface SseClient {
  status: number;
  contentType: string;
  /** The body of a refusal (the JSON envelope); '' for a stream. */
  body: string;
  events: SseEvent[];
  comments: string[];
  ended: Promise<void>;
  next(timeoutMs?: number): Promise<SseEvent>;
  /** The next event of this type, skipping others (`code` events interleave). */
  nextOf(type: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** node:http without an agent: one socket per stream, gone when the stream is closed (fetch's pool
 * keeps a spare socket open, which holds a server's graceful close). */
function get(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const res = await get(url, { accept: 'text/event-stream', ...headers });
  const ac = { abort: () => res.destroy() };
  res.on('error', () => {});
  const contentType = String(res.headers['content-type'] ?? '');
  const status = res.statusCode ?? 0;
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let read = 0;
  let wake: (() => void) | undefined;
  if (!contentType.startsWith('text/event-stream')) {
    let body = '';
    for await (const chunk of res) body += chunk;
    return {
      status,
      contentType,
      body,
      events,
      comments,
      ended: Promise.resolve(),
      next: () => Promise.reject(new Error(`not a stream: ${status} ${body}`)),
      nextOf: () => Promise.reject(new Error(`not a stream: ${status} ${body}`)),
      close: () => ac.abort(),
    };
  }
  let done = false;
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: Partial<SseEvent> = { event: 'message' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) {
            const text = data.join('\n');
            events.push({ ...(ev as SseEvent), data: text, json: () => JSON.parse(text) });
            wake?.();
          }
          i = buf.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      wake?.();
    }
  })();

  async function next(timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (read >= events.length) {
      if (done) throw new Error('the stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms (got ${events.length})`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.min(left, 200));
      });
    }
    return events[read++]!;
  }

  return {
    status,
    contentType,
    body: '',
    events,
    comments,
    ended,
    next,
    async nextOf(type, timeoutMs) {
      for (;;) {
        const e = await next(timeoutMs);
        if (e.event === type) return e;
      }
    },
    close: () => ac.abort(),
  };
}
