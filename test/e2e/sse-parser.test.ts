/**
 * The web app's SSE parser (web/src/lib/sse-parser.ts), fed the way a network delivers: in chunks
 * cut anywhere, CRLF or LF or CR line ends. Runs in Node (the parser has no browser dependency).
 */
import { describe, expect, it } from 'vitest';
import { type SseEvent, sseParser } from '../../web/src/lib/sse-parser.js';

const STREAM =
  ': hello\r\n\r\n' +
  'id: 7\r\nevent: snapshot\r\ndata: {"a":1}\r\n\r\n' +
  'event: record\ndata: line one\ndata: line two\nid: 8\n\n' +
  ':heartbeat\n\n' +
  'event: code\rdata: {"code":"123456"}\r\r' +
  'data:no space\nretry: 2500\n\n' +
  'event: ignored-without-data\n\n';

function parse(chunks: string[]) {
  const events: SseEvent[] = [];
  let activity = 0;
  const p = sseParser(
    (e) => events.push(e),
    () => activity++,
  );
  for (const c of chunks) p.push(c);
  return { events, activity, retryMs: p.retryMs, lastEventId: p.lastEventId };
}

const expected: SseEvent[] = [
  { event: 'snapshot', data: '{"a":1}', lastEventId: '7' },
  { event: 'record', data: 'line one\nline two', lastEventId: '8' },
  // No id: line: the last id seen stays the one to resume from.
  { event: 'code', data: '{"code":"123456"}', lastEventId: '8' },
  { event: 'message', data: 'no space', lastEventId: '8' },
];

describe('SSE parser', () => {
  it('reads the whole stream at once', () => {
    const r = parse([STREAM]);
    expect(r.events).toEqual(expected);
    expect(r.retryMs).toBe(2500);
    expect(r.lastEventId).toBe('8');
    expect(r.activity).toBeGreaterThan(10); // comments count as signs of life
  });

  it('gives the same events whatever the chunk boundaries (CRLF split included)', () => {
    for (const size of [1, 2, 3, 5, 7, 11, 64]) {
      const chunks: string[] = [];
      for (let i = 0; i < STREAM.length; i += size) chunks.push(STREAM.slice(i, i + size));
      expect(parse(chunks).events, `chunks of ${size}`).toEqual(expected);
    }
    // Cut exactly between \r and \n: no empty line in between, so no extra event or lost field.
    const cut = STREAM.indexOf('\r\n') + 1;
    expect(parse([STREAM.slice(0, cut), STREAM.slice(cut)]).events).toEqual(expected);
  });

  it('keeps an unfinished event until its blank line arrives', () => {
    const events: SseEvent[] = [];
    const p = sseParser((e) => events.push(e));
    p.push('event: record\ndata: {"x":1}\n');
    expect(events).toEqual([]);
    p.push('\n');
    expect(events).toEqual([{ event: 'record', data: '{"x":1}', lastEventId: undefined }]);
  });
});
