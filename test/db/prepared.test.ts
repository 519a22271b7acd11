/** Prepared queries (src/db/prepared.ts) on the engine under test: same rows as Kysely, fresh arguments each call. */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { prepared, preparedInsert } from '../../src/db/prepared.js';
import type { Database } from '../../src/db/schema.js';
import type { Db } from '../../src/db/types.js';
import { freshDatabaseUrl } from '../helpers/databases.js';
import { orgRow } from '../helpers/rows.js';

let db: Kysely<Database>;
let close: () => Promise<void>;
let drop: () => Promise<void>;

const org = (id: string, name: string, late: number) =>
  orgRow({ org_id: id, name, late_after_minutes: late });

const byLateness = prepared((db: Db, minLate: number, limit: number) =>
  db
    .selectFrom('organizations')
    .select(['name', 'late_after_minutes'])
    .where('late_after_minutes', '>=', minLate)
    .where('is_active', '=', 1) // a constant: stays as compiled
    .orderBy('late_after_minutes')
    .limit(limit),
);

beforeAll(async () => {
  const fresh = await freshDatabaseUrl();
  drop = fresh.drop;
  const handle = await openDatabase(fresh.url);
  await migrateToLatest(handle);
  db = handle.db;
  close = handle.close;
  await db
    .insertInto('organizations')
    .values([
      org('00000000-0000-7000-8000-000000000001', 'Five', 5),
      org('00000000-0000-7000-8000-000000000002', 'Ten', 10),
      org('00000000-0000-7000-8000-000000000003', 'Twenty', 20),
    ])
    .execute();
});

afterAll(async () => {
  await close?.();
  await drop?.();
});

describe('prepared queries', () => {
  it('answers each call with its own arguments', async () => {
    expect((await byLateness.all(db, 10, 5)).map((r) => r.name)).toEqual(['Ten', 'Twenty']);
    expect((await byLateness.all(db, 0, 2)).map((r) => r.name)).toEqual(['Five', 'Ten']);
    expect(await byLateness.first(db, 15, 5)).toEqual({ name: 'Twenty', late_after_minutes: 20 });
    expect(await byLateness.first(db, 99, 5)).toBeUndefined();
  });

  it('gives the rows the same query built by Kysely gives', async () => {
    const direct = await db
      .selectFrom('organizations')
      .select(['name', 'late_after_minutes'])
      .where('late_after_minutes', '>=', 6)
      .where('is_active', '=', 1)
      .orderBy('late_after_minutes')
      .limit(10)
      .execute();
    expect(await byLateness.all(db, 6, 10)).toEqual(direct);
  });

  it('runs inside a transaction and sees its uncommitted writes', async () => {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('organizations')
        .set({ late_after_minutes: 50 })
        .where('name', '=', 'Five')
        .execute();
      expect((await byLateness.all(trx, 30, 5)).map((r) => r.name)).toEqual(['Five']);
    });
    await db.updateTable('organizations').set({ late_after_minutes: 5 }).where('name', '=', 'Five').execute();
  });

  it('binds an argument used twice, and keeps interleaved calls apart', async () => {
    const between = prepared((db: Db, edge: number) =>
      db
        .selectFrom('organizations')
        .select('name')
        .where('late_after_minutes', '>=', edge)
        .where('late_after_minutes', '<=', edge)
        .orderBy('name'),
    );
    const [five, ten, twenty, none] = await Promise.all([
      between.all(db, 5),
      between.all(db, 10),
      between.all(db, 20),
      between.all(db, 7),
    ]);
    expect([five, ten, twenty, none]).toEqual([
      [{ name: 'Five' }],
      [{ name: 'Ten' }],
      [{ name: 'Twenty' }],
      [],
    ]);
  });

  it('inserts rows of fixed columns, each with its own values, and counts what a write changed', async () => {
    const insertOrg = preparedInsert<ReturnType<typeof orgRow>>(
      Object.keys(orgRow()) as (keyof ReturnType<typeof orgRow>)[],
      (db, row) => db.insertInto('organizations').values(row),
    );
    const a = org('00000000-0000-7000-8000-0000000000a1', 'Inserted A', 31);
    const b = org('00000000-0000-7000-8000-0000000000b2', 'Inserted B', 32);
    expect(await insertOrg.run(db, a)).toBe(1);
    expect(await insertOrg.run(db, b)).toBe(1);
    const stored = await db
      .selectFrom('organizations')
      .selectAll()
      .where('org_id', 'in', [a.org_id, b.org_id])
      .orderBy('name')
      .execute();
    expect(stored).toEqual([a, b]);
    const rename = prepared((db: Db, name: string, minLate: number) =>
      db.updateTable('organizations').set({ name }).where('late_after_minutes', '>=', minLate),
    );
    expect(await rename.run(db, 'Renamed', 31)).toBe(2);
    expect(await rename.run(db, 'Nobody', 99)).toBe(0);
    await db.deleteFrom('organizations').where('org_id', 'in', [a.org_id, b.org_id]).execute();
  });

  it('refuses a build with a default argument (it would be compiled in)', async () => {
    const withDefault = prepared((db: Db, minLate: number, limit = 1) =>
      db
        .selectFrom('organizations')
        .select('name')
        .where('late_after_minutes', '>=', minLate)
        .limit(limit as number),
    );
    await expect((withDefault.all as (db: Db, ...a: number[]) => Promise<unknown>)(db, 0, 3)).rejects.toThrow(
      /2 arguments passed, the build declares 1/,
    );
  });

  it('refuses a build that uses an argument other than as a value', async () => {
    const misuse = prepared((db: Db, minutes: number) =>
      db
        .selectFrom('organizations')
        .select('name')
        .where('late_after_minutes', '>=', minutes + 1),
    );
    await expect(misuse.all(db, 1)).rejects.toThrow(/argument 0 is not used as a value/);
  });
});

