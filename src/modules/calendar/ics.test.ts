import { describe, expect, it } from 'vitest';
import { buildCalendar, escapeText, foldLine, icsUtc } from './ics.js';

describe('escapeText', () => {
  it.each([
    ['plain', 'plain'],
    ['a, b; c\\d', 'a\\, b\\; c\\\\d'],
    ['line\r\nbreaks\rand\nmore', 'line\\nbreaks\\nand\\nmore'],
    ['bell\u0007 and nul\u0000 gone, tab\tkept', 'bell and nul gone\\, tab\tkept'],
  ])('%j → %j', (input, output) => expect(escapeText(input)).toBe(output));
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone and folds the 76th onto a continuation line', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });
  it('never splits a UTF-8 sequence; every physical line is at most 75 octets', () => {
    const line = `SUMMARY:${'漢字✓é'.repeat(40)}`;
    const folded = foldLine(line);
    const physical = folded.split('\r\n');
    for (const p of physical) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(75);
    expect(physical.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
  });
});

describe('buildCalendar', () => {
  it('frames events with CRLF and UTC times', () => {
    const text = buildCalendar({
      name: 'Test',
      events: [
        {
          uid: 'id@host',
          start: Date.UTC(2026, 2, 8, 13),
          end: Date.UTC(2026, 2, 8, 14),
          summary: 'S',
          description: null,
          geo: { lat: 52.5, lon: 13.4 },
          cancelled: true,
          created: 0,
          lastModified: 0,
        },
      ],
    });
    expect(text).toContain('\r\nDTSTART:20260308T130000Z\r\n');
    expect(text).toContain('\r\nGEO:52.5;13.4\r\n');
    expect(text).toContain('\r\nSTATUS:CANCELLED\r\n');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(icsUtc(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('20260102T030405Z');
  });
});
