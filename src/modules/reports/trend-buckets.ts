/** Bucket starts for trends: local midnights (day), Mondays (week) or first days (month) in the org's zone. */
import { addDays, daysBetween, formatLocalDate, type LocalDate, startOfLocalDayMs } from '../../lib/time.js';

export type Interval = 'day' | 'week' | 'month';

/** ISO weekday of a calendar date, Monday = 0. */
const weekdayMon0 = (d: LocalDate) => (new Date(Date.UTC(d.y, d.m - 1, d.d)).getUTCDay() + 6) % 7;

/**
 * How many buckets bucketDates would return (from <= to), in constant time: callers check their cap with this
 * before building anything (building first made a 1000-year daily range cost 5 s of CPU).
 */
export function bucketCount(from: LocalDate, to: LocalDate, interval: Interval): number {
  if (daysBetween(from, to) < 0) return 0;
  if (interval === 'day') return daysBetween(from, to) + 1;
  if (interval === 'week') return Math.floor(daysBetween(addDays(from, -weekdayMon0(from)), to) / 7) + 1;
  return (to.y - from.y) * 12 + (to.m - from.m) + 1;
}

export function bucketDates(from: LocalDate, to: LocalDate, interval: Interval): LocalDate[] {
  let cur: LocalDate =
    interval === 'day'
      ? from
      : interval === 'week'
        ? addDays(from, -weekdayMon0(from))
        : { y: from.y, m: from.m, d: 1 };
  const out: LocalDate[] = [];
  const key = (d: LocalDate) => d.y * 10_000 + d.m * 100 + d.d;
  while (key(cur) <= key(to)) {
    out.push(cur);
    cur =
      interval === 'day'
        ? addDays(cur, 1)
        : interval === 'week'
          ? addDays(cur, 7)
          : cur.m === 12
            ? { y: cur.y + 1, m: 1, d: 1 }
            : { y: cur.y, m: cur.m + 1, d: 1 };
  }
  return out;
}

export function bucketsInZone(from: LocalDate, to: LocalDate, interval: Interval, tz: string) {
  const dates = bucketDates(from, to, interval);
  return {
    labels: dates.map(formatLocalDate),
    starts: dates.map((d) => startOfLocalDayMs(d, tz)),
    /** Exclusive end: local midnight after `to`. */
    endMs: startOfLocalDayMs(addDays(to, 1), tz),
  };
}
