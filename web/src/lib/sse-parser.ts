/** A parser of `text/event-stream` (no dependencies: the browser tests run it in Node too). */
export interface SseEvent {
  event: string;
  data: string;
  /** The last event id seen so far (the one to resume from). */
  lastEventId: string | undefined;
}

/**
 * Incremental parser (WHATWG "event stream interpretation"): feed it text as it arrives; it calls
 * onEvent for each complete event and onActivity for every line (comments included).
 */
export function sseParser(onEvent: (e: SseEvent) => void, onActivity: () => void = () => {}) {
  let buf = '';
  let event = '';
  let data: string[] = [];
  let lastEventId: string | undefined;
  let retryMs: number | undefined;

  const line = (l: string) => {
    onActivity();
    if (l === '') {
      if (data.length) onEvent({ event: event || 'message', data: data.join('\n'), lastEventId });
      event = '';
      data = [];
      return;
    }
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  };

  return {
    push(chunk: string) {
      buf += chunk;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buf);
        if (!m) return;
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (m[0] === '\r' && m.index === buf.length - 1) return;
        line(buf.slice(0, m.index));
        buf = buf.slice(m.index + m[0].length);
      }
    },
    get lastEventId() {
      return lastEventId;
    },
    set lastEventId(v: string | undefined) {
      lastEventId = v;
    },
    get retryMs() {
      return retryMs;
    },
  };
}
