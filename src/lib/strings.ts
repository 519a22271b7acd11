import { sql } from 'kysely';
import Type from 'typebox';

/** Common field schemas, so every route validates the same thing the same way. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' });
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 255 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
export const Name = Type.String({ minLength: 1, maxLength: 100 });
export const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const IsoTime = Type.String({ format: 'date-time' });
export const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

/** Trims and normalises an email so the unique index sees one spelling per address. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/**
 * A LIKE operand matching `q` anywhere, case-folded, with wildcards in `q` taken literally.
 * The escape character is '!' because a backslash means different things to MySQL and PostgreSQL.
 */
export const likeContains = (q: string) =>
  sql<string>`${`%${q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`} escape '!'`;
