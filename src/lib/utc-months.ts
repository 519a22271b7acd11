/**
 * UTC calendar months as [start, next start) instants: the buckets of the per-user attendance counts
 * (migration 0012). UTC, not the org's zone, so a change of the org's time zone moves no count.
 */

/** The first instant of the UTC month holding `ms`. */
export function utcMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The first instant of the UTC month after the one starting at (or holding) `ms`. */
export function nextUtcMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * The whole UTC months inside [fromMs, toMs): [start, end) with start and end month starts. When no
 * month fits, start = end = fromMs (an empty span), so the whole range is an edge.
 */
export function wholeUtcMonths(fromMs: number, toMs: number): { start: number; end: number } {
  const first = utcMonthStart(fromMs) === fromMs ? fromMs : nextUtcMonthStart(fromMs);
  const last = utcMonthStart(toMs);
  return first < last ? { start: first, end: last } : { start: fromMs, end: fromMs };
}
