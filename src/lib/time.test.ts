import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatLocalDate,
  inCalendarRange,
  isoFormatter,
  isValidTimeZone,
  type LocalDate,
  localDateOf,
  localDateRangeMs,
  MAX_YEAR,
  MIN_YEAR,
  parseInstant,
  parseInstantDetailed,
  parseLocalDate,
  startOfLocalDayMs,
  toIso,
  tzOffsetMs,
  YEAR_PATTERN,
} from './time.js';

// Expectations are written as UTC ISO strings and compared through toIso, so nothing here
// depends on the TZ of the machine running the tests.
const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const NY = 'America/New_York';

describe('isValidTimeZone', () => {
  const cases: [string, boolean][] = [
    ['UTC', true],
    ['Europe/Paris', true],
    ['America/New_York', true],
    ['Asia/Kathmandu', true],
    ['Not/A_Zone', false],
    ['garbage', false],
    ['', false],
    ['+01:00', false],
  ];
  it.each(cases)('%j -> %s', (tz, expected) => expect(isValidTimeZone(tz)).toBe(expected));
});

describe('tzOffsetMs', () => {
  const cases: [string, string, number][] = [
    ['2026-01-15T12:00:00Z', 'UTC', 0],
    ['2026-01-15T12:00:00Z', NY, -5 * H],
    ['2026-07-15T12:00:00Z', NY, -4 * H],
    ['2026-03-08T06:59:59.999Z', NY, -5 * H], // last EST millisecond
    ['2026-03-08T07:00:00Z', NY, -4 * H], // first EDT instant
    ['2026-01-15T12:00:00Z', 'Europe/Paris', 1 * H],
    ['2026-07-15T12:00:00Z', 'Europe/Paris', 2 * H],
    ['2026-01-15T12:00:00Z', 'Asia/Kathmandu', 5.75 * H],
    ['2026-01-15T12:00:00Z', 'Australia/Lord_Howe', 11 * H],
    ['2026-07-15T12:00:00Z', 'Australia/Lord_Howe', 10.5 * H],
    ['1969-12-31T23:59:59.500Z', 'UTC', 0], // negative epoch with a fraction: must floor
  ];
  it.each(cases)('%s in %s', (iso, tz, expected) => expect(tzOffsetMs(at(iso), tz)).toBe(expected));
});

