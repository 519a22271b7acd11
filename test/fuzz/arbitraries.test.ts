/**
 * The fuzzer's valid values must pass the schema, or "valid" cases stop at the 400 and the service
 * behind is never reached. Checked for the project's own string formats: an unknown format falls back
 * to random text (iana-time-zone did, so no fuzz case reached a service with a zone set).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISPLAY_NAME_FORMAT,
  isDisplayName,
  isPlainText,
  PLAIN_TEXT_FORMAT,
  TIME_ZONE_FORMAT,
} from '../../src/lib/strings.js';
import { isValidTimeZone } from '../../src/lib/time.js';
import { valid } from './arbitraries.js';

describe('valid() for the project’s string formats', () => {
  it.each([
    [TIME_ZONE_FORMAT, isValidTimeZone],
    [DISPLAY_NAME_FORMAT, isDisplayName],
    [PLAIN_TEXT_FORMAT, isPlainText],
  ])('%s: every sample passes the format', (format, accepts) => {
    const samples = fc.sample(valid({ type: 'string', format, maxLength: 64 }), { numRuns: 200, seed: 1 });
    expect(samples.filter((s) => !accepts(s as string))).toEqual([]);
  });
});
