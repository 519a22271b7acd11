import type { Ajv, SchemaValidateFunction } from 'ajv';
import { sql } from 'kysely';
import Type from 'typebox';
import { CALENDAR_RANGE_TEXT, isValidTimeZone, YEAR_PATTERN } from './time.js';

/** Common field schemas, so every route validates the same thing the same way. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' });
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 255 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
/**
 * A password being set: the policy (PASSWORD_MIN_LENGTH, not all one character class) is checked by
 * the request validator through this keyword, so its error comes in the same 400 as every other
 * field's (issue 16.3). Services check it again for callers that are not HTTP requests.
 */
export const PASSWORD_POLICY_KEYWORD = 'x-password-policy';
export const NewPassword = Type.String({
  minLength: 1,
  maxLength: 256,
  [PASSWORD_POLICY_KEYWORD]: true,
  description: 'at least PASSWORD_MIN_LENGTH (default 8) characters, not all of one character class',
});
/**
 * Names shown to other people (users, organizations, groups, sessions) go through one validator,
 * registered as the Ajv format `display-name` (issue 17.7). Refused: control characters (NUL, C0/C1,
 * DEL, line breaks), bidi embeddings/overrides/isolates (U+202A–202E, U+2066–2069: "‮evil" renders
 * reversed), lone surrogates, and names with no visible character (only spaces, zero-width or other
 * invisible format characters, combining marks, Hangul fillers, blank braille). LRM/RLM stay allowed:
 * right-to-left names legitimately use them.
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
const VISIBLE_CHAR = /[^\s\p{Z}\p{C}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/u;
/** '' passes here: minLength reports it, once. */
export const isDisplayName = (s: string): boolean =>
  s === '' || (!FORBIDDEN_IN_NAME.test(s) && VISIBLE_CHAR.test(s));
export const DISPLAY_NAME_FORMAT = 'display-name';
/**
 * Free text (descriptions, notes, addresses, search terms, codes) refuses control characters except
 * tab, LF and CR, registered as the Ajv format `plain-text`. PostgreSQL cannot hold a NUL in text, not
 * even as a query parameter: such a field answered 500 there (twenty routes, measured) and was stored on
 * the other engines. One rule for every engine: 400, naming the field.
 */
const FORBIDDEN_IN_TEXT = /(?![\t\n\r])\p{Cc}/u;
export const isPlainText = (s: string): boolean => !FORBIDDEN_IN_TEXT.test(s);
export const PLAIN_TEXT_FORMAT = 'plain-text';
const PLAIN_TEXT_MESSAGE = 'must not contain control characters (tab and line breaks excepted)';
export const DISPLAY_NAME_MESSAGE =
  'must contain a visible character and no control or bidi-override characters';
/** An IANA zone name, checked by isValidTimeZone inside validation so its error joins the others'. */
export const TIME_ZONE_FORMAT = 'iana-time-zone';
export const TIME_ZONE_MESSAGE = 'must be an IANA time zone name such as Europe/Paris';
export const TimeZoneName = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, format: TIME_ZONE_FORMAT, description });
/** Registers the project's string formats on an Ajv instance (request validators, bulk import rows). */
export function addTextFormats(ajv: Ajv): Ajv {
  ajv.addFormat(DISPLAY_NAME_FORMAT, { type: 'string', validate: isDisplayName });
  ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: isValidTimeZone });
  ajv.addFormat(PLAIN_TEXT_FORMAT, { type: 'string', validate: isPlainText });
  return ajv;
}

/** Registers the password-policy keyword of NewPassword, reporting passwordProblems' own message. */
export function addPasswordPolicy(ajv: Ajv, problems: (password: string) => string | null): Ajv {
  const check: SchemaValidateFunction = (enabled: unknown, data: unknown): boolean => {
    if (enabled !== true || typeof data !== 'string') return true;
    const problem = problems(data);
    check.errors = problem ? [{ keyword: PASSWORD_POLICY_KEYWORD, message: problem, params: {} }] : [];
    return problem === null;
  };
  ajv.addKeyword({ keyword: PASSWORD_POLICY_KEYWORD, type: 'string', errors: true, validate: check });
  return ajv;
}
/** A display name of at most maxLength characters (schemas of users, orgs, groups, sessions). */
export const DisplayName = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    format: DISPLAY_NAME_FORMAT,
    description: `at most ${maxLength} characters, at least one visible; no control or bidi-override characters`,
  });
export const Name = DisplayName(100);
/** Free text of at most maxLength characters, without control characters but tab and line breaks. */
export const FreeText = (maxLength: number, options: { minLength?: number; description?: string } = {}) =>
  Type.String({ ...options, maxLength, format: PLAIN_TEXT_FORMAT });
export const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const IsoTime = Type.String({ format: 'date-time' });
/** Request dates and times are bounded to the accepted calendar by the schema itself (issue 17.1). */
export const LOCAL_DATE_PATTERN = `^${YEAR_PATTERN}-\\d{2}-\\d{2}$`;
export const LocalDate = Type.String({
  pattern: LOCAL_DATE_PATTERN,
  description: `YYYY-MM-DD (${CALENDAR_RANGE_TEXT})`,
});
/** A request date-time string starts with a year of the accepted calendar; the service parses the rest. */
export const REQUEST_TIME_PATTERN = `^${YEAR_PATTERN}-`;

/** Human messages for the patterns above, used by the error handler instead of Ajv's regex echo. */
const PATTERN_MESSAGES = new Map<string, string>([
  [LOCAL_DATE_PATTERN, `must be a date YYYY-MM-DD in ${CALENDAR_RANGE_TEXT}`],
  [REQUEST_TIME_PATTERN, `must be an ISO 8601 date or date-time in ${CALENDAR_RANGE_TEXT}`],
]);
/** The message of a failed `format` check, when it is one of ours. */
export const formatMessage = (format: unknown): string | undefined =>
  format === DISPLAY_NAME_FORMAT
    ? DISPLAY_NAME_MESSAGE
    : format === TIME_ZONE_FORMAT
      ? TIME_ZONE_MESSAGE
      : format === PLAIN_TEXT_FORMAT
        ? PLAIN_TEXT_MESSAGE
        : undefined;
export const patternMessage = (pattern: unknown): string | undefined =>
  typeof pattern === 'string' ? PATTERN_MESSAGES.get(pattern) : undefined;

/** Trims and normalises an email so the unique index sees one spelling per address. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/**
 * A LIKE operand matching `q` anywhere, case-folded, with wildcards in `q` taken literally.
 * The escape character is '!' because a backslash means different things to MySQL and PostgreSQL.
 */
export const likeContains = (q: string) =>
  sql<string>`${`%${q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`} escape '!'`;
