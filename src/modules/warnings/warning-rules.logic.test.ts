import { describe, expect, it } from 'vitest';
import type { AttendanceStatus } from '../attendance/attendance.table.js';
import { evaluateRule, type HistoryEntry } from './warning-rules.logic.js';

const DAY = 86_400_000;
/** P present, L late, A absent, E excused — one session a day from 2026-03-02. */
const history = (s: string): HistoryEntry[] =>
  [...s].map((c, i) => ({
    session_id: `s${i + 1}`,
    session_name: `Lecture ${i + 1}`,
    start_time: Date.UTC(2026, 2, 2) + i * DAY,
    status: ({ P: 'present', L: 'late', A: 'absent', E: 'excused' } as Record<string, AttendanceStatus>)[c]!,
  }));
const rate = (threshold: number, min_sessions = 5) => ({
  kind: 'rate_below' as const,
  threshold,
  min_sessions,
});
const run = (threshold: number, min_sessions = 1) => ({
  kind: 'consecutive_absences' as const,
  threshold,
  min_sessions,
});

describe('rate_below', () => {
  it.each([
    // history, threshold, min_sessions, fires, attended/counted
    ['PPPAAPPPAA', 0.7, 5, true, '6/10'],
    ['PPPPAPPPAA', 0.7, 5, false, '7/10'], // exactly met: 70 % is not below 70 %
    ['PLPPAPPLAA', 0.7, 5, false, '7/10'], // late counts as attended
    ['PAAA', 0.7, 5, false, '1/4'], // below min_sessions
    ['PAAAE', 0.7, 5, false, '1/4'], // an excused session does not count toward min_sessions
    ['PAAAA', 0.7, 5, true, '1/5'],
    ['PPEEAPP', 0.8, 5, false, '4/5'], // excused left out of the rate: 4/5 = 80 %
    ['PPEEAAP', 0.8, 5, true, '3/5'],
    ['PPP', 0.5, 0, false, '3/3'],
  ])('%s < %s (min %s) → %s', (h, threshold, min, fires, figures) => {
    const v = evaluateRule(rate(threshold, min), history(h));
    expect(v !== null).toBe(fires);
    if (v) expect(`${v.attended}/${v.counted}`).toBe(figures);
  });

  it('names every absence as missed', () => {
    const v = evaluateRule(rate(0.7), history('PPPAAPPPAA'))!;
    expect(v.missed.map((m) => m.session_id)).toEqual(['s4', 's5', 's9', 's10']);
    expect(v.rate).toBeCloseTo(0.6);
  });
});

describe('consecutive_absences', () => {
  it.each([
    ['PPAAA', 3, true, 3],
    ['PPAA', 3, false, 2],
    ['AAAP', 3, false, 0], // the run must reach the latest session
    ['PAAEA', 3, true, 3], // an excused session neither breaks nor extends the run
    ['PAEEA', 3, false, 2],
    ['PALAA', 3, false, 2], // late is attended: it breaks the run
    ['AAAAA', 5, true, 5],
  ])('%s, %s in a row → %s (run %s)', (h, threshold, fires, streak) => {
    const v = evaluateRule(run(threshold), history(h));
    expect(v !== null).toBe(fires);
    if (v) expect(v.streak).toBe(streak);
  });

  it('names the sessions of the run, skipping the excused one', () => {
    const v = evaluateRule(run(3), history('PAAEA'))!;
    expect(v.missed.map((m) => m.session_id)).toEqual(['s2', 's3', 's5']);
  });

  it('respects min_sessions', () => {
    expect(evaluateRule(run(2, 5), history('PAA'))).toBeNull();
    expect(evaluateRule(run(2, 5), history('PPPAA'))).not.toBeNull();
  });
});
