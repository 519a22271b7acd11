/**
 * The service's only date math. Instants are epoch milliseconds (UTC); calendar dates and wall
 * times only exist relative to an explicit IANA zone, resolved through Intl. Nothing here reads
 * the server's local zone (no Date#getHours/setHours, no Date parsing of naive strings), so
 * results do not depend on the TZ the process happens to run in.
 */

export type LocalDate = { y: number; m: number; d: number };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** 400 Gregorian years are exactly 146097 days; used to dodge Date.UTC's 0..99 → 19xx mapping. */
const FOUR_CENTURIES_MS = 146_097 * DAY_MS;

/** Date.UTC with 1-based months that also means it for years 0..99. */
function utcMs(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (y >= 0 && y < 100) return Date.UTC(y + 400, m - 1, d, h, mi, s, ms) - FOUR_CENTURIES_MS;
  return Date.UTC(y, m - 1, d, h, mi, s, ms);
}

/**
 * The calendar the service accepts in requests: years 1970..2200. Attendance before the Unix epoch or
 * two centuries ahead is a typo or an attack; a bound this tight keeps every range-shaped piece of work
 * (trend buckets, date filters) small and lets schemas refuse the rest before any work is done.
 */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2200;
export const CALENDAR_RANGE_TEXT = `years ${MIN_YEAR}..${MAX_YEAR}`;
/** Regex fragment matching a four-digit year in [MIN_YEAR, MAX_YEAR]; kept in step with the constants by a test. */
export const YEAR_PATTERN = '(?:19[7-9]\\d|2[01]\\d\\d|2200)';
/** Whether an instant falls inside the accepted calendar (UTC years 1970..2200, with a day's slack for zones). */
export const inCalendarRange = (ms: number): boolean =>
  ms >= -DAY_MS && ms < Date.UTC(MAX_YEAR + 1, 0, 1) + DAY_MS;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

/**
 * Formatter per zone: constructing Intl.DateTimeFormat costs far more than using one, and
 * tzOffsetMs runs for every timestamp we render. Keys are the caller's spelling, so the map
 * is capped lest many case variants of one zone name grow it without bound.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 500;

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    // h23: some ICU versions render midnight as "24" with hour12: false.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of an instant in tz (whole seconds). */
function wallParts(epochMs: number, tz: string): [number, number, number, number, number, number] {
  const out = [0, 0, 0, 0, 0, 0] as [number, number, number, number, number, number];
  const slot: Record<string, number> = { year: 0, month: 1, day: 2, hour: 3, minute: 4, second: 5 };
  for (const part of formatterFor(tz).formatToParts(epochMs)) {
    const i = slot[part.type];
    if (i !== undefined) out[i] = Number(part.value);
  }
  return out;
}

export function isValidTimeZone(tz: string): boolean {
  // Newer ICU also accepts raw offsets such as "+01:00"; reject them so only IANA names pass
  // on every Node version (an offset has no DST rules and is not a zone).
  if (typeof tz !== 'string' || tz === '' || /^[+-]/.test(tz)) return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** UTC offset of tz at the instant (local = UTC + offset). Throws RangeError for an unknown zone. */
export function tzOffsetMs(epochMs: number, tz: string): number {
  const [y, m, d, h, mi, s] = wallParts(epochMs, tz);
  // Floor, not truncate: the formatter drops milliseconds, which for pre-1970 instants means rounding down.
  return utcMs(y, m, d, h, mi, s) - Math.floor(epochMs / 1000) * 1000;
}

/**
 * Converts a wall time (given as "the same digits read as UTC") in tz to the instant.
 * The offsets a day either side of the wall time bracket any transition near it (offsets are
 * within ±14h). Each candidate is kept only if the zone really has that offset there:
 * two valid candidates = fall-back overlap → the earlier one; none = spring-forward gap →
 * apply the pre-transition offset, i.e. move the wall time forward by the gap length.
 */
function wallToUtc(wallMs: number, tz: string): number {
  return resolveWall(wallMs, tz).ms;
}

/** wallToUtc, also telling whether the wall time does not exist in tz (a spring-forward gap). */
function resolveWall(wallMs: number, tz: string): { ms: number; inGap: boolean } {
  const before = tzOffsetMs(wallMs - DAY_MS, tz);
  const after = tzOffsetMs(wallMs + DAY_MS, tz);
  if (before === after) {
    // No transition nearby (the usual case), unless two cancel out inside the window: re-check.
    const t = wallMs - before;
    if (tzOffsetMs(t, tz) === before) return { ms: t, inGap: false };
  }
  const tBefore = wallMs - before;
  const tAfter = wallMs - after;
  const okBefore = tzOffsetMs(tBefore, tz) === before;
  const okAfter = tzOffsetMs(tAfter, tz) === after;
  if (okBefore && okAfter) return { ms: Math.min(tBefore, tAfter), inGap: false };
  if (okBefore) return { ms: tBefore, inGap: false };
  if (okAfter) return { ms: tAfter, inGap: false };
  return { ms: tBefore, inGap: true };
}

// Date, then optionally [T or space] hh:mm[:ss[.fff]] and an optional Z / ±hh[[:]mm] (only after a time).
const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses an ISO 8601 date-time. With Z or an offset it is exact; otherwise it is wall time in
 * tz (a bare date = local midnight; DST gaps shift forward, overlaps take the earlier instant).
 * Returns null for malformed or impossible values and for an invalid tz.
 */
export function parseInstant(input: string, tz: string): number | null {
  return parseInstantDetailed(input, tz)?.ms ?? null;
}

/**
 * parseInstant, also saying whether the input was naive and whether that naive wall time falls in
 * a DST gap (it does not exist in tz; `ms` is then the instant the gap length later, as parseInstant
 * gives). Callers that must not move a time silently (single sessions) refuse `inGap`.
 */
export function parseInstantDetailed(
  input: string,
  tz: string,
): { ms: number; naive: boolean; inGap: boolean } | null {
  if (typeof input !== 'string' || !isValidTimeZone(tz)) return null;
  const m = INSTANT_RE.exec(input);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac, off] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs ?? 0);
  const mi = Number(mis ?? 0);
  const s = Number(ss ?? 0);
  // Sub-millisecond digits are truncated: storage resolution is 1 ms.
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  if (h > 23 || mi > 59 || s > 59) return null; // no leap seconds, no 24:00
  const wallMs = utcMs(y, mo, d, h, mi, s, ms);
  if (off === undefined) return { ...resolveWall(wallMs, tz), naive: true };
  if (off === 'Z' || off === 'z') return { ms: wallMs, naive: false, inGap: false };
  const digits = off.slice(1).replace(':', ''); // "02", "0200"
  const oh = Number(digits.slice(0, 2));
  const om = Number(digits.slice(2) || '0');
  if (oh > 23 || om > 59) return null;
  const sign = off[0] === '-' ? -1 : 1;
  return { ms: wallMs - sign * (oh * HOUR_MS + om * MINUTE_MS), naive: false, inGap: false };
}

