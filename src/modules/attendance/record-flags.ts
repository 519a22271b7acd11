/** Flags of a check-in (API.md Part 2) and their storage as one comma-separated column. */
import type { ReviewState } from './attendance.table.js';

export const FLAGS = [
  'uncertain_location',
  'no_accuracy',
  'low_accuracy',
  'shared_device',
  'impossible_travel',
] as const;
export type Flag = (typeof FLAGS)[number];

export const parseFlags = (stored: string): Flag[] =>
  stored === '' ? [] : (stored.split(',').filter((f) => (FLAGS as readonly string[]).includes(f)) as Flag[]);

/** In the contract's order, each once. */
export const joinFlags = (flags: Iterable<string>): string => {
  const set = new Set(flags);
  return FLAGS.filter((f) => set.has(f)).join(',');
};

/** Any flag puts a record in the review queue; a record already decided keeps its decision. */
export const reviewStateFor = (flags: string, current: ReviewState = 'none'): ReviewState =>
  flags === '' || current === 'accepted' || current === 'rejected' ? current : 'pending';
