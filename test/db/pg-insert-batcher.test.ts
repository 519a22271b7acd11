/**
 * The PostgreSQL group insert (src/db/pg-insert-batcher.ts): concurrent inserts become few
 * statements, every promise resolves only after its row is committed, duplicates are decided per
 * row by the unique constraint, one bad row fails alone, and `inTransaction` commits with the rows.
 * Needs TEST_DATABASE_URL=postgres://… (skipped otherwise).
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { createPgInsertBatcher } from '../../src/db/pg-insert-batcher.js';
import { freshDatabaseUrl } from '../helpers/databases.js';

const runnable = /^postgres/.test(process.env.TEST_DATABASE_URL ?? '');

describe.skipIf(!runnable)('PostgreSQL insert batcher', () => {
  // biome-ignore lint/suspicious/noExplicitAny: tables of this test only
  let db: Kysely<any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  let observer: Kysely<any>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    const a = await openDatabase(fresh.url);
    const b = await openDatabase(fresh.url, { poolSize: 2 });
    db = a.db;
    observer = b.db;
    close = async () => {
      await a.close();
      await b.close();
      await fresh.drop();
    };
    await sql`create table parent (id text primary key)`.execute(db);
    await sql`create table rec (
      id text primary key, session_id text not null references parent (id), user_id text not null,
      note text, unique (session_id, user_id))`.execute(db);
    await sql`create table outbox (rec_id text primary key)`.execute(db);
    await sql`insert into parent values ('s1'), ('s2')`.execute(db);
  });
  afterAll(() => close?.());

  const count = async (table: string, where = sql`true`) =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(
          observer,
        )
      ).rows[0]!.n,
    );

  it('writes 300 concurrent inserts in a few statements, each committed before it resolves', async () => {
    const b = createPgInsertBatcher(db, {
      table: 'rec',
      conflictColumns: ['session_id', 'user_id'],
      keyColumn: 'id',
    });
    const seenCommitted: boolean[] = [];
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        b.insert({ id: `a${i}`, session_id: 's1', user_id: `u${i}` }).then(async (ok) => {
          // Another connection sees the row the moment the promise resolves.
          const n = await count('rec', sql`id = ${`a${i}`}`);
          seenCommitted.push(n === 1);
          return ok;
        }),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(seenCommitted.every(Boolean)).toBe(true);
    expect(await count('rec', sql`session_id = 's1'`)).toBe(300);
    expect(b.stats().batches).toBeLessThanOrEqual(10);
    expect(b.stats().rows).toBe(300);
  });

  it('decides duplicates per row: one winner per (session, user), inside a batch and against stored rows', async () => {
    const b = createPgInsertBatcher(db, {
      table: 'rec',
      conflictColumns: ['session_id', 'user_id'],
      keyColumn: 'id',
    });
    await sql`insert into rec values ('pre', 's2', 'u-stored', null)`.execute(db);
    const rows = [
      ...Array.from({ length: 40 }, (_, i) => ({ id: `d${i}a`, session_id: 's2', user_id: `dup${i}` })),
      ...Array.from({ length: 40 }, (_, i) => ({ id: `d${i}b`, session_id: 's2', user_id: `dup${i}` })),
      { id: 'late', session_id: 's2', user_id: 'u-stored' },
    ];
    const results = await Promise.all(rows.map((r) => b.insert(r)));
    for (let i = 0; i < 40; i++) {
      // Queued first, stored first; the other told it was a duplicate.
      expect([results[i], results[i + 40]]).toEqual([true, false]);
      const stored = await sql<{ id: string }>`select id from rec where user_id = ${`dup${i}`}`.execute(
        observer,
      );
      expect(stored.rows).toEqual([{ id: `d${i}a` }]);
    }
    expect(results[80]).toBe(false);
    expect(await count('rec', sql`id = 'late'`)).toBe(0);
  });

  it('fails a bad row alone: its neighbours in the batch are committed', async () => {
    const b = createPgInsertBatcher(db, {
      table: 'rec',
      conflictColumns: ['session_id', 'user_id'],
      keyColumn: 'id',
    });
    const outcomes = await Promise.allSettled([
      b.insert({ id: 'f1', session_id: 's1', user_id: 'f1' }),
      b.insert({ id: 'f2', session_id: 'no-such-session', user_id: 'f2' }), // foreign key
      b.insert({ id: 'f3', session_id: 's1', user_id: 'f3' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await count('rec', sql`id in ('f1', 'f3')`)).toBe(2);
    expect(await count('rec', sql`id = 'f2'`)).toBe(0);
    expect(b.stats().fallbacks).toBe(1);
  });

  it('runs inTransaction with the inserted rows in the same transaction; a throw there undoes the row', async () => {
    const b = createPgInsertBatcher(db, {
      table: 'rec',
      conflictColumns: ['session_id', 'user_id'],
      keyColumn: 'id',
      inTransaction: async (trx, inserted) => {
        if (inserted.some((r) => r.note === 'poison')) throw new Error('outbox refused');
        await trx
          .insertInto('outbox')
          .values(inserted.map((r) => ({ rec_id: r.id })))
          .execute();
      },
    });
    const outcomes = await Promise.allSettled([
      b.insert({ id: 'o1', session_id: 's1', user_id: 'o1' }),
      b.insert({ id: 'o2', session_id: 's1', user_id: 'o2', note: 'poison' }),
      b.insert({ id: 'o3', session_id: 's1', user_id: 'o1' }), // duplicate of o1: no outbox row
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([
      true,
      'rejected',
      false,
    ]);
    const outbox = await sql<{ rec_id: string }>`select rec_id from outbox order by rec_id`.execute(observer);
    expect(outbox.rows).toEqual([{ rec_id: 'o1' }]);
    expect(await count('rec', sql`id in ('o2', 'o3')`)).toBe(0);
  });

  it('refuses a row without its key column', async () => {
    const b = createPgInsertBatcher(db, {
      table: 'rec',
      conflictColumns: ['session_id', 'user_id'],
      keyColumn: 'id',
    });
    await expect(b.insert({ session_id: 's1', user_id: 'nokey' })).rejects.toThrow(/no id/);
  });
});
