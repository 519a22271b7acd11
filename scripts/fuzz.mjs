#!/usr/bin/env node
// `npm run fuzz -- --runs 10000 [--seed N]`: the OpenAPI fuzzer with a long budget (CI runs 60 per route).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const env = { ...process.env, FUZZ_RUNS: opt('runs', '1000') };
const seed = opt('seed', undefined);
if (seed) env.FUZZ_SEED = seed;
const res = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', 'test/fuzz', '--testTimeout=0'],
  { stdio: 'inherit', env },
);
process.exit(res.status ?? 1);
