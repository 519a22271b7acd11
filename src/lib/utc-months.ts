/**
 * UTC calendar months as [start, next start) instants: the buckets of the per-user attendance counts
 * (migration 0012). UTC, not the org's zone, so a change of the org's time zone moves no count.
 */

/** The first instant of the UTC month holding `ms`. */
export function utcMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The first instant of the UTC month after the one holding `ms`. */
export function nextUtcMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export type Span = [from: number, to: number];

/**
 * How to answer [fromMs, toMs) from month rows: sum the rows of `months`, add the records of the
 * `add` spans (parts of a month left out), take away the records of the `subtract` spans (parts of a
 * month taken in that lie outside the range). A month the range covers only partly is taken in when
 * the part outside holds fewer sessions than the part inside (`sessionsIn` counts them): a range
 * ending today takes in the current month and subtracts its future, which holds no closed session.
 */
export interface MonthPlan {
  months: Span;
  add: Span[];
  subtract: Span[];
}

export async function planMonths(
  fromMs: number,
  toMs: number,
  sessionsIn: (span: Span) => Promise<number>,
): Promise<MonthPlan> {
  const first = utcMonthStart(fromMs);
  const last = utcMonthStart(toMs - 1);
  const plan: MonthPlan = { months: [first, nextUtcMonthStart(last)], add: [], subtract: [] };
  const cheaperOutside = async (inside: Span, outside: Span[]) => {
    const [i, ...o] = await Promise.all([inside, ...outside].map(sessionsIn));
    return o.reduce((a, b) => a + b, 0) < i!;
  };
  if (first === last) {
    if (fromMs === first && toMs === plan.months[1]) return plan;
    const outside = [[first, fromMs] as Span, [toMs, plan.months[1]] as Span].filter(([a, b]) => a < b);
    if (await cheaperOutside([fromMs, toMs], outside)) plan.subtract.push(...outside);
    else return { months: [fromMs, fromMs], add: [[fromMs, toMs]], subtract: [] };
    return plan;
  }
  if (fromMs > first) {
    const inside: Span = [fromMs, nextUtcMonthStart(first)];
    if (await cheaperOutside(inside, [[first, fromMs]])) plan.subtract.push([first, fromMs]);
    else {
      plan.months[0] = inside[1];
      plan.add.push(inside);
    }
  }
  if (toMs < plan.months[1]) {
    const inside: Span = [last, toMs];
    const outside: Span = [toMs, plan.months[1]];
    if (await cheaperOutside(inside, [outside])) plan.subtract.push(outside);
    else {
      plan.months[1] = last;
      plan.add.push(inside);
    }
  }
  return plan;
}
