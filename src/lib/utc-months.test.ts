import { describe, expect, it } from 'vitest';
import { nextUtcMonthStart, planMonths, type Span, utcMonthStart } from './utc-months.js';

const at = (iso: string) => Date.parse(iso);
const span = (a: string, b: string): Span => [at(a), at(b)];

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
});

describe('planMonths', () => {
  // Sessions spread evenly in time: a span's cost is its length.
  const byLength = async ([a, b]: Span) => b - a;
  // No closed session after 2026-11-15T12:00Z (today: the rest of the month is the future).
  const untilNov15 = async ([a, b]: Span) => Math.max(0, Math.min(b, at('2026-11-15T12:00:00Z')) - a);

  it.each([
    {
      name: 'aligned months: rows only',
      range: span('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'),
      cost: byLength,
      plan: { months: span('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'), add: [], subtract: [] },
    },
    {
      name: 'a New York year: 5 hours subtracted at the start, 5 hours of records added at the end',
      range: span('2025-12-01T05:00:00Z', '2026-12-01T05:00:00Z'),
      cost: byLength,
      plan: {
        months: span('2025-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
        add: [span('2026-12-01T00:00:00Z', '2026-12-01T05:00:00Z')],
        subtract: [span('2025-12-01T00:00:00Z', '2025-12-01T05:00:00Z')],
      },
    },
    {
      name: 'mid-month ends: the smaller parts are read from the records',
      range: span('2026-01-25T05:00:00Z', '2026-03-06T05:00:00Z'),
      cost: byLength,
      plan: {
        months: span('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'),
        add: [
          span('2026-01-25T05:00:00Z', '2026-02-01T00:00:00Z'),
          span('2026-03-01T00:00:00Z', '2026-03-06T05:00:00Z'),
        ],
        subtract: [],
      },
    },
    {
      name: 'the larger parts: taken in, the rest of the month subtracted',
      range: span('2026-01-05T05:00:00Z', '2026-03-26T04:00:00Z'),
      cost: byLength,
      plan: {
        months: span('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'),
        add: [],
        subtract: [
          span('2026-01-01T00:00:00Z', '2026-01-05T05:00:00Z'),
          span('2026-03-26T04:00:00Z', '2026-04-01T00:00:00Z'),
        ],
      },
    },
    {
      name: 'the first half of a month up to today: the month less its start and its (empty) future',
      range: span('2026-11-01T04:00:00Z', '2026-11-16T05:00:00Z'),
      cost: untilNov15,
      plan: {
        months: span('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'),
        add: [],
        subtract: [
          span('2026-11-01T00:00:00Z', '2026-11-01T04:00:00Z'),
          span('2026-11-16T05:00:00Z', '2026-12-01T00:00:00Z'),
        ],
      },
    },
    {
      name: 'a few days inside one month: records only',
      range: span('2026-03-10T04:00:00Z', '2026-03-13T04:00:00Z'),
      cost: byLength,
      plan: {
        months: span('2026-03-10T04:00:00Z', '2026-03-10T04:00:00Z'),
        add: [span('2026-03-10T04:00:00Z', '2026-03-13T04:00:00Z')],
        subtract: [],
      },
    },
    {
      name: 'most of one month: the month less both ends',
      range: span('2026-03-02T05:00:00Z', '2026-03-30T04:00:00Z'),
      cost: byLength,
      plan: {
        months: span('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'),
        add: [],
        subtract: [
          span('2026-03-01T00:00:00Z', '2026-03-02T05:00:00Z'),
          span('2026-03-30T04:00:00Z', '2026-04-01T00:00:00Z'),
        ],
      },
    },
  ])('$name', async ({ range, cost, plan }) => {
    expect(await planMonths(range[0], range[1], cost)).toEqual(plan);
  });
});