/** Strict YYYY-MM-DD naming a real calendar date (years 0001-9999). */
export function parseLocalDate(input: string): LocalDate | null {
  const m = typeof input === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(input) : null;
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return { y, m: mo, d };
}

/** Whole days from a to b (b - a), without walking them. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((utcMs(b.y, b.m, b.d) - utcMs(a.y, a.m, a.d)) / DAY_MS);
}

/** Calendar arithmetic on the proleptic Gregorian calendar (UTC, so no DST in the way). */
export function addDays(date: LocalDate, n: number): LocalDate {
  const t = new Date(utcMs(date.y, date.m, date.d) + n * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Local midnight of the date in tz; where midnight is skipped by DST, the first instant of that day. */
export function startOfLocalDayMs(date: LocalDate, tz: string): number {
  return wallToUtc(utcMs(date.y, date.m, date.d), tz);
}

/**
 * Inclusive start_date/end_date filters → [fromMs, toMs). The end bound is the start of the
 * following day so the whole end date counts however long it is (23h/25h on DST days).
 * Strings that do not parse are left out; callers validate them beforehand.
 */
export function localDateRangeMs(
  startDate: string | undefined,
  endDate: string | undefined,
  tz: string,
): { fromMs?: number; toMs?: number } {
  const out: { fromMs?: number; toMs?: number } = {};
  const start = startDate === undefined ? null : parseLocalDate(startDate);
  const end = endDate === undefined ? null : parseLocalDate(endDate);
  if (start) out.fromMs = startOfLocalDayMs(start, tz);
  if (end) out.toMs = startOfLocalDayMs(addDays(end, 1), tz);
  return out;
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const dow = new Date(utcMs(date.y, date.m, date.d)).getUTCDay(); // 0 = Sunday
  return dow === 0 ? 7 : dow;
}

/**
 * The instant of a wall-clock time (`minutes` after midnight) on a date in tz, by the rules of naive
 * times: inside a DST gap it moves forward by the gap (`inGap` says so), an ambiguous one (the repeated
 * hour) takes the earlier instant. Recurring sessions keep their wall time this way across DST.
 */
export function localTimeToUtc(date: LocalDate, minutes: number, tz: string): { ms: number; inGap: boolean } {
  return resolveWall(utcMs(date.y, date.m, date.d) + minutes * MINUTE_MS, tz);
}

/** The calendar date in tz at which the instant falls. */
export function localDateOf(epochMs: number, tz: string): LocalDate {
  const [y, m, d] = wallParts(epochMs, tz);
  return { y, m, d };
}

export function formatLocalDate(date: LocalDate): string {
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  return `${p(date.y, 4)}-${p(date.m, 2)}-${p(date.d, 2)}`;
}

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * toIso for long runs of nearby instants (an export's check-in times): the "YYYY-MM-DDTHH:" part is
 * formatted once per hour, the rest by hand. A Date per value was 9% of a 1M-row export's CPU.
 * Same output as toIso for every instant (years 1970–9999; others go through toIso).
 */
export function isoFormatter(): (epochMs: number) => string {
  let hourStart = Number.NaN;
  let prefix = '';
  return (epochMs) => {
    if (!(epochMs >= 0 && epochMs < 253_402_300_800_000) || !Number.isInteger(epochMs)) return toIso(epochMs);
    const rest = epochMs % HOUR_MS;
    const hour = epochMs - rest;
    if (hour !== hourStart) {
      hourStart = hour;
      prefix = toIso(hour).slice(0, 14);
    }
    const minutes = Math.floor(rest / MINUTE_MS);
    const seconds = Math.floor((rest % MINUTE_MS) / 1000);
    return `${prefix}${pad2(minutes)}:${pad2(seconds)}.${pad3(rest % 1000)}Z`;
  };
}
