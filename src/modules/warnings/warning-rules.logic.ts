/**
 * Whether a rule fires for one student's history of closed sessions (oldest first). Pure.
 * Excused sessions are left out entirely: they neither count as attended nor as missed, do not count
 * toward min_sessions, and neither break nor extend a run of absences (README, "Warnings").
 */
import type { AttendanceStatus } from '../attendance/attendance.table.js';
import type { WarningKind } from './warnings.table.js';

export interface HistoryEntry {
  session_id: string;
  session_name: string;
  start_time: number;
  status: AttendanceStatus;
}

export interface RuleFigures {
  kind: WarningKind;
  threshold: number;
  min_sessions: number;
}

export interface Verdict {
  counted: number;
  attended: number;
  rate: number;
  /** consecutive_absences: the length of the trailing run of absences. */
  streak: number;
  /** The sessions the message names: every absence (rate_below) or the run (consecutive_absences). */
  missed: HistoryEntry[];
}

/** Rates are compared with a tolerance: 7/10 must equal a threshold of 0.7 ("exactly met" does not fire). */
const EPS = 1e-9;

export function evaluateRule(rule: RuleFigures, history: readonly HistoryEntry[]): Verdict | null {
  const counted = history.filter((h) => h.status !== 'excused');
  if (counted.length === 0 || counted.length < rule.min_sessions) return null;
  const attended = counted.filter((h) => h.status === 'present' || h.status === 'late').length;
  const rate = attended / counted.length;
  let streak = 0;
  while (streak < counted.length && counted[counted.length - 1 - streak]!.status === 'absent') streak++;
  const verdict = { counted: counted.length, attended, rate, streak };
  if (rule.kind === 'rate_below') {
    return rate < rule.threshold - EPS
      ? { ...verdict, missed: counted.filter((h) => h.status === 'absent') }
      : null;
  }
  return streak >= rule.threshold ? { ...verdict, missed: counted.slice(counted.length - streak) } : null;
}
