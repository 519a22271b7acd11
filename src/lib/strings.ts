import { sql } from 'kysely';
import Type from 'typebox';
import { CALENDAR_RANGE_TEXT, YEAR_PATTERN } from './time.js';

/** Common field schemas, so every route validates the same thing the same way. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' });
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 255 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
export const Name = Type.String({ minLength: 1, maxLength: 100 });
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
