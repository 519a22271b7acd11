/** Runs one load job in a separate process (lib/load-worker.ts) and returns its figures. */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration_s: number;
  statusCodes: Record<string, { count: number }>;
}

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  duration?: number;
  amount?: number;
  bodies?: string[];
  tokens?: string[];
  headersList?: Record<string, string>[];
  checkin?: { sessionIds: string[]; lat: number; lon: number; codeSecrets?: Record<string, string> };
}

let jobSeq = 0;
export function runLoad(job: LoadJob): Promise<LoadResult> {
  // Large jobs (thousands of tokens) go through a file: argv has a size limit.
  const file = join(tmpdir(), `bench-job-${process.pid}-${jobSeq++}.json`);
  writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `process.argv[2]=require('fs').readFileSync(${JSON.stringify(file)},'utf8'); import(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).pathname)})`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      rmSync(file, { force: true });
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`load worker failed (${code}): ${out.slice(0, 500)}`));
      }
    });
  });
}
