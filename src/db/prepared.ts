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
}

export function prepared<A extends unknown[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  // Keyed by the dialect adapter, which a database handle shares with its transactions.
  const byAdapter = new WeakMap<object, Compiled<R>>();
  const arity = build.length - 1;

  const compile = (db: Db): Compiled<R> => {
    const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i));
    const query = build(db, ...(placeholders as unknown as A)).compile();
    const slots = query.parameters.map((p) => (p instanceof Placeholder ? p.index : -1));
    for (const ph of placeholders) {
      if (!query.parameters.includes(ph))
        throw new Error(`prepared query: argument ${ph.index} is not used as a value:\n${query.sql}`);
    }
    return { query, slots };
  };

  const all = async (db: Db, ...args: A): Promise<R[]> => {
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
    const result = await db.executeQuery<R>({ ...query, parameters, queryId: createQueryId() });
    return result.rows;
  };

  return {
    all,
    first: async (db, ...args) => (await all(db, ...args))[0],
  };
}
