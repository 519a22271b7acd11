/**
 * test/helpers/web-build.ts rebuilds dist/web for the page tests when it is older than an input of the
 * build. web/vite.config.ts is one: a build configuration changed after the last build was ignored,
 * and the tests ran against pages built the old way.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWebBuildFresh } from '../helpers/web-build.js';

let root: string;
const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'web-build-'));
  mkdirSync(join(root, 'web/src/pages'), { recursive: true });
  mkdirSync(join(root, 'dist/web'), { recursive: true });
  for (const f of ['web/src/pages/a.tsx', 'web/index.html', 'web/vite.config.ts', 'dist/web/index.html'])
    writeFileSync(join(root, f), '');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the web build is fresh when newer than every input', () => {
  it.each([
    ['a source', 'web/src/pages/a.tsx'],
    ['the page', 'web/index.html'],
    ['the build configuration', 'web/vite.config.ts'],
  ])('%s changed after the build → stale', (_, changed) => {
    for (const f of ['web/src/pages/a.tsx', 'web/index.html', 'web/vite.config.ts']) at(f, 1_000);
    at('dist/web/index.html', 2_000);
    expect(isWebBuildFresh(root)).toBe(true);
    at(changed, 3_000);
    expect(isWebBuildFresh(root)).toBe(false);
  });

  it('no build → stale', () => {
    expect(isWebBuildFresh(join(root, 'nowhere'))).toBe(false);
  });
});
