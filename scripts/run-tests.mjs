#!/usr/bin/env node
/**
 * `npm test`: the whole suite once per database engine.
 * SQLite always; PostgreSQL when TEST_POSTGRES_URL is set; MySQL/MariaDB when TEST_MYSQL_URL is set.
 * Each engine run gets TEST_DATABASE_URL; test/helpers/databases.ts makes a fresh database per file.
 * Extra arguments go to vitest (e.g. `npm test -- test/modules/auth`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const engines = [
  { name: 'sqlite', url: 'sqlite::memory:' },
  { name: 'postgres', url: process.env.TEST_POSTGRES_URL, variable: 'TEST_POSTGRES_URL' },
  { name: 'mysql', url: process.env.TEST_MYSQL_URL, variable: 'TEST_MYSQL_URL' },
];

const dir = mkdtempSync(join(tmpdir(), 'attendance-tests-'));
const summary = [];
let failedRuns = 0;
for (const engine of engines) {
  if (!engine.url) {
    summary.push({ engine: engine.name, skipped: `${engine.variable} is not set` });
    continue;
  }
  console.log(`\n=== ${engine.name}: ${engine.url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@')} ===`);
  const out = join(dir, `${engine.name}.json`);
  const res = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: engine.url } },
  );
  let counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  try {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    counts.failures = failuresIn(r);
    counts = {
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: r.numPendingTests + r.numTodoTests,
      failures: counts.failures,
    };
    if (r.numFailedTestSuites > 0 && counts.failed === 0) counts.failed = r.numFailedTestSuites;
  } catch {
    counts.failed = Math.max(1, counts.failed);
  }
  if (res.status !== 0) {
    failedRuns++;
    if (counts.failed === 0) counts.failed = 1;
  }
  summary.push({ engine: engine.name, ...counts });
}
rmSync(dir, { recursive: true, force: true });

console.log('\nTest summary per database engine');
let passed = 0;
let failed = 0;
for (const s of summary) {
  if (s.skipped && typeof s.skipped === 'string') {
    console.log(`  ${s.engine.padEnd(9)} skipped: ${s.skipped}`);
    continue;
  }
  passed += s.passed;
  failed += s.failed;
  console.log(
    `  ${s.engine.padEnd(9)} ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`,
  );
  // Repeated here because CI logs keep only the tail: the failing test's name must be in it.
  for (const f of s.failures ?? []) console.log(`    ✗ ${f}`);
}
console.log(`${passed} passed, ${failed} failed`);
/** One line per failed test (or failed file): where it is, its name, the first line of its message. */
function failuresIn(report) {
  const lines = [];
  for (const file of report.testResults ?? []) {
    const where = file.name.replace(`${process.cwd()}/`, '');
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) {
      const first = (a.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 160);
      lines.push(`${where} > ${a.fullName}: ${first}`);
    }
    if (failed.length === 0 && file.status === 'failed') {
      lines.push(`${where}: ${(file.message ?? '').split('\n')[0].slice(0, 160)}`);
    }
  }
  return lines;
}

process.exit(failedRuns > 0 || failed > 0 ? 1 : 0);
