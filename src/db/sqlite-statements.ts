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
 * `this["name"] = v[0]; this["other"] = v[1]; …` compiled once per column list, called with `new`:
 * plain objects (their prototype is Object.prototype) as fast to build as an array. A constructor,
 * not an object literal: V8 can mark a literal's allocation site "tenured" when one young-generation
 * collection finds most of its recent objects alive (a 250-row chunk of an export is, until it is
 * written), and from then on allocates every row of that statement in the old generation for the
 * rest of the process — a 1M-row export then grew RSS by ~110 MB of rows that only full collections
 * reclaim. Objects made by `new` have no allocation site. Safe with any column name: JSON.stringify
 * always yields a valid string literal; a name Object.prototype already has (`__proto__`,
 * `constructor`, …) would be assigned through the prototype chain, so those statements keep
 * better-sqlite3's own objects (null). A duplicate name keeps the last value, as better-sqlite3
 * does. Null as well where code generation is disabled (`--disallow-code-generation-from-strings`).
 */
function rowConstructor(names: string[]): RowOf | null {
  if (names.some((n) => n in Object.prototype)) return null;
  const body = names.map((n, i) => `this[${JSON.stringify(n)}] = v[${i}];`).join(' ');
  try {
    const Row = new Function('v', body) as unknown as new (v: unknown[]) => Record<string, unknown>;
    Row.prototype = Object.prototype;
    return (v) => new Row(v);
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
 * Writes that can make a cached login session wrong (src/plugins/session-cache.ts): an update or
 * delete of a user or a login session — revocation, deactivation, role or org change, deletion —
 * and anything that is not plain DML. Not the two updates every authenticated request may cause
 * (`last_seen_at`, the refresh generation): they change nothing the cache keeps.
 */
const AUTH_TABLE = /\b(?:users|user_sessions)\b/; // quoted or not (raw SQL)
const HARMLESS_SESSION_UPDATE =
  /^update "user_sessions" set (?:"refresh_gen" = \?, )?"last_seen_at" = \? where "session_id" = \?/;
function invalidatesSessions(source: string): boolean {
  if (/^\s*(?:select|insert|begin|commit|rollback|savepoint|release)\b/i.test(source)) return false;
  if (/^\s*(?:update|delete|with|replace)\b/i.test(source))
    return AUTH_TABLE.test(source) && !HARMLESS_SESSION_UPDATE.test(source);
  return true; // DDL, pragmas, anything else: assume the worst
}

/**
 * Writes that can change which attendance sessions are open and who is expected at them
 * (src/modules/attendance/open-sessions-cache.ts): any insert, update or delete of a session, a
 * group (deleting one cascades to its members) or a group membership, and anything that is not
 * plain DML. Classified by the statement, not by the writer, so no writer can forget to announce
 * (series, the scheduler's close, imports, a rolled-back transaction alike). Records are not here:
 * the list reads the caller's records afresh on every request.
 */
const LIST_TABLE = /\b(?:attendance_sessions|groups|group_members)\b/; // quoted or not (raw SQL)
function invalidatesOpenSessions(source: string): boolean {
  if (/^\s*(?:select|begin|commit|rollback|savepoint|release)\b/i.test(source)) return false;
  if (/^\s*(?:insert|update|delete|with|replace)\b/i.test(source)) return LIST_TABLE.test(source);
  return true; // DDL, pragmas, anything else: assume the worst
}

/**
 * Tells the login-session cache whether what it holds may be stale: `version()` changes whenever a
 * user or login session may have changed — through this connection (counted as the statements run)
 * or through any other connection or process (`PRAGMA data_version`, which SQLite changes on every
 * commit by another connection). Exact: no window in which a revoked session is still honoured.
 */
export interface SessionChangeGuard {
  version(): number;
}

/**
 * The cache is emptied when the schema changes: a cached `select *` would otherwise keep its old
 * column list. A change made through this connection is seen at once (a statement that may change
 * the schema marks the cache for a check before the next query); one made by another process within
 * SCHEMA_CHECK_INTERVAL_MS, when the version is read again.
 */
export function withStatementCache(
  sqlite: SqliteDriver.Database,
  opts: { checkIntervalMs?: number; now?: () => number } = {},
): SqliteDatabase & { sessionGuard: SessionChangeGuard; openSessionsGuard: SessionChangeGuard } {
  const interval = opts.checkIntervalMs ?? SCHEMA_CHECK_INTERVAL_MS;
  const clock = opts.now ?? Date.now;
  const cache = new Map<string, SqliteStatement>();
  const versionStmt = sqlite.prepare('PRAGMA schema_version').pluck();
  let version = versionStmt.get();
  let checkedAt = clock();
  /** Set by a statement of this connection that may have changed the schema. */
  let mustCheck = false;
  /** Bumped by this connection's writes that may change a login session. */
  let sessionEpoch = 0;
  /** Bumped by this connection's writes that may change the open sessions or group memberships. */
  let openSessionsEpoch = 0;
  /** Bumped when another connection or process has committed (either guard may be stale then). */
  let foreignEpoch = 0;
  const dataVersionStmt = sqlite.prepare('PRAGMA data_version').pluck();
  let dataVersion = dataVersionStmt.get();
  const foreign = () => {
    const dv = dataVersionStmt.get();
    if (dv !== dataVersion) {
      dataVersion = dv;
      foreignEpoch++;
    }
    return foreignEpoch;
  };
  // Sums of counters that only grow: a guard's version changes whenever either part does.
  const sessionGuard: SessionChangeGuard = { version: () => sessionEpoch + foreign() };
  const openSessionsGuard: SessionChangeGuard = { version: () => openSessionsEpoch + foreign() };

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
  // Runs a statement that may change the schema or a login session, then marks what it may have
  // changed: the next prepare looks at the schema version, the session cache drops what it holds
  // (before and after the statement: which side a concurrent reader falls on does not matter).
  const marking = (
    stmt: SqliteStatement,
    schema: boolean,
    sessions: boolean,
    openSessions: boolean,
  ): SqliteStatement => {
    const mark = () => {
      if (schema) mustCheck = true;
      if (sessions) sessionEpoch++;
      if (openSessions) openSessionsEpoch++;
    };
    return {
      reader: stmt.reader,
      all: (parameters) => {
        mark();
        try {
          return stmt.all(parameters);
        } finally {
          mark();
        }
      },
      run: (parameters) => {
        mark();
        try {
          return stmt.run(parameters);
        } finally {
          mark();
        }
      },
      *iterate(parameters) {
        mark();
        try {
          yield* stmt.iterate(parameters);
        } finally {
          mark();
        }
      },
    };
  };
  // A rollback may undo a session (or open-session) write this connection made. Kysely lets no other query use the
  // connection inside a transaction, so nothing can have been read in between; marked regardless.
  const isRollback = (source: string) => /^\s*rollback\b/i.test(source);

  return {
    sessionGuard,
    openSessionsGuard,
    close: () => sqlite.close(),
    prepare(source) {
      if (mustCheck || clock() - checkedAt >= interval) checkVersion();
      let stmt = cache.get(source);
      if (!stmt) {
        const raw = wrap(sqlite.prepare(source));
        const schema = MAY_CHANGE_SCHEMA.test(source) || !PLAIN_STATEMENT.test(source);
        const rollback = isRollback(source);
        const sessions = invalidatesSessions(source) || rollback;
        const openSessions = invalidatesOpenSessions(source) || rollback;
        stmt = schema || sessions || openSessions ? marking(raw, schema, sessions, openSessions) : raw;
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(source, stmt);
      }
      return stmt;
    },
  };
}
