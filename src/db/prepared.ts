/**
 * Queries built and compiled once, then executed with fresh arguments.
 *
 * Kysely builds an immutable query tree and compiles it to SQL on every call, 20–25 µs per query:
 * on the hot paths (the session check of every authenticated request, check-in) that was about a
 * third of the service's CPU (BENCHMARKS.md). A prepared query is built once per dialect with a
 * placeholder object in place of each argument; each call copies the compiled parameter list with
 * the placeholders replaced by its arguments.
 *
 * The build function must give the same SQL whatever the arguments: use each argument only as a
 * value (`where(col, op, arg)`, `limit(arg)`), never in `$if`, arithmetic or string building. A
 * query whose shape varies (e.g. scoped to one org or to all) is one prepared query per shape.
 * Compiling checks that every argument became a parameter, so a misuse fails on first call.
 */
import type { Compilable, CompiledQuery } from 'kysely';
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
    const adapter = db.getExecutor().adapter;
    let c = byAdapter.get(adapter);
    if (!c) {
      c = compile(db);
      byAdapter.set(adapter, c);
    }
    const { query, slots } = c;
    const parameters = slots.map((slot, i) => (slot < 0 ? query.parameters[i] : args[slot]));
    const result = await db.executeQuery<R>({ ...query, parameters });
    return result.rows;
  };

  return {
    all,
    first: async (db, ...args) => (await all(db, ...args))[0],
  };
}
