/**
 * Reads a bulk-import CSV (header `name,email,role,password`, any order, role and password optional)
 * into row objects shaped like the JSON body's rows. A broken file or header is a 400 for the whole
 * request; a row with the wrong number of fields is flagged on that row only.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { type FieldError, validationError } from '../../lib/errors.js';

export const CSV_COLUMNS = ['name', 'email', 'role', 'password'] as const;
const REQUIRED = ['name', 'email'];

export type CsvRow = { fields: Record<string, string>; problem?: FieldError };

const headerError = (message: string) => validationError([{ field: 'csv', message }], 'Invalid CSV header');

/** `maxRows` data rows at most: parsing stops one record later, so a huge file costs no more. */
export function parseUsersCsv(text: string, maxRows: number): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      to: maxRows + 2,
    }) as string[][];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = typeof err.lines === 'number' ? ` (line ${err.lines})` : '';
    throw validationError([{ field: 'csv', message: `is not valid CSV${line}` }], 'Malformed CSV');
  }
  const [header, ...data] = records;
  if (!header) throw validationError([{ field: 'csv', message: 'is empty' }], 'Empty CSV');
  const columns = header.map((h) => h.toLowerCase());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length)
    throw headerError(`unknown column(s): ${unknown.join(', ')}; allowed: ${CSV_COLUMNS.join(', ')}`);
  if (new Set(columns).size !== columns.length) throw headerError('a column is named twice');
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) throw headerError(`missing column(s): ${missing.join(', ')}`);
  if (data.length === 0) throw validationError([{ field: 'csv', message: 'has no data rows' }], 'Empty CSV');
  if (data.length > maxRows)
    throw validationError([{ field: 'csv', message: `has more than ${maxRows} data rows` }], 'Too many rows');

  return data.map((record) => {
    const fields: Record<string, string> = {};
    // Empty cells are absent values: an empty role means the default, an empty password a generated one.
    columns.forEach((c, i) => {
      const v = record[i];
      if (v !== undefined && v !== '') fields[c] = v;
    });
    if (record.length !== columns.length)
      return {
        fields,
        problem: { field: 'row', message: `has ${record.length} fields, the header has ${columns.length}` },
      };
    return { fields };
  });
}
