import { describe, expect, it } from 'vitest';
import { bucketDates, bucketsInZone } from './trend-buckets.js';

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
