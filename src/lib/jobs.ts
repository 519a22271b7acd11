/**
 * The job registry: modules register background jobs here (ModuleDeps.jobs) and the scheduler
 * (src/modules/scheduler) runs each one in exactly one process at a time, elected by a lease row.
 * A job runs in batches and calls `ctx.renew()` between them: `false` means the lease was lost
 * (this process stalled past its expiry and another took over) and the job must stop at once.
 */
export interface JobContext {
  now(): number;
  /** Extends the lease; false when it was lost. */
  renew(): Promise<boolean>;
}

export interface JobDefinition {
  /** Unique, ≤ 64 characters: the lease row's key. */
  name: string;
  /** Time between runs. */
  intervalMs: number;
  /** Returns a small summary for the log (counts), or nothing. */
  run(ctx: JobContext): Promise<Record<string, number> | undefined>;
}

export interface JobRegistry {
  register(job: JobDefinition): void;
  list(): readonly JobDefinition[];
}

export function createJobRegistry(): JobRegistry {
  const jobs: JobDefinition[] = [];
  return {
    register(job) {
      if (jobs.some((j) => j.name === job.name)) throw new Error(`job ${job.name} is registered twice`);
      if (job.name.length > 64) throw new Error(`job name ${job.name} is longer than 64 characters`);
      jobs.push(job);
    },
    list: () => jobs,
  };
}
