/**
 * One Kysely instance for the engine that DATABASE_URL names.
 * sqlite:///relative/path, sqlite:////absolute/path, sqlite::memory:,
 * postgres[ql]://…, mysql://… / mariadb://…
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { type SessionChangeGuard, withStatementCache } from './sqlite-statements.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** A description of where the data lives, without credentials. */
  describe: string;
  /** Connections of the pool now (for /metrics); SQLite has one connection and no pool. */
  poolStats(): PoolStats;
  /** SQLite: tells the login-session cache when users or sessions may have changed (src/plugins/session-cache.ts). */
  sessionGuard?: SessionChangeGuard;
  /** SQLite: tells the open-sessions cache when sessions or group memberships may have changed. */
  openSessionsGuard?: SessionChangeGuard;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  max: number;
}

export interface OpenOptions {
  poolSize?: number;
  /** PRAGMA synchronous (config SQLITE_SYNCHRONOUS). */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** PostgreSQL startup options after ours (config PGOPTIONS). */
  pgOptions?: string;
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  throw new Error('DATABASE_URL must start with sqlite:, postgres://, postgresql://, mysql:// or mariadb://');
}

/** `sqlite:///instance/a.db` → `instance/a.db` (relative, as SQLAlchemy reads it); `sqlite::memory:` → `:memory:`. */
export function sqlitePath(url: string): string {
  if (url === 'sqlite::memory:' || url === 'sqlite:///:memory:') return ':memory:';
  const m = /^sqlite:\/\/\/(.+)$/.exec(url) ?? /^sqlite:(?!\/\/)(.+)$/.exec(url);
  if (!m?.[1]) throw new Error(`Cannot read a SQLite path from DATABASE_URL "${url}"`);
  return m[1];
}

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<DatabaseHandle> {
  const dialect = dialectOf(url);
  const poolSize = opts.poolSize ?? 10;
  if (dialect === 'sqlite') {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const sqlite = new SqliteDriver(path);
    // WAL lets readers run beside the writer; FULL makes every acknowledged commit survive power loss.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${opts.sqliteSynchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Planner statistics: without them SQLite drives a user's report from the sessions table and
    // scans every record (71 ms at 1M records); with them it starts from the user's index (1 ms).
    // SQLite's advice for long-lived connections: optimize on open, then now and then.
    sqlite.pragma('analysis_limit = 1000'); // bounded sampling: seconds saved at start on big files
    sqlite.pragma('optimize = 0x10002');
    const optimizer = setInterval(() => sqlite.open && sqlite.pragma('optimize'), 3_600_000);
    optimizer.unref();
    const statements = withStatementCache(sqlite);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
    return {
      db,
      dialect,
      sessionGuard: statements.sessionGuard,
      openSessionsGuard: statements.openSessionsGuard,
      describe: `sqlite:${path}`,
      poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
      close: () => {
        clearInterval(optimizer);
        return db.destroy();
      },
    };
  }
  if (dialect === 'postgres') {
    const pg = await import('pg');
    // int8 (COUNT, bigint epoch ms) as numbers: every value we store fits in 2^53.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    pg.default.types.setTypeParser(1700, (v: string) => Number(v));
    const pool = new pg.default.Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: 5000,
      // JIT pays off for long analytic scans, not for our short indexed queries: on a 1M-record
      // database it spent ~100 ms compiling plans whose execution took 2 ms (decision 005).
      // PGOPTIONS comes after ours, so an operator's settings win; `?options=` in DATABASE_URL
      // replaces both (empty: send none, for poolers that refuse startup options).
      options: pgStartupOptions(opts.pgOptions),
    });
    // A lost connection emits 'error' on the pool (idle client) or on the client itself (checked
    // out). Unlistened, either would crash the process; the query in flight still fails (→ 503) and
    // the pool replaces the client.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    // pg-cursor lets exports stream rows (Kysely's .stream()) instead of loading a whole result.
    const Cursor = (await import('pg-cursor')).default;
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
    const poolStats = () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: poolSize,
    });
    return { db, dialect, describe: redact(url), poolStats, close: () => db.destroy() };
  }
  const mysql = await import('mysql2');
  const pool = mysql.createPool({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: poolSize,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    timezone: 'Z',
    connectTimeout: 5000,
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  // mysql2 exposes no pool counters; these arrays are its pool's state (absent ones read as 0).
  const inner = pool as unknown as Record<string, { length: number } | undefined>;
  const poolStats = () => ({
    total: inner._allConnections?.length ?? 0,
    idle: inner._freeConnections?.length ?? 0,
    waiting: inner._connectionQueue?.length ?? 0,
    max: poolSize,
  });
  return { db, dialect, describe: redact(url), poolStats, close: () => db.destroy() };
}

/** The startup options of every PostgreSQL connection: JIT off, then the operator's PGOPTIONS. */
export function pgStartupOptions(pgOptions: string | undefined): string {
  return ['-c jit=off', pgOptions?.trim()].filter(Boolean).join(' ');
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@');
}
