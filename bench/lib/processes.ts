/** Starting the service and the floor as child processes, and watching their memory. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** How `npm start` runs the service (a 4 MB young generation keeps idle RSS near 108 MB instead of 131 MB). */
export const SERVICE_ARGS = [
  '--max-semi-space-size=4',
  // `npm run bench -- --cpu-prof`: each service process writes a V8 profile when it stops.
  ...(process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : []),
  'dist/server.js',
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface Proc {
  url: string;
  child: ChildProcess;
  /** Resident set size in MB now. */
  rssMb(): number;
  /** Starts sampling RSS every 50 ms; returns a function that stops and gives the peak. */
  watchPeak(): () => number;
  stop(): Promise<void>;
}

export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyPath = '/health',
): Promise<Proc> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(url + readyPath).then(
      (r) => r.status < 500,
      () => false,
    ))
  ) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`process did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const rssMb = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  return {
    url,
    child,
    rssMb,
    watchPeak() {
      let peak = rssMb();
      const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
      return () => {
        clearInterval(timer);
        return Math.max(peak, rssMb());
      };
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
