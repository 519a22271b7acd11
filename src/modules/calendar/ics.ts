/**
 * RFC 5545 text for the calendar feed: CRLF line ends, content lines folded at 75 octets (never inside
 * a UTF-8 sequence), TEXT values escaped, times in UTC with `Z` (no VTIMEZONE needed; calendar apps
 * show them in the viewer's zone, which is where the wall-clock time is kept right across DST anyway).
 */

export interface IcsEvent {
  /** Stable across feeds: `<session_id>@<host of PUBLIC_URL>`. */
  uid: string;
  start: number;
  end: number;
  summary: string;
  description: string | null;
  geo: { lat: number; lon: number } | null;
  cancelled: boolean;
  created: number;
  lastModified: number;
}

/** 20260302T090000Z */
export const icsUtc = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** TEXT escaping (RFC 5545 3.3.11); control characters other than line breaks are dropped. */
export function escapeText(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/\p{Cc}/gu, (c) => (c === '\n' || c === '\t' ? c : ''))
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

/** Folds one content line: at most 75 octets per physical line, continuation lines start with a space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    const limit = parts.length === 0 ? 75 : 74; // continuation lines spend one octet on the space
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function buildCalendar(opts: { name: string; events: readonly IcsEvent[] }): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Attendance//Session calendar//EN',
    'CALSCALE:GREGORIAN',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
  ];
  for (const e of opts.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      // The last revision of the session: the text stays the same until the session changes.
      `DTSTAMP:${icsUtc(e.lastModified)}`,
      `CREATED:${icsUtc(e.created)}`,
      `LAST-MODIFIED:${icsUtc(e.lastModified)}`,
      `DTSTART:${icsUtc(e.start)}`,
      `DTEND:${icsUtc(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
    );
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    if (e.geo) lines.push(`GEO:${e.geo.lat};${e.geo.lon}`);
    lines.push(`STATUS:${e.cancelled ? 'CANCELLED' : 'CONFIRMED'}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
