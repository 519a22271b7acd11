import { describe, expect, it } from 'vitest';
import { nextUtcMonthStart, utcMonthStart, wholeUtcMonths } from './utc-months.js';

const at = (iso: string) => Date.parse(iso);

describe('UTC months', () => {
  it.each([
    ['2026-03-08T07:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'],
    ['2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['2024-02-29T12:00:00Z', '2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z'],
  ])('%s is in the month starting %s, the next starts %s', (t, start, next) => {
    expect(utcMonthStart(at(t))).toBe(at(start));
    expect(nextUtcMonthStart(at(t))).toBe(at(next));
  });

  it.each([
    // New York days: 2025-12-01 .. 2026-11-30 → Dec 1 05:00Z .. Dec 1 05:00Z; Jan..Nov are whole.
    ['2025-12-01T05:00:00Z', '2026-12-01T05:00:00Z', '2026-01-01T00:00:00Z', '2026-12-01T00:00:00Z'],
    // Aligned on both sides (a UTC organization): every month is whole.
    ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    // One whole month.
    ['2026-01-31T05:00:00Z', '2026-03-01T05:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
  ])('[%s, %s) holds the whole months [%s, %s)', (from, to, start, end) => {
    expect(wholeUtcMonths(at(from), at(to))).toEqual({ start: at(start), end: at(end) });
  });

  it.each([
    ['2026-03-02T05:00:00Z', '2026-03-31T04:00:00Z'],
    ['2026-03-15T04:00:00Z', '2026-04-15T04:00:00Z'],
    ['2026-03-01T05:00:00Z', '2026-04-01T04:00:00Z'],
  ])('[%s, %s) holds no whole month: an empty span at its start', (from, to) => {
    expect(wholeUtcMonths(at(from), at(to))).toEqual({ start: at(from), end: at(from) });
  });
});
