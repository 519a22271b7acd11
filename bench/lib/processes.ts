/** Starting the service and the floor as child processes, and watching their memory. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** How `npm start` runs the service (a 4 MB young generation keeps idle RSS near 108 MB instead of 131 MB). */
export const SERVICE_ARGS = [
  '--max-semi-space-size=4',
  // `npm run bench -- --cpu-prof`: each service process writes a V8 profile when it stops.
  ...(process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : []),
  'dist/server.js',
];

/** USER_HZ: 100 on every Linux the bench runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

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
  /** Where the process's stdout (its log) goes. */
  logFile: string;
  child: ChildProcess;
  /** CPU time (user + system) the process has used so far, in seconds. */
  cpuSeconds(): number;
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
  // The service runs at its production log level (LOG_LEVEL unset: info) and writes its log to a
  // file, as it would to journald or a container's log: the bench pays what production pays.
  const logDir = join(import.meta.dirname, '..', 'results', 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${port}.log`);
  const logFd = openSync(logFile, 'w');
  const { LOG_LEVEL: _inherited, ...parentEnv } = process.env;
  const child = spawn(process.execPath, args, {
    env: { ...parentEnv, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', logFd, 'pipe'],
  });
  closeSync(logFd);
  child.stderr?.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(url + readyPath).then(
      (r) => r.status < 500,
      () => false,
    ))
  ) {
    if (child.exitCode !== null)
      throw new Error(
        `process exited (${child.exitCode}):\n${out}\n${readFileSync(logFile, 'utf8').slice(-4000)}`,
      );
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
  // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime and stime in ticks.
  const cpuSeconds = () => {
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
    } catch {
      return Number.NaN;
    }
  };
  return {
    url,
    logFile,
    cpuSeconds,
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
