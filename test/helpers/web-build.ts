/**
 * The built web app (dist/web) for the tests that serve real pages: the browser tests and the
 * page-header test. Built here when missing or older than a source file or web/vite.config.ts (a
 * clean clone has none).
 *
 * Test files run in parallel processes (vitest forks), and engine runs may run side by side, so
 * several may find the build stale at once. Vite empties dist/web before writing it, so two builds
 * at once, or a build under a server reading it, break each other. One builds at a time: a lock
 * directory (mkdir is atomic) beside dist/web; the others wait for it, then see a fresh build and
 * use it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const LOCK = join(ROOT, 'dist/.web-build.lock');
/** A lock older than this is left from a killed run (a build takes well under a minute here). */
const STALE_LOCK_MS = 5 * 60_000;
const WAIT_LIMIT_MS = 10 * 60_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Whether `root`/dist/web is newer than every input of the build (exported for its test). */
export function isWebBuildFresh(root = ROOT): boolean {
  const index = join(root, 'dist/web/index.html');
  if (!existsSync(index)) return false;
  // The build's inputs: the sources, the page and the build configuration (asset inlining, chunking
  // and output names there change the output as much as a source does).
  const sources = Math.max(
    newestMtime(join(root, 'web/src')),
    ...['web/index.html', 'web/vite.config.ts'].map((f) => statSync(join(root, f)).mtimeMs),
  );
  return statSync(index).mtimeMs > sources;
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the lock, waiting while another process holds it. A waiter does not look at dist/web
 * meanwhile: index.html may be written before the bundles it names.
 */
function lock(): void {
  const start = Date.now();
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let age = 0;
    try {
      age = Date.now() - statSync(LOCK).mtimeMs;
    } catch {
      continue; // released between the two calls
    }
    if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() - start > WAIT_LIMIT_MS) throw new Error(`${LOCK} held for too long`);
    else pause(250);
  }
}

/** Builds web/ into dist/web when the build is missing or older than a source file or its config. */
export function ensureWebBuilt(): void {
  if (isWebBuildFresh()) return;
  lock();
  try {
    if (isWebBuildFresh()) return; // built by the holder we waited for
    const r = spawnSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('vite build failed');
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
