/**
 * CSV (RFC 4180, UTF-8) and XLSX renderings of export rows, streamed.
 * Text cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP's advice);
 * numbers stay numbers. See neutraliseFormula for what counts as "would run".
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { isoFormatter, toIso } from '../../lib/time.js';
import { EXPORT_COLUMNS, type ExportRow } from './export.repository.js';

/**
 * A cell is a formula risk when it starts with a control character a spreadsheet trims (tab, CR, LF),
 * or when, after any leading whitespace (NBSP, ideographic space…) and invisible format characters
 * (BOM, zero-width space/joiners, bidi marks, soft hyphen: Unicode Cf), its first character is
 * = + - @ or a look-alike spreadsheets also accept: fullwidth ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, minus sign −
 * (issue 17.6: LibreOffice and Excel strip or fold these and then evaluate).
 */
const FORMULA_RISK =
  /^(?:[\t\r\n]|[\s\p{Cf}\u180E]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B\u2212])/u;

export function neutraliseFormula(s: string): string {
  // Most names, emails and notes start with a letter or digit: no regex for them (export hot path).
  const c = s.charCodeAt(0);
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return s;
  return FORMULA_RISK.test(s) ? `'${s}` : s;
}

const text = (v: string | null) => (v === null ? '' : neutraliseFormula(v));
const time = (v: number | null) => (v === null ? '' : toIso(v));

/** Sessions repeat across their records: their two times are formatted once per stream, not per row. */
function sessionTimes() {
  const cache = new Map<number, string>();
  return (ms: number) => {
    let s = cache.get(ms);
    if (s === undefined) {
      if (cache.size > 10_000) cache.clear();
      s = toIso(ms);
      cache.set(ms, s);
    }
    return s;
  };
}

export function toCells(r: ExportRow, sessionTime: (ms: number) => string = toIso): (string | number)[] {
  return [
    r.record_id,
    r.session_id,
    text(r.session_name),
    sessionTime(r.start_time),
    sessionTime(r.end_time),
    text(r.group_name),
    r.user_id,
    text(r.user_name),
    text(r.user_email),
    r.status,
    time(r.check_in_time),
    time(r.check_out_time),
    r.distance_m ?? '',
    r.check_in_lat ?? '',
    r.check_in_lon ?? '',
    text(r.notes),
  ];
}

/** Chunks of rows → rows of cells, one at a time (backpressure flows from the response). */
function cellRows(chunks: AsyncIterable<ExportRow[]>): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of chunks) for (const r of chunk) yield toCells(r);
    })(),
  );
}

/** RFC 4180: a field holding a comma, quote, CR or LF is quoted, its quotes doubled. */
const csvQuoted = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
/** A free-text cell: formula-neutralised, then quoted when it needs to be. */
export const csvText = (v: string | null): string => (v === null ? '' : csvQuoted(neutraliseFormula(v)));
const csvNumber = (v: number | null): string => (v === null ? '' : String(v));

/** The time formatters of one stream: session times memoised, record times through hour-cached formatters. */
interface StreamTimes {
  session: (ms: number) => string;
  checkIn: (ms: number) => string;
  checkOut: (ms: number) => string;
}

const streamTimes = (): StreamTimes => ({
  session: sessionTimes(),
  checkIn: isoFormatter(),
  checkOut: isoFormatter(),
});

/**
 * One CSV line, the cells in EXPORT_COLUMNS order. Ids (UUIDs), the status and ISO times never need
 * quoting; only the free-text cells go through the formula and quoting checks. Written out rather
 * than via toCells(): a million rows made 2M arrays and 16M regex tests that way.
 */
function csvLine(r: ExportRow, t: StreamTimes): string {
  const checkIn = r.check_in_time === null ? '' : t.checkIn(r.check_in_time);
  const checkOut = r.check_out_time === null ? '' : t.checkOut(r.check_out_time);
  return `${r.record_id},${r.session_id},${csvText(r.session_name)},${t.session(r.start_time)},${t.session(r.end_time)},${csvText(r.group_name)},${r.user_id},${csvText(r.user_name)},${csvText(r.user_email)},${r.status},${checkIn},${checkOut},${csvNumber(r.distance_m)},${csvNumber(r.check_in_lat)},${csvNumber(r.check_in_lon)},${csvText(r.notes)}\r\n`;
}

/**
 * CSV, one string per chunk of rows: formatting here instead of through csv-stringify's
 * per-record pipeline took a 1M-row export from 42k to over 200k rows/s (docs/decisions/004).
 * Starts with a UTF-8 byte-order mark so spreadsheet programs read non-Latin names correctly.
 */
export function csvStream(chunks: AsyncIterable<ExportRow[]>): Readable {
  const times = streamTimes();
  return Readable.from(
    (async function* () {
      yield `\uFEFF${EXPORT_COLUMNS.join(',')}\r\n`;
      for await (const chunk of chunks) {
        let out = '';
        for (const r of chunk) out += csvLine(r, times);
        if (out) yield out;
      }
    })(),
    { objectMode: false },
  );
}

/** exceljs is loaded on the first XLSX export: it is large, and most processes never need it (idle RSS). */
export async function xlsxStream(chunks: AsyncIterable<ExportRow[]>): Promise<Readable> {
  const ExcelJS = (await import('exceljs')).default;
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet('attendance');
  sheet.columns = EXPORT_COLUMNS.map((c) => ({ header: c, key: c }));
  (async () => {
    for await (const cells of cellRows(chunks)) {
      sheet.addRow(cells).commit();
      if (out.writableNeedDrain) await once(out, 'drain'); // the client sets the pace
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err) => out.destroy(err));
  return out;
}
