/** The CSV line writer against the cell list the XLSX export uses: the same cells for any row. */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvStream, neutraliseFormula, toCells } from './export.format.js';
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

/** Characters a spreadsheet skips before deciding a cell is a formula (whitespace and invisible ones). */
const INVISIBLE = [
  ' ',
  '\u00A0',
  '\u3000',
  '\u2003',
  '\uFEFF',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\u200E',
  '\u200F',
  '\u202E',
  '\u00AD',
  '\u180E',
];
const TRIGGERS = [
  '=',
  '+',
  '-',
  '@',
  '\uFF1D',
  '\uFF0B',
  '\uFF0D',
  '\uFF20',
  '\uFE66',
  '\uFE62',
  '\uFE63',
  '\uFE6B',
  '\u2212',
];
const stripLead = (s: string) => s.replace(/^[\s\p{Cf}\u180E]*/u, '');

describe('formula neutralisation (issue 17.6)', () => {
  it.each([
    ['\uFF1DHYPERLINK("http://x")'],
    ['\uFF0B1'],
    ['\uFF0D1'],
    ['\uFF20SUM(A1)'],
    ['\n=1+1'],
    ['\u00A0=1+1'],
    ['\uFEFF=1+1'],
    ['\u200B=1+1'],
    ['  =1+1'],
    ['\u202E=1+1'],
  ])('%j is written with a leading apostrophe', (cell) => {
    expect(neutraliseFormula(cell)).toBe(`'${cell}`);
  });

  it('any run of whitespace/invisible characters before a trigger is neutralised', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...INVISIBLE), { maxLength: 6 }),
        fc.constantFrom(...TRIGGERS),
        fc.string({ maxLength: 20 }),
        (lead, trigger, rest) => {
          const cell = `${lead.join('')}${trigger}${rest}`;
          expect(neutraliseFormula(cell)).toBe(`'${cell}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('for any text: the result is the text or the text behind an apostrophe, and never starts a formula', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        (a, b) => {
          const cell = a + b;
          const out = neutraliseFormula(cell);
          expect([cell, `'${cell}`]).toContain(out);
          expect(TRIGGERS).not.toContain(stripLead(out)[0]);
          expect(['\t', '\r', '\n']).not.toContain(out[0]);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('text starting with a letter, digit or other safe character is left alone', () => {
    for (const cell of ['Alice', '42 things', 'été', '(note)', "'quoted", '#tag', '名前']) {
      expect(neutraliseFormula(cell)).toBe(cell);
    }
  });

  it('a CSV export line of a fullwidth-equals name parses back to the apostrophed cell', async () => {
    const [, line] = parse(
      await csvOf([
        {
          record_id: 'r',
          session_id: 's',
          session_name: '\u200B=cmd',
          start_time: 0,
          end_time: 0,
          group_name: null,
          user_id: 'u',
          user_name: '\uFF1DHYPERLINK("x")',
          user_email: 'a@b.c',
          status: 'present',
          check_in_time: null,
          check_out_time: null,
          distance_m: null,
          check_in_lat: null,
          check_in_lon: null,
          notes: '\n@x',
        },
      ]),
      { bom: true },
    ) as string[][];
    expect(line?.[2]).toBe("'\u200B=cmd");
    expect(line?.[7]).toBe('\'\uFF1DHYPERLINK("x")');
    expect(line?.[15]).toBe("'\n@x");
  });
});
