/** The SQLite statement layer under Kysely (src/db/sqlite-statements.ts): same rows as better-sqlite3 gives. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/db/sqlite-statements.js';

/**
 * A statement cache over a fresh file with `schema`, watching one of its guards: `moved()` says
 * whether the guard's version moved since the last call; `commitElsewhere` commits through
 * another connection. `close` removes the file.
 */
function guardWatch(schema: string, guard: 'sessionGuard' | 'openSessionsGuard') {
  const dir = mkdtempSync(join(tmpdir(), 'stmt-guard-'));
  const file = join(dir, 'g.db');
  const mine = new SqliteDriver(file);
  mine.exec(schema);
  const cached = withStatementCache(mine);
  const watched = cached[guard];
  let v = watched.version();
  return {
    cached,
    run: (sql: string, ...params: unknown[]) => cached.prepare(sql).run(params),
    moved() {
      const now = watched.version();
      const m = now !== v;
      v = now;
      return m;
    },
    commitElsewhere(sql: string) {
      const other = new SqliteDriver(file);
      other.exec(sql);
      other.close();
    },
    close() {
      mine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function fixture() {
  const plain = new SqliteDriver(':memory:');
  plain.exec(`create table t (id integer primary key, name text, score real, note text, data blob);
    insert into t values (1, 'Zoë "Q", Jr.', 1.5, null, x'00ff'), (2, '=cmd', -3, 'n', null);`);
  return { plain, cached: withStatementCache(plain) };
}

describe('SQLite statements', () => {
  it.each([
    'select * from t order by id',
    'select id, name as "na me", score * 2 as doubled, note, data from t order by id',
    'select id as x, name as x from t order by id', // duplicate names: the last wins, as in better-sqlite3
    'select count(*) as n, max(score) from t',
    'select id as "__proto__", name from t', // left to better-sqlite3's own objects
    'select id as "constructor", name as "toString" from t', // names Object.prototype has: the same
    'select id as "2", name as "1", score as "-1" from t', // integer-like names keep better-sqlite3's key order
    `select 'a''b' as "it's", 1 as "quote""d", 2 as "back\\slash"`,
  ])('%s gives the rows better-sqlite3 gives', (sql) => {
    const { plain, cached } = fixture();
    const expected = plain.prepare(sql).all();
    const rows = cached.prepare(sql).all([]) as Record<string, unknown>[];
    expect(rows).toEqual(expected);
    for (const [i, row] of rows.entries()) {
      expect(Object.keys(row)).toEqual(Object.keys(expected[i] as object));
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    }
  });

  it('binds parameters, iterates, and runs writes and RETURNING', () => {
    const { cached } = fixture();
    const byId = cached.prepare('select id, name from t where id > ? order by id');
    expect(byId.all([1])).toEqual([{ id: 2, name: '=cmd' }]);
    expect([...byId.iterate([0])]).toEqual([
      { id: 1, name: 'Zoë "Q", Jr.' },
      { id: 2, name: '=cmd' },
    ]);
    expect(cached.prepare('update t set score = ? where id = ?').run([9, 2]).changes).toBe(1);
    expect(
      cached.prepare('insert into t (id, name) values (?, ?) returning id, name').all([3, 'new']),
    ).toEqual([{ id: 3, name: 'new' }]);
    expect(byId.all([2])).toEqual([{ id: 3, name: 'new' }]);
  });

  it('follows a schema change made through the same connection at once', () => {
    const { plain, cached } = fixture();
    const sql = 'select * from t where id = 1';
    expect(Object.keys(cached.prepare(sql).all([])[0] as object)).toEqual([
      'id',
      'name',
      'score',
      'note',
      'data',
    ]);
    // As a migration runs it: through Kysely, hence through this cache.
    cached.prepare('alter table t drop column note').run([]);
    cached.prepare('alter table t add column email text').run([]);
    const rows = cached.prepare(sql).all([]);
    expect(rows).toEqual(plain.prepare(sql).all());
    expect(Object.keys(rows[0] as object)).toEqual(['id', 'name', 'score', 'data', 'email']);
  });

  it('follows a schema change made by another connection within the check interval, without reading the version per query', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stmt-cache-'));
    try {
      const file = join(dir, 'a.db');
      const mine = new SqliteDriver(file);
      mine.exec(`create table t (id integer primary key, name text, note text);
        insert into t values (1, 'a', 'n');`);
      let clock = 1_000;
      const cached = withStatementCache(mine, { checkIntervalMs: 500, now: () => clock });
      const sql = 'select * from t';
      const stmt = cached.prepare(sql);
      expect(Object.keys(stmt.all([])[0] as object)).toEqual(['id', 'name', 'note']);

      const other = new SqliteDriver(file); // another process, as far as this cache can tell
      other.exec('alter table t drop column note; alter table t add column email text');
      other.close();

      clock += 499; // inside the interval: the cached statement is still served (the documented bound)
      expect(cached.prepare(sql)).toBe(stmt);
      clock += 1; // the interval has passed: the version is read, the cache emptied
      const fresh = cached.prepare(sql);
      expect(fresh).not.toBe(stmt);
      expect(fresh.all([])).toEqual([{ id: 1, name: 'a', email: null }]);
      mine.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps its statements while the schema stays the same', () => {
    const { cached } = fixture();
    let clock = 0;
    const timed = withStatementCache(new SqliteDriver(':memory:'), { now: () => clock });
    const a = timed.prepare('select 1 as one');
    clock += 10_000;
    expect(timed.prepare('select 1 as one')).toBe(a); // version read again, unchanged: same statement
    const b = cached.prepare('select id from t');
    cached.prepare('update t set score = 0').run([]); // a plain write marks nothing
    expect(cached.prepare('select id from t')).toBe(b);
  });

  it("moves the session guard on writes that can change a login session, and on others' commits only", () => {
    const { cached, run, moved, commitElsewhere, close } = guardWatch(
      `create table users (user_id text primary key, role text);
        create table user_sessions (session_id text primary key, last_seen_at int, refresh_gen int, is_active int);
        create table other (id int);
        insert into users values ('u', 'student'); insert into user_sessions values ('s', 0, 0, 1);`,
      'sessionGuard',
    );
    try {
      // Nothing a cached session depends on: reads, inserts, other tables, the per-request touches.
      cached.prepare('select * from users').all([]);
      run('insert into other values (?)', 1);
      run('update "other" set "id" = ?', 2);
      run('update "user_sessions" set "last_seen_at" = ? where "session_id" = ?', 5, 's');
      run(
        'update "user_sessions" set "refresh_gen" = ?, "last_seen_at" = ? where "session_id" = ? and "refresh_gen" = ?',
        1,
        6,
        's',
        0,
      );
      expect(moved()).toBe(false);
      // Revocation, role change (quoted as Kysely writes it, and raw), deletion.
      run('update "user_sessions" set "is_active" = ? where "session_id" = ?', 0, 's');
      expect(moved()).toBe(true);
      run('update "users" set "role" = ? where "user_id" = ?', 'admin', 'u');
      expect(moved()).toBe(true);
      run("update users set role = 'student'");
      expect(moved()).toBe(true);
      run('delete from user_sessions where session_id = ?', 'none');
      expect(moved()).toBe(true);
      // Any commit by another connection, whatever it wrote.
      commitElsewhere('insert into other values (3)');
      expect(moved()).toBe(true);
      expect(moved()).toBe(false);
    } finally {
      close();
    }
  });

  it("moves the open-sessions guard on writes of sessions, groups and memberships, and on others' commits", () => {
    const { cached, run, moved, commitElsewhere, close } = guardWatch(
      `create table attendance_sessions (session_id text primary key, session_name text, present_count int);
        create table attendance_records (record_id text primary key, session_id text);
        create table groups (group_id text primary key);
        create table group_members (group_id text, user_id text);
        create table users (user_id text primary key, name text);`,
      'openSessionsGuard',
    );
    try {
      // A check-in's writes (records), reads, other tables: the cached list stays.
      cached.prepare('select * from attendance_sessions').all([]);
      run('insert into "attendance_records" ("record_id", "session_id") values (?, ?)', 'r', 's');
      run('update "attendance_records" set "session_id" = ? where "record_id" = ?', 's2', 'r');
      run('update "users" set "name" = ?', 'n');
      expect(moved()).toBe(false);
      // Sessions created, changed, deleted; groups and memberships; quoted as Kysely writes, and raw.
      for (const [sql, ...params] of [
        ['insert into "attendance_sessions" ("session_id") values (?)', 's'],
        ['update "attendance_sessions" set "session_name" = ?', 'x'],
        ['update attendance_sessions set present_count = 1'],
        ['delete from "attendance_sessions" where "session_id" = ?', 'none'],
        ['insert into "groups" ("group_id") values (?)', 'g'],
        ['insert into "group_members" ("group_id", "user_id") values (?, ?)', 'g', 'u'],
        ['delete from group_members where user_id = ?', 'u'],
        ['delete from "groups" where "group_id" = ?', 'g'],
      ] as [string, ...unknown[]][]) {
        run(sql, ...params);
        expect(moved(), sql).toBe(true);
      }
      // A rollback may undo any of them.
      run('begin');
      expect(moved()).toBe(false);
      run('rollback');
      expect(moved()).toBe(true);
      // Any commit by another connection, whatever it wrote.
      commitElsewhere("insert into attendance_records values ('r2', 's')");
      expect(moved()).toBe(true);
      expect(moved()).toBe(false);
    } finally {
      close();
    }
  });

  it('can stop iterating half way and run the statement again', () => {
    const { cached } = fixture();
    const byId = cached.prepare('select id from t order by id');
    for (const row of byId.iterate([])) {
      expect(row).toEqual({ id: 1 });
      break;
    }
    expect(byId.all([])).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('prepares a query text once', () => {
    const { cached } = fixture();
    expect(cached.prepare('select 1 as one')).toBe(cached.prepare('select 1 as one'));
  });
});
