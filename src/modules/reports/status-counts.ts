/**
 * The one definition of the attendance figures, shared by every report:
 * counts per status from GROUP BY in the database, and rate = (present + late) / expected,
 * where expected is the number of records of held sessions (closing a session gives every
 * expected attendee without a check-in an `absent` record, so every expected attendee has one).
 */
import { type RawBuilder, sql } from 'kysely';

export interface StatusCounts {
  expected: number;
  present: number;
  late: number;
  absent: number;
  excused: number;
}

/** Selections for `r.status` counts; spread into a Kysely `.select(...)`. */
export const statusCountSelections = (alias = 'r') => {
  const count = (status: string): RawBuilder<number> =>
    sql<number>`coalesce(sum(case when ${sql.ref(`${alias}.status`)} = ${sql.lit(status)} then 1 else 0 end), 0)`;
  return [
    // status, not record_id: it is NOT NULL, counts only joined rows, and lives in the covering index.
    sql<number>`count(${sql.ref(`${alias}.status`)})`.as('expected'),
    count('present').as('present'),
    count('late').as('late'),
    count('absent').as('absent'),
    count('excused').as('excused'),
  ] as const;
};

/** The same figures summed from the per-session counts of closed sessions (`s`, migration 0004). */
export const sessionCountSums = [
  sql<number>`coalesce(sum(s.present_count + s.late_count + s.absent_count + s.excused_count), 0)`.as(
    'expected',
  ),
  sql<number>`coalesce(sum(s.present_count), 0)`.as('present'),
  sql<number>`coalesce(sum(s.late_count), 0)`.as('late'),
  sql<number>`coalesce(sum(s.absent_count), 0)`.as('absent'),
  sql<number>`coalesce(sum(s.excused_count), 0)`.as('excused'),
] as const;

/** Drivers return sums as strings or bigints on some engines: normalise to numbers. */
export function toCounts(row: Partial<Record<keyof StatusCounts, unknown>> | undefined): StatusCounts {
  const n = (v: unknown) => Number(v ?? 0);
  return {
    expected: n(row?.expected),
    present: n(row?.present),
    late: n(row?.late),
    absent: n(row?.absent),
    excused: n(row?.excused),
  };
}

export const sumCounts = (rows: StatusCounts[]): StatusCounts =>
  rows.reduce(
    (a, r) => ({
      expected: a.expected + r.expected,
      present: a.present + r.present,
      late: a.late + r.late,
      absent: a.absent + r.absent,
      excused: a.excused + r.excused,
    }),
    { expected: 0, present: 0, late: 0, absent: 0, excused: 0 },
  );

export const attendanceRate = (c: StatusCounts): number | null =>
  c.expected === 0 ? null : Math.round(((c.present + c.late) / c.expected) * 10_000) / 10_000;

export const withRate = (c: StatusCounts) => ({ ...c, attendance_rate: attendanceRate(c) });
