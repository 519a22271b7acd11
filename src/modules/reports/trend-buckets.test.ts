import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../lib/time.js';
import { bucketCount, bucketDates, bucketsInZone } from './trend-buckets.js';

const d = (s: string) => {
  const [y, m, dd] = s.split('-').map(Number);
  return { y: y!, m: m!, d: dd! };
};
const fmt = (x: { y: number; m: number; d: number }) =>
  `${x.y}-${String(x.m).padStart(2, '0')}-${String(x.d).padStart(2, '0')}`;

describe('trend buckets', () => {
  it.each([
    ['day', '2026-02-27', '2026-03-02', ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']],
    ['week', '2026-03-04', '2026-03-16', ['2026-03-02', '2026-03-09', '2026-03-16']],
    ['month', '2026-01-31', '2026-03-01', ['2026-01-01', '2026-02-01', '2026-03-01']],
    ['month', '2025-12-15', '2026-01-02', ['2025-12-01', '2026-01-01']],
  ] as const)('%s from %s to %s', (interval, from, to, expected) => {
    expect(bucketDates(d(from), d(to), interval).map(fmt)).toEqual(expected);
  });

  it('places bucket starts at local midnight across a DST change (New York, 2026-03-08 is 23 h long)', () => {
    const b = bucketsInZone(d('2026-03-07'), d('2026-03-09'), 'day', 'America/New_York');
    expect(b.starts.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
    expect(new Date(b.endMs).toISOString()).toBe('2026-03-10T04:00:00.000Z');
  });
});

describe('bucketCount (checked before any bucket is built)', () => {
  it('equals the length of bucketDates for arbitrary ranges and intervals', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 1500 }),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        (start, days, interval) => {
          const from = { y: start.getUTCFullYear(), m: start.getUTCMonth() + 1, d: start.getUTCDate() };
          const to = addDays(from, days);
          expect(bucketCount(from, to, interval)).toBe(bucketDates(from, to, interval).length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts a 231-year daily range without walking it', () => {
    expect(bucketCount(d('1970-01-01'), d('2200-12-31'), 'day')).toBe(84_371);
    expect(bucketCount(d('1970-01-01'), d('2200-12-31'), 'month')).toBe(231 * 12);
  });
});
