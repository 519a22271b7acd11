/**
 * fast-check arbitraries driven by the JSON Schemas of /openapi.json: values of the right shape,
 * and every kind of wrong one (types, missing/extra fields, boundaries, huge and odd strings, junk).
 */

import fc from 'fast-check';
import {
  isDisplayName,
  isPlainText,
  LOCAL_DATE_PATTERN,
  REQUEST_TIME_PATTERN,
  TIME_ZONE_FORMAT,
} from '../../src/lib/strings.js';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};

const nasty = fc.constantFrom(
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  'null',
  'undefined',
  'true',
  '0x10',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '\u0000',
  '\uD800',
  '👩‍👩‍👧‍👦'.repeat(50),
  'ﷺ'.repeat(300),
  'a'.repeat(10_000),
  '=HYPERLINK("http://x")',
  '2026-02-30T25:61:00',
  '00000000-0000-0000-0000-000000000000',
);

const oddNumbers = fc.constantFrom(
  0,
  -0,
  -1,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  1e-320,
  0.1 + 0.2,
  4294967296,
  -2147483649,
);

/** Any JSON value, small and nested, including odd numbers and strings. */
export const junk: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    oddNumbers,
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  switch (s.format) {
    case 'uuid':
      return fc.uuid({ version: 7 });
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 255));
    case 'display-name':
      return fc
        .string({ minLength: s.minLength ?? 1, maxLength: Math.min(s.maxLength ?? 40, 60), unit: 'grapheme' })
        .filter((x) => x.length <= (s.maxLength ?? Infinity) && isDisplayName(x));
    case 'plain-text':
      return fc
        .string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 60), unit: 'grapheme' })
        .filter(
          (x) => x.length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? Infinity) && isPlainText(x),
        );
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case TIME_ZONE_FORMAT:
      // Real zones (random text is refused by the schema, so the service would never see a zone set):
      // with and without DST, south and north, half-hour and 45-minute offsets, a 30-minute DST shift.
      return fc.constantFrom(
        'UTC',
        'Europe/Paris',
        'America/New_York',
        'America/Sao_Paulo',
        'Asia/Kolkata',
        'Asia/Kathmandu',
        'Australia/Lord_Howe',
        'Pacific/Chatham',
      );
  }
  if (s.pattern === LOCAL_DATE_PATTERN) {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  }
  if (s.pattern === REQUEST_TIME_PATTERN) {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 19));
  }
  return fc
    .string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 60), unit: 'grapheme' })
    .filter((x) => [...x].length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? Infinity));
}

/** A value that satisfies the schema (as far as the generator can tell). */
export function valid(s: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!s) return fc.constant(undefined);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map(valid));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 });
    case 'number':
      return fc.double({
        min: s.minimum ?? -1e6,
        max: s.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid(s.items), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 5, 5),
      });
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const entries = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valid(v)]));
      return fc
        .record(entries, { requiredKeys: [...required].filter((k) => k in props) })
        .map((o) => o) as fc.Arbitrary<unknown>;
    }
    default:
      return junk;
  }
}

/** A value of the right general shape with one thing wrong, or outright junk. */
export function malformed(s: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (s?.type !== 'object' || !s.properties) return junk;
  const keys = Object.keys(s.properties);
  return fc.oneof(
    junk,
    // one field replaced by junk or a boundary value
    fc
      .tuple(valid(s), fc.constantFrom(...keys), fc.oneof(junk, boundary(s.properties[keys[0]!]!)))
      .map(([v, k, bad]) => ({ ...(v as object), [k]: bad })),
    // a required field missing
    fc.tuple(valid(s), fc.constantFrom(...keys)).map(([v, k]) => {
      const copy = { ...(v as Record<string, unknown>) };
      delete copy[k];
      return copy;
    }),
    // an extra field
    fc
      .tuple(valid(s), fc.string({ minLength: 1, maxLength: 12 }), junk)
      .map(([v, k, x]) => ({ ...(v as object), [`x_${k}`]: x })),
  );
}

function boundary(s: JsonSchema): fc.Arbitrary<unknown> {
  const vals: unknown[] = [null, '', [], {}];
  if (s.minimum !== undefined) vals.push(s.minimum - 1, s.minimum - 0.5);
  if (s.maximum !== undefined) vals.push(s.maximum + 1, s.maximum + 1e-9);
  if (s.maxLength !== undefined) vals.push('x'.repeat(s.maxLength + 1));
  return fc.constantFrom(...vals);
}

/** Path-parameter values: real-looking UUIDs, and things that are not UUIDs at all. */
export const pathParam = fc.oneof(
  fc.uuid({ version: 7 }),
  fc.constantFrom(
    '0',
    '-1',
    'null',
    "1' OR '1'='1",
    '../admin',
    '%00',
    '%2e%2e%2f',
    'a'.repeat(300),
    '😀',
    '{id}',
  ),
);

/** Raw bodies that are not valid JSON, or not JSON at all. */
export const rawBody = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'undefined',
    "{'a':1}",
    '{"a":1}}',
    '\u0000',
    '{"__proto__":{"x":1}}',
    'null',
    '1e999',
    '"str"',
  ),
  fc.string({ maxLength: 200 }),
);
