/** The CSV line writer against the cell list the XLSX export uses: the same cells for any row. */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvStream, toCells } from './export.format.js';
import type { ExportRow } from './export.repository.js';

const text = fc.string({ unit: 'grapheme', maxLength: 30 });
const tricky = fc.oneof(
  text,
  fc.constantFrom('=cmd|/C calc', '+1', '-2', '@x', '\tx', '\rx', 'a,b', 'q"q', 'l1\nl2', '', ' '),
);
const time = fc.integer({ min: 0, max: 4_102_444_800_000 }); // up to 2100
const row: fc.Arbitrary<ExportRow> = fc.record({
  record_id: fc.uuid(),
  session_id: fc.uuid(),
  session_name: tricky,
  start_time: time,
  end_time: time,
  group_name: fc.option(tricky, { nil: null }),
  user_id: fc.uuid(),
  user_name: tricky,
  user_email: tricky,
  status: fc.constantFrom('present', 'late', 'absent', 'excused'),
  check_in_time: fc.option(time, { nil: null }),
  check_out_time: fc.option(time, { nil: null }),
  distance_m: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  check_in_lat: fc.option(fc.double({ min: -90, max: 90, noNaN: true }), { nil: null }),
  check_in_lon: fc.option(fc.double({ min: -180, max: 180, noNaN: true }), { nil: null }),
  notes: fc.option(tricky, { nil: null }),
});

async function csvOf(rows: ExportRow[]): Promise<string> {
  let out = '';
  for await (const chunk of csvStream(
    (async function* () {
      yield rows;
    })(),
  ))
    out += chunk;
  return out;
}

describe('CSV lines', () => {
  it('parse back to the cells of toCells (what the XLSX export writes), for any rows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
        const [, ...lines] = parse(await csvOf(rows), { bom: true, relax_quotes: false }) as string[][];
        expect(lines).toEqual(rows.map((r) => toCells(r).map(String)));
      }),
      { numRuns: 300 },
    );
  });
});