describe('parseInstant', () => {
  const valid: [string, string, string][] = [
    // Exact: the zone argument must not matter.
    ['2026-01-15T09:00:00Z', NY, '2026-01-15T09:00:00.000Z'],
    ['2026-01-15T09:00:00.123z', NY, '2026-01-15T09:00:00.123Z'],
    ['2026-01-15T09:00:00+02:00', NY, '2026-01-15T07:00:00.000Z'],
    ['2026-01-15T09:00:00-0500', 'UTC', '2026-01-15T14:00:00.000Z'],
    ['2026-01-15T09:00-05', 'Europe/Paris', '2026-01-15T14:00:00.000Z'],
    ['2026-01-15T09:00:00+05:45', 'UTC', '2026-01-15T03:15:00.000Z'],
    // Naive: wall time in tz.
    ['2026-01-15T09:00:00', 'UTC', '2026-01-15T09:00:00.000Z'],
    ['2026-01-15T09:00:00.5', 'UTC', '2026-01-15T09:00:00.500Z'],
    ['2026-01-15T09:00:00.123456789', 'UTC', '2026-01-15T09:00:00.123Z'],
    ['2026-01-15 09:00', 'UTC', '2026-01-15T09:00:00.000Z'],
    ['2026-01-15', 'UTC', '2026-01-15T00:00:00.000Z'],
    ['2024-02-29', 'UTC', '2024-02-29T00:00:00.000Z'],
    ['2026-01-15T09:00', 'Europe/Paris', '2026-01-15T08:00:00.000Z'],
    ['2026-07-15T09:00', 'Europe/Paris', '2026-07-15T07:00:00.000Z'],
    ['2026-01-15T09:00', NY, '2026-01-15T14:00:00.000Z'],
    ['2026-07-15T09:00', NY, '2026-07-15T13:00:00.000Z'],
    ['2026-01-15', NY, '2026-01-15T05:00:00.000Z'],
    // New York spring forward (02:00 EST -> 03:00 EDT on 2026-03-08).
    ['2026-03-08T01:30', NY, '2026-03-08T06:30:00.000Z'],
    ['2026-03-08T02:00', NY, '2026-03-08T07:00:00.000Z'], // gap: -> 03:00 EDT
    ['2026-03-08T02:30', NY, '2026-03-08T07:30:00.000Z'], // gap: -> 03:30 EDT
    ['2026-03-08T03:30', NY, '2026-03-08T07:30:00.000Z'],
    // New York fall back (02:00 EDT -> 01:00 EST on 2026-11-01).
    ['2026-11-01T00:30', NY, '2026-11-01T04:30:00.000Z'],
    ['2026-11-01T01:30', NY, '2026-11-01T05:30:00.000Z'], // overlap: earlier (EDT)
    ['2026-11-01T02:00', NY, '2026-11-01T07:00:00.000Z'],
    ['2026-11-01T03:00', NY, '2026-11-01T08:00:00.000Z'],
    // Odd offsets: +05:45, and Lord Howe's 30-minute DST (+10:30 / +11).
    ['2026-01-15T09:00', 'Asia/Kathmandu', '2026-01-15T03:15:00.000Z'],
    ['2026-01-15T09:00', 'Australia/Lord_Howe', '2026-01-14T22:00:00.000Z'],
    ['2026-07-15T09:00', 'Australia/Lord_Howe', '2026-07-14T22:30:00.000Z'],
    ['2026-10-04T02:15', 'Australia/Lord_Howe', '2026-10-03T15:45:00.000Z'], // gap -> 02:45 (+11)
    ['2026-04-05T01:45', 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z'], // overlap -> +11
  ];
  it.each(valid)('%s in %s -> %s', (input, tz, expected) => {
    const ms = parseInstant(input, tz);
    expect(ms === null ? null : toIso(ms)).toBe(expected);
  });

  const invalid: [string, string][] = [
    ['empty', ''],
    ['number as string', '12345'],
    ['month 13', '2026-13-01'],
    ['month 0', '2026-00-10'],
    ['Feb 30', '2026-02-30'],
    ['Feb 29 in a common year', '2025-02-29'],
    ['Apr 31', '2026-04-31T09:00'],
    ['hour 25', '2026-01-15T25:00'],
    ['hour 24', '2026-01-15T24:00:00'],
    ['minute 60', '2026-01-15T09:60'],
    ['second 60', '2026-01-15T09:00:60Z'],
    ['trailing junk', '2026-01-15T09:00:00Zjunk'],
    ['trailing space', '2026-01-15T09:00 '],
    ['leading space', ' 2026-01-15'],
    ['offset hour 24', '2026-01-15T09:00:00+24:00'],
    ['offset minute 60', '2026-01-15T09:00:00+01:60'],
    ['offset on a bare date', '2026-01-15Z'],
    ['hour without minutes', '2026-01-15T09'],
    ['dangling T', '2026-01-15T'],
    ['single-digit month', '2026-1-15'],
    ['single-digit hour', '2026-01-15T9:00'],
    ['basic format', '20260115T090000Z'],
    ['US format', '01/15/2026'],
    ['RFC 2822', 'Thu, 15 Jan 2026 09:00:00 GMT'],
    ['year zero', '0000-01-01'],
  ];
  it.each(invalid)('%s (%j) -> null', (_name, input) => {
    expect(parseInstant(input, NY)).toBeNull();
  });

  it('returns null for an invalid zone', () => {
    expect(parseInstant('2026-01-15T09:00', 'Not/A_Zone')).toBeNull();
  });
});

describe('parseLocalDate', () => {
  const cases: [string, LocalDate | null][] = [
    ['2026-03-08', { y: 2026, m: 3, d: 8 }],
    ['2024-02-29', { y: 2024, m: 2, d: 29 }],
    ['2000-02-29', { y: 2000, m: 2, d: 29 }],
    ['1900-02-29', null],
    ['2026-02-29', null],
    ['2026-13-01', null],
    ['2026-00-01', null],
    ['2026-01-00', null],
    ['2026-1-01', null],
    ['2026-01-15T00:00', null],
    ['', null],
  ];
  it.each(cases)('%j', (input, expected) => expect(parseLocalDate(input)).toEqual(expected));
});

describe('addDays / formatLocalDate', () => {
  const cases: [LocalDate, number, string][] = [
    [{ y: 2026, m: 3, d: 8 }, 1, '2026-03-09'],
    [{ y: 2026, m: 12, d: 31 }, 1, '2027-01-01'],
    [{ y: 2024, m: 2, d: 28 }, 1, '2024-02-29'],
    [{ y: 2026, m: 3, d: 1 }, -1, '2026-02-28'],
    [{ y: 2026, m: 1, d: 1 }, 365, '2027-01-01'],
    [{ y: 5, m: 1, d: 1 }, 0, '0005-01-01'],
  ];
  it.each(cases)('%j + %i -> %s', (date, n, expected) => {
    expect(formatLocalDate(addDays(date, n))).toBe(expected);
  });
});

describe('startOfLocalDayMs', () => {
  const cases: [string, LocalDate, string, number][] = [
    [NY, { y: 2026, m: 1, d: 15 }, '2026-01-15T05:00:00.000Z', 24],
    [NY, { y: 2026, m: 3, d: 8 }, '2026-03-08T05:00:00.000Z', 23],
    [NY, { y: 2026, m: 11, d: 1 }, '2026-11-01T04:00:00.000Z', 25],
    ['UTC', { y: 2026, m: 3, d: 8 }, '2026-03-08T00:00:00.000Z', 24],
    ['Asia/Tokyo', { y: 2026, m: 3, d: 8 }, '2026-03-07T15:00:00.000Z', 24],
    // Chile springs forward at midnight: the day starts at 01:00 (-03).
    ['America/Santiago', { y: 2026, m: 9, d: 6 }, '2026-09-06T04:00:00.000Z', 23],
  ];
  it.each(cases)('%s %j', (tz, date, expected, hours) => {
    const start = startOfLocalDayMs(date, tz);
    expect(toIso(start)).toBe(expected);
    expect(startOfLocalDayMs(addDays(date, 1), tz) - start).toBe(hours * H);
  });
});

describe('localDateRangeMs', () => {
  const cases: [string | undefined, string | undefined, string, { fromMs?: number; toMs?: number }][] = [
    [
      '2026-03-01',
      '2026-03-31',
      NY,
      { fromMs: at('2026-03-01T05:00:00Z'), toMs: at('2026-04-01T04:00:00Z') },
    ],
    [
      '2026-11-01',
      '2026-11-01',
      NY,
      { fromMs: at('2026-11-01T04:00:00Z'), toMs: at('2026-11-02T05:00:00Z') },
    ],
    [
      '2026-12-31',
      '2026-12-31',
      'UTC',
      { fromMs: at('2026-12-31T00:00:00Z'), toMs: at('2027-01-01T00:00:00Z') },
    ],
    ['2026-01-15', undefined, 'Asia/Tokyo', { fromMs: at('2026-01-14T15:00:00Z') }],
    [undefined, '2026-01-15', 'Asia/Tokyo', { toMs: at('2026-01-15T15:00:00Z') }],
    [undefined, undefined, NY, {}],
    ['not-a-date', '2026-02-30', NY, {}],
  ];
  it.each(cases)('%s .. %s in %s', (start, end, tz, expected) => {
    const result = localDateRangeMs(start, end, tz);
    expect(result).toStrictEqual(expected);
  });

  it('includes the last instant of the end date and excludes the next day', () => {
    const { toMs } = localDateRangeMs(undefined, '2026-03-08', NY);
    const lastInstant = at('2026-03-09T03:59:59.999Z'); // 23:59:59.999 EDT
    expect(lastInstant < toMs!).toBe(true);
    expect(localDateOf(toMs!, NY)).toEqual({ y: 2026, m: 3, d: 9 });
  });
});

describe('localDateOf', () => {
  const cases: [string, string, string][] = [
    ['2026-01-15T04:59:59.999Z', NY, '2026-01-14'],
    ['2026-01-15T05:00:00Z', NY, '2026-01-15'],
    ['2026-01-14T15:00:00Z', 'Asia/Tokyo', '2026-01-15'],
    ['2026-01-14T14:59:59Z', 'Asia/Tokyo', '2026-01-14'],
    ['2026-01-15T23:59:59.999Z', 'UTC', '2026-01-15'],
    ['2026-01-15T18:15:00Z', 'Asia/Kathmandu', '2026-01-16'],
  ];
  it.each(cases)('%s in %s -> %s', (iso, tz, expected) => {
    expect(formatLocalDate(localDateOf(at(iso), tz))).toBe(expected);
  });
});

describe('toIso', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [at('2026-03-08T07:30:00.5Z'), '2026-03-08T07:30:00.500Z'],
  ])('%i -> %s', (ms, expected) => expect(toIso(ms)).toBe(expected));
});

