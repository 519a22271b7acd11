/**
 * The schedule of a session series, as pure functions: which dates it has, and the instants of its
 * sessions in the series' zone. The same checks run inside request validation (the `x-series-schedule`
 * keyword, so a 400 names these fields together with the schema's own errors) and in the service.
 */
import type { Ajv, SchemaValidateFunction } from 'ajv';
import type { FieldError } from '../../lib/errors.js';
import { TIME_ZONE_MESSAGE } from '../../lib/strings.js';
import {
  addDays,
  daysBetween,
  formatLocalDate,
  isoWeekday,
  isValidTimeZone,
  type LocalDate,
  localTimeToUtc,
  parseLocalDate,
} from '../../lib/time.js';

export const MAX_SERIES_SESSIONS = 400;
export const SERIES_SCHEDULE_KEYWORD = 'x-series-schedule';
/** 00:00..23:59 */
export const HHMM_PATTERN = '^(?:[01]\\d|2[0-3]):[0-5]\\d$';
const HHMM_RE = new RegExp(HHMM_PATTERN);

/** Minutes after midnight of "HH:MM", or null when it is not one. */
export const minutesOf = (hhmm: unknown): number | null =>
  typeof hhmm === 'string' && HHMM_RE.test(hhmm)
    ? Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))
    : null;

/** What the rules read; anything may be missing or mistyped here (the schema reports those). */
export interface ScheduleLike {
  weekdays?: unknown;
  start_date?: unknown;
  end_date?: unknown;
  start_local?: unknown;
  end_local?: unknown;
  interval_weeks?: unknown;
  skip_dates?: unknown;
  timezone?: unknown;
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const realDate = (v: unknown, field: string, errors: FieldError[]): LocalDate | null => {
  if (typeof v !== 'string' || !DATE_SHAPE.test(v)) return null; // the schema's pattern says so
  const d = parseLocalDate(v);
  if (!d) errors.push({ field, message: 'must be a real calendar date (YYYY-MM-DD)' });
  return d;
};
const isWeekdayList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((d) => Number.isInteger(d) && d >= 1 && d <= 7);

/**
 * Checks what the schema cannot (real dates, end after start, the zone, the count) and, when the
 * schedule is complete and valid, lists its dates. Fields the schema refuses are not reported again.
 */
export function checkSchedule(input: ScheduleLike): { errors: FieldError[]; dates: LocalDate[] | null } {
  const errors: FieldError[] = [];
  const start = realDate(input.start_date, 'start_date', errors);
  const end = realDate(input.end_date, 'end_date', errors);
  if (start && end && daysBetween(start, end) < 0)
    errors.push({ field: 'end_date', message: 'must not be before start_date' });
  const from = minutesOf(input.start_local);
  const to = minutesOf(input.end_local);
  if (from !== null && to !== null && to <= from)
    errors.push({ field: 'end_local', message: 'must be after start_local (a session ends on its own day)' });
  if (typeof input.timezone === 'string' && !isValidTimeZone(input.timezone))
    errors.push({ field: 'timezone', message: TIME_ZONE_MESSAGE });
  const skips = new Set<string>();
  if (Array.isArray(input.skip_dates))
    input.skip_dates.forEach((v, i) => {
      const d = realDate(v, `skip_dates[${i}]`, errors);
      if (d) skips.add(formatLocalDate(d));
    });
  const interval = input.interval_weeks ?? 1;
  if (errors.length || !start || !end || !isWeekdayList(input.weekdays)) return { errors, dates: null };
  if (!(Number.isInteger(interval) && (interval as number) >= 1 && (interval as number) <= 4))
    return { errors, dates: null };

  // Weeks are counted from the ISO week (Monday) of start_date; every interval-th week has sessions.
  const monday = addDays(start, 1 - isoWeekday(start));
  const weekdays = [...new Set(input.weekdays)].sort((a, b) => a - b);
  const span = daysBetween(monday, end);
  const dates: LocalDate[] = [];
  for (let week = 0; week * 7 <= span; week += interval as number) {
    for (const wd of weekdays) {
      const offset = week * 7 + wd - 1;
      if (offset > span) break;
      const date = addDays(monday, offset);
      if (daysBetween(start, date) < 0 || skips.has(formatLocalDate(date))) continue;
      dates.push(date);
    }
    if (dates.length > MAX_SERIES_SESSIONS) {
      errors.push({
        field: 'end_date',
        message: `the series would have more than ${MAX_SERIES_SESSIONS} sessions (at most ${MAX_SERIES_SESSIONS}): shorten the dates, or use fewer weekdays or a longer interval`,
      });
      return { errors, dates: null };
    }
  }
  if (dates.length === 0)
    errors.push({
      field: 'weekdays',
      message: 'no date between start_date and end_date matches weekdays, interval_weeks and skip_dates',
    });
  return { errors, dates: errors.length ? null : dates };
}

export interface Occurrence {
  date: string;
  start: number;
  end: number;
}

/**
 * The sessions' instants: each date's wall times in tz (a time in a DST gap moves forward by the gap,
 * an ambiguous one takes the earlier offset). A start moved past its end by a gap is an error.
 */
export function occurrencesOf(
  dates: readonly LocalDate[],
  startLocal: string,
  endLocal: string,
  tz: string,
): { occurrences: Occurrence[]; errors: FieldError[] } {
  const from = minutesOf(startLocal)!;
  const to = minutesOf(endLocal)!;
  const errors: FieldError[] = [];
  const occurrences = dates.map((date) => {
    const start = localTimeToUtc(date, from, tz).ms;
    const end = localTimeToUtc(date, to, tz).ms;
    if (end <= start && errors.length === 0)
      errors.push({
        field: 'start_local',
        message: `on ${formatLocalDate(date)} ${startLocal} lies in a DST gap of ${tz} and moves forward past end_local ${endLocal}; choose other times`,
      });
    return { date: formatLocalDate(date), start, end };
  });
  return { occurrences, errors };
}

/** The keyword behind `x-series-schedule: true` on the series bodies: checkSchedule's errors, per field. */
export function addSeriesScheduleKeyword(ajv: Ajv): Ajv {
  const check: SchemaValidateFunction = (enabled: unknown, data: unknown): boolean => {
    if (enabled !== true || !data || typeof data !== 'object' || Array.isArray(data)) return true;
    const { errors } = checkSchedule(data as ScheduleLike);
    check.errors = errors.map((e) => ({
      keyword: SERIES_SCHEDULE_KEYWORD,
      instancePath: `/${e.field.replace(/\[(\d+)\]/g, '/$1')}`,
      message: e.message,
      params: {},
    }));
    return errors.length === 0;
  };
  ajv.addKeyword({ keyword: SERIES_SCHEDULE_KEYWORD, type: 'object', errors: true, validate: check });
  return ajv;
}
