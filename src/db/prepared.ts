/**
 * Queries built and compiled once, then executed with fresh arguments.
 *
 * Kysely builds an immutable query tree and compiles it to SQL on every call, 20–25 µs per query:
 * in a CPU profile of check-ins under load, building and compiling their three queries was ~30% of
 * the service's time. A prepared query is built once per dialect with a placeholder object in place
 * of each argument; each call copies the compiled parameter list with the placeholders replaced by
 * its arguments (check-in 4,069 → 5,510 req/s, BENCHMARKS.md).
 *
 * The build function must give the same SQL whatever the arguments: use each argument only as a
 * value (`where(col, op, arg)`, `limit(arg)`), never in `$if`, a condition, arithmetic or string
 * building, and give no argument a default. A query whose shape varies (e.g. scoped to one org or
 * to all) is one prepared query per shape. The first call checks what it can: every argument must
 * have become a parameter, and as many arguments must be passed as the build function declares.
 * A placeholder tested for truthiness is not caught — hence the rule.
 *
 * Kysely offers no public way to know a handle's dialect adapter (shared with its transactions,
 * our cache key) or its plugins: `getExecutor()` is marked @internal. test/db/prepared.test.ts
 * pins the Kysely version and what we read from it, so an upgrade that changes it fails there.
 */
import { type Compilable, type CompiledQuery, createQueryId } from 'kysely';
import type { Db } from './types.js';

class Placeholder {
  constructor(readonly index: number) {}
}

interface Compiled<R> {
  query: CompiledQuery<R>;
  /** For each compiled parameter: the index of the argument it takes, or -1 for a constant. */
  slots: number[];
}

export interface PreparedQuery<A extends unknown[], R> {
  all(db: Db, ...args: A): Promise<R[]>;
  first(db: Db, ...args: A): Promise<R | undefined>;
  /** For a write: how many rows it inserted, updated or deleted. */
  run(db: Db, ...args: A): Promise<number>;
}

export function prepared<A extends unknown[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  return compiledOnce<A, R>(build.length - 1, (db, args) => build(db, ...(args as A)));
}

/**
 * An INSERT of one row with a fixed set of columns (`build` gets a row of placeholders and must put
 * it in `values`). `columns` lists them all: a row is passed as its values in that order.
 */
export function preparedInsert<Row extends object>(
  columns: readonly (keyof Row & string)[],
  build: (db: Db, row: Row) => Compilable<unknown>,
): { run(db: Db, row: Row): Promise<number> } {
  const query = compiledOnce<unknown[], unknown>(columns.length, (db, args) =>
    build(db, Object.fromEntries(columns.map((c, i) => [c, args[i]])) as Row),
  );
  return { run: (db, row) => query.run(db, ...columns.map((c) => row[c])) };
}

function compiledOnce<A extends unknown[], R>(
  arity: number,
  build: (db: Db, args: unknown[]) => Compilable<R>,
): PreparedQuery<A, R> {
  // Keyed by the dialect adapter, which a database handle shares with its transactions.
  const byAdapter = new WeakMap<object, Compiled<R>>();

  const compile = (db: Db): Compiled<R> => {
    const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i));
    const query = build(db, placeholders).compile();
    const slots = query.parameters.map((p) => (p instanceof Placeholder ? p.index : -1));
    for (const ph of placeholders) {
      if (!query.parameters.includes(ph))
        throw new Error(`prepared query: argument ${ph.index} is not used as a value:\n${query.sql}`);
    }
    return { query, slots };
  };

  const execute = (db: Db, args: unknown[]) => {
    const executor = db.getExecutor(); // @internal in Kysely's types: see the header
    let c = byAdapter.get(executor.adapter);
    if (!c) {
      if (args.length !== arity)
        throw new Error(
          `prepared query: ${args.length} arguments passed, the build declares ${arity} (no defaults)`,
        );
      // Plugins may rewrite a query per handle; a handle with plugins would get another's SQL.
      if (executor.plugins.length > 0)
        throw new Error('prepared query: handles with Kysely plugins are not supported');
      c = compile(db);
      byAdapter.set(executor.adapter, c);
    }
    const { query, slots } = c;
    const parameters = slots.map((slot, i) => (slot < 0 ? query.parameters[i] : args[slot]));
    return db.executeQuery<R>({ ...query, parameters, queryId: createQueryId() });
  };

  return {
    all: async (db, ...args) => (await execute(db, args)).rows,
    first: async (db, ...args) => (await execute(db, args)).rows[0],
    run: async (db, ...args) => Number((await execute(db, args)).numAffectedRows ?? 0),
  };
}