/**
 * prepared.ts relies on `Kysely.getExecutor()`, which Kysely's types mark @internal (there is no
 * public way to tell which dialect adapter a handle or transaction uses, or whether it has plugins).
 * These tests pin what it relies on, so a Kysely upgrade that changes it fails here, loudly,
 * instead of serving another dialect's SQL or dropping a plugin's rewrite.
 */
describe('the Kysely internals prepared.ts relies on', () => {
  const VERIFIED = '0.28.19';

  it(`is the Kysely version they were checked against (${VERIFIED})`, async () => {
    const { readFileSync } = await import('node:fs');
    const installed = JSON.parse(readFileSync('node_modules/kysely/package.json', 'utf8')).version;
    const pinned = JSON.parse(readFileSync('package.json', 'utf8')).dependencies.kysely;
    expect(
      { installed, pinned },
      'Kysely was upgraded: re-check getExecutor().adapter/.plugins (src/db/prepared.ts), then update VERIFIED',
    ).toEqual({ installed: VERIFIED, pinned: VERIFIED });
  });

  it('getExecutor() gives the adapter a handle shares with its transactions, and its plugins', async () => {
    expect(typeof (db as Db).getExecutor).toBe('function');
    const adapter = db.getExecutor().adapter;
    expect(adapter).toBeTruthy();
    expect(db.getExecutor().plugins).toEqual([]);
    const inTransaction = await db.transaction().execute(async (trx) => trx.getExecutor().adapter);
    expect(inTransaction).toBe(adapter);
    const { CamelCasePlugin } = await import('kysely');
    expect(db.withPlugin(new CamelCasePlugin()).getExecutor().plugins).toHaveLength(1);
  });

  it('refuses a handle with plugins (a plugin could rewrite one handle’s SQL)', async () => {
    const { CamelCasePlugin } = await import('kysely');
    const query = prepared((db: Db, limit: number) =>
      db.selectFrom('organizations').select('name').limit(limit),
    );
    await expect(query.all(db.withPlugin(new CamelCasePlugin()) as Db, 1)).rejects.toThrow(/plugins/);
  });
});
