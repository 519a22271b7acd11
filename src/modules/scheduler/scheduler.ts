/**
 * Runs the registered jobs (src/lib/jobs.ts) in every process that has the scheduler on; a lease row
 * per job (job-leases.repository.ts) makes exactly one of them run it. The holder renews while it
 * keeps running the job; when it dies its lease expires and the next tick elsewhere takes it over
 * (within the lease time plus one interval). No cron needed.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobDefinition, JobRegistry } from '../../lib/jobs.js';
import { jobLeasesRepository } from './job-leases.repository.js';

export interface SchedulerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SchedulerOptions {
  db: Kysely<Database>;
  jobs: JobRegistry;
  leaseMs: number;
  log: SchedulerLog;
  now?: () => number;
  /** Identifies this process in the lease rows (default host:pid:random). */
  holder?: string;
}

export function createScheduler(opts: SchedulerOptions) {
  const { db, jobs, leaseMs, log } = opts;
  const now = opts.now ?? Date.now;
  const holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  async function runJob(job: JobDefinition): Promise<boolean> {
    if (!(await jobLeasesRepository.acquire(db, job.name, holder, now(), leaseMs))) return false;
    const summary = await job.run({
      now,
      renew: () => jobLeasesRepository.renew(db, job.name, holder, now(), leaseMs),
    });
    await jobLeasesRepository.markRun(db, job.name, holder, now());
    if (summary && Object.values(summary).some((n) => n > 0))
      log.info({ job: job.name, ...summary }, 'job ran');
    return true;
  }

  /** One tick of a job; a tick still running is not started twice. */
  function tick(job: JobDefinition): Promise<void> {
    const current = running.get(job.name);
    if (current || stopped) return current ?? Promise.resolve();
    const p = runJob(job)
      .then(() => undefined)
      .catch((err) => log.error({ err, job: job.name }, 'job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, p);
    return p;
  }

  return {
    holder,
    start() {
      for (const job of jobs.list()) {
        // A first run soon after start, spread so the processes of one deployment do not all race at once.
        timers.push(setTimeout(() => void tick(job), 200 + Math.floor(Math.random() * 800)).unref());
        timers.push(setInterval(() => void tick(job), job.intervalMs).unref());
      }
    },
    /** Runs a job now if this process gets its lease (tests, the CLI). True when it ran. */
    async runNow(name: string): Promise<boolean> {
      const job = jobs.list().find((j) => j.name === name);
      if (!job) throw new Error(`no job ${name}`);
      await running.get(name);
      return runJob(job);
    },
    /** Stops ticking, waits for runs in flight and hands the leases back. */
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(running.values());
      await jobLeasesRepository.releaseAll(db, holder).catch(() => {});
    },
  };
}
export type Scheduler = ReturnType<typeof createScheduler>;
