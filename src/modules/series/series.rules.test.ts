import { describe, expect, it } from 'vitest';
import { formatLocalDate, parseLocalDate } from '../../lib/time.js';
import { checkSchedule, MAX_SERIES_SESSIONS, occurrencesOf } from './series.rules.js';

const dates = (input: Parameters<typeof checkSchedule>[0]) =>
  checkSchedule(input).dates?.map(formatLocalDate) ?? null;
const at = (date: string, hhmm: string, tz: string) =>
  new Date(occurrencesOf([parseLocalDate(date)!], hhmm, '23:59', tz).occurrences[0]!.start).toISOString();

describe('checkSchedule', () => {
  it('counts interval weeks from the ISO week of start_date and leaves out skip dates', () => {
    expect(
      dates({
        weekdays: [1, 5],
        start_date: '2026-03-04', // Wednesday
        end_date: '2026-03-31',
        start_local: '09:00',
        end_local: '10:00',
        interval_weeks: 3,
        skip_dates: ['2026-03-23'],
      }),
    ).toEqual(['2026-03-06', '2026-03-27']);
  });
  it('caps at MAX_SERIES_SESSIONS', () => {
    const input = {
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      start_date: '2026-01-01',
      start_local: '09:00',
      end_local: '10:00',
    };
    expect(dates({ ...input, end_date: '2027-02-04' })).toHaveLength(MAX_SERIES_SESSIONS);
    expect(checkSchedule({ ...input, end_date: '2027-02-05' }).errors[0]!.field).toBe('end_date');
  });
  it.each([
    [{ start_date: '2026-02-29' }, 'start_date'],
    [{ end_date: '2025-12-31' }, 'end_date'],
    [{ end_local: '08:59' }, 'end_local'],
    [{ end_local: '09:00' }, 'end_local'],
    [{ timezone: 'Nowhere/Land' }, 'timezone'],
    [{ skip_dates: ['2026-04-31'] }, 'skip_dates[0]'],
  ])('%j is refused on %s', (patch, field) => {
    const input = {
      weekdays: [1],
      start_date: '2026-01-01',
      end_date: '2026-02-01',
      start_local: '09:00',
      end_local: '10:00',
    };
    expect(checkSchedule({ ...input, ...patch }).errors.map((e) => e.field)).toEqual([field]);
  });
});

describe('occurrencesOf', () => {
  it.each([
    ['2026-03-07', '09:00', 'America/New_York', '2026-03-07T14:00:00.000Z'],
    ['2026-03-08', '09:00', 'America/New_York', '2026-03-08T13:00:00.000Z'],
    ['2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'], // gap → 03:30 EDT
    ['2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'], // ambiguous → EDT
    ['2026-11-02', '09:00', 'America/New_York', '2026-11-02T14:00:00.000Z'],
    ['2026-03-29', '02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'], // gap → 03:30 CEST
    ['2026-10-25', '02:30', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'], // ambiguous → CEST
    ['2026-10-26', '09:00', 'Europe/Berlin', '2026-10-26T08:00:00.000Z'],
  ])('%s %s in %s is %s', (date, hhmm, tz, iso) => expect(at(date, hhmm, tz)).toBe(iso));
});
