/**
 * Every environment variable config.ts reads is in .env.example (with its default and meaning) and
 * in README's configuration table: an operator reads one of them, not the source.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = readFileSync('src/config.ts', 'utf8');
const read = new Set(
  [...source.matchAll(/\b(?:int|str|secret)\('([A-Z][A-Z0-9_]+)'|\benv\.([A-Z][A-Z0-9_]+)/g)].map(
    (m) => (m[1] ?? m[2])!,
  ),
);
const example = readFileSync('.env.example', 'utf8');
const readme = readFileSync('README.md', 'utf8');

describe('configuration documentation', () => {
  it('finds the variables config.ts reads', () => {
    expect(read.size).toBeGreaterThan(25);
    for (const v of ['DATABASE_URL', 'METRICS_TOKEN', 'HTTP_HEADERS_TIMEOUT_MS', 'ARGON2_MEMORY_KIB']) {
      expect(read).toContain(v);
    }
  });

  it.each([...read].sort())('%s is in .env.example and README', (name) => {
    expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    expect(readme).toContain(`\`${name}\``);
  });

  it('no source file outside config.ts reads process.env', () => {
    const hits = execFileSync('grep', ['-rln', 'process\\.env', 'src', '--include=*.ts'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f && f !== 'src/config.ts' && !f.endsWith('.test.ts'));
    expect(hits).toEqual([]);
  });
});