describe('isoFormatter', () => {
  it('writes exactly what toIso writes, for runs of nearby instants and for jumps', () => {
    const iso = isoFormatter();
    const samples = [
      0,
      1,
      999,
      59_999,
      3_599_999,
      3_600_000,
      Date.UTC(2026, 2, 8, 6, 59, 59, 999), // around the New York DST change (UTC is unaffected)
      Date.UTC(2024, 1, 29, 23, 59, 59, 999), // leap day, last millisecond
      Date.UTC(2024, 2, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      -1,
      253_402_300_800_000,
      1.5,
    ];
    let t = Date.UTC(2026, 10, 25, 8, 55);
    for (let i = 0; i < 5000; i++) {
      t += (i * 7919) % 4001; // forward in uneven steps across many hour boundaries
      samples.push(t);
      if (i % 97 === 0) samples.push(t - 86_400_000 * (i % 400)); // and back
    }
    for (const ms of samples) expect(iso(ms)).toBe(toIso(ms));
  });
});

describe('parseInstantDetailed: DST gaps and the accepted calendar', () => {
  it.each([
    ['2026-03-08T02:30:00', 'America/New_York', true, '2026-03-08T07:30:00.000Z'],
    ['2026-03-08T01:59:59', 'America/New_York', false, '2026-03-08T06:59:59.000Z'],
    ['2026-03-08T03:00:00', 'America/New_York', false, '2026-03-08T07:00:00.000Z'],
    ['2026-11-01T01:30:00', 'America/New_York', false, '2026-11-01T05:30:00.000Z'],
    ['2026-03-29T02:15:00', 'Europe/Paris', true, '2026-03-29T01:15:00.000Z'],
    ['2026-03-08T02:30:00Z', 'America/New_York', false, '2026-03-08T02:30:00.000Z'],
  ])('%s in %s: in gap %s, instant %s', (input, tz, inGap, iso) => {
    const r = parseInstantDetailed(input, tz);
    expect(r?.inGap).toBe(inGap);
    expect(new Date(r?.ms ?? Number.NaN).toISOString()).toBe(iso);
  });

  it('the year pattern and inCalendarRange agree with MIN_YEAR..MAX_YEAR', () => {
    const re = new RegExp(`^${YEAR_PATTERN}$`);
    for (let y = 1000; y <= 9999; y++) expect(re.test(String(y))).toBe(y >= MIN_YEAR && y <= MAX_YEAR);
    expect(inCalendarRange(Date.UTC(MIN_YEAR, 0, 1))).toBe(true);
    expect(inCalendarRange(Date.UTC(MAX_YEAR, 11, 31, 23))).toBe(true);
    expect(inCalendarRange(Date.UTC(MAX_YEAR + 1, 0, 3))).toBe(false);
    expect(inCalendarRange(Date.UTC(1969, 0, 1))).toBe(false);
  });
});
