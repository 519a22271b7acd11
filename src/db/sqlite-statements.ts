/**
 * better-sqlite3 as Kysely uses it, with two costs taken out:
 *
 * - Preparing: Kysely prepares every query afresh, and preparing costs more than running a small
 *   indexed query. Statements are cached by SQL text (a query shape's text never changes, only its
 *   parameters), bounded so that ad-hoc shapes (IN lists of varying length) cannot grow it forever.
 * - Row objects: better-sqlite3 builds each row object property by property through the V8 API,
 *   about half the time of a 1M-row read (4.8 s with objects, 2.4 s in raw mode). Readers run in
 *   raw mode here and each statement gets a compiled row constructor (an object literal over its
 *   column names), which V8 builds as fast as an array: the same objects at half the cost.
 */
import type SqliteDriver from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type RowOf = (values: unknown[]) => Record<string, unknown>;

const MAX_CACHED = 500;

/**
 * `{"name": v[0], "other": v[1], …}` compiled once per column list. Safe with any column name:
 * JSON.stringify always yields a valid string literal, so a name cannot break out of its key, and
 * `__proto__`, the one key with a meaning of its own in a literal, is left to better-sqlite3's own
 * objects (null). A duplicate name keeps the last value, as better-sqlite3 does. Null as well where
 * code generation is disabled (`--disallow-code-generation-from-strings`).
 */
function rowConstructor(names: string[]): RowOf | null {
  if (names.includes('__proto__')) return null;
  const body = names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ');
  try {
    return new Function('v', `return { ${body} };`) as RowOf;
  } catch {
    return null;
  }
}

function wrap(stmt: SqliteDriver.Statement): SqliteStatement {
  if (!stmt.reader) return stmt;
  const rowOf = rowConstructor(stmt.columns().map((c) => c.name));
  if (!rowOf) return stmt;
  stmt.raw(true);
  return {
    reader: true,
    all: (parameters) => (stmt.all(parameters) as unknown[][]).map(rowOf),
    run: (parameters) => stmt.run(parameters),
    *iterate(parameters) {
      for (const values of stmt.iterate(parameters) as IterableIterator<unknown[]>) yield rowOf(values);
    },
  };
}

/**
 * How long a schema change made by another process (a migration run beside the workers) may go
 * unseen. Reading `PRAGMA schema_version` costs a read transaction (the WAL index is consulted):
 * taken before every query it was ~7% of `/auth/profile` under load; once per interval it is nothing.
 */
export const SCHEMA_CHECK_INTERVAL_MS = 500;

/** A statement that can change the schema: DDL, and anything we cannot classify cheaply. */
const MAY_CHANGE_SCHEMA = /^\s*(?:create|alter|drop|pragma|vacuum|attach|detach|begin|savepoint)\b/i;
const PLAIN_STATEMENT = /^\s*(?:select|insert|update|delete|with|replace|commit|rollback|release)\b/i;

/**
 * The cache is emptied when the schema changes: a cached `select *` would otherwise keep its old
 * column list. A change made through this connection is seen at once (a statement that may change
 * the schema marks the cache for a check before the next query); one made by another process within
 * SCHEMA_CHECK_INTERVAL_MS, when the version is read again.
 */
export function withStatementCache(
  sqlite: SqliteDriver.Database,
  opts: { checkIntervalMs?: number; now?: () => number } = {},
): SqliteDatabase {
  const interval = opts.checkIntervalMs ?? SCHEMA_CHECK_INTERVAL_MS;
  const clock = opts.now ?? Date.now;
  const cache = new Map<string, SqliteStatement>();
  const versionStmt = sqlite.prepare('PRAGMA schema_version').pluck();
  let version = versionStmt.get();
  let checkedAt = clock();
  /** Set by a statement of this connection that may have changed the schema. */
  let mustCheck = false;

  const checkVersion = () => {
    const v = versionStmt.get();
    checkedAt = clock();
    mustCheck = false;
    if (v !== version) {
      cache.clear();
      version = v;
      // The pragma reads the file's counter but leaves this connection's parsed schema as it was:
      // a `select *` prepared now would still get the old columns (and SQLite would re-prepare it
      // with the new ones on its first step, under our old names). Stepping any statement makes
      // SQLite notice the change and reload the schema.
      sqlite.prepare('select 1 from sqlite_master limit 1').get();
    }
  };
  // Runs a statement that may change the schema, then has the next prepare look at the version.
  const marking = (stmt: SqliteStatement): SqliteStatement => ({
    reader: stmt.reader,
    all: (parameters) => {
      try {
        return stmt.all(parameters);
      } finally {
        mustCheck = true;
      }
    },
    run: (parameters) => {
      try {
        return stmt.run(parameters);
      } finally {
        mustCheck = true;
      }
    },
    *iterate(parameters) {
      try {
        yield* stmt.iterate(parameters);
      } finally {
        mustCheck = true;
      }
    },
  });

  return {
    close: () => sqlite.close(),
    prepare(source) {
      if (mustCheck || clock() - checkedAt >= interval) checkVersion();
      let stmt = cache.get(source);
      if (!stmt) {
        const raw = wrap(sqlite.prepare(source));
        stmt = MAY_CHANGE_SCHEMA.test(source) || !PLAIN_STATEMENT.test(source) ? marking(raw) : raw;
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(source, stmt);
      }
      return stmt;
    },
  };
}
