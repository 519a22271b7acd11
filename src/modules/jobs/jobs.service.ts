/**
 * Background jobs run in the process that accepted them, with their state in the database. The job's
 * input (it may hold passwords) is never stored, so a job cannot resume after a restart: a queued or
 * running job whose heartbeat stopped is reported `failed`, with the rows it had done — never left
 * half-done and silent. Users a bulk import created before the crash exist and are listed by the
 * audit log (user.created entries of the creator).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { type Actor, inScope, requireRole, scopeOf } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import type { JobRow } from './jobs.table.js';

const HEARTBEAT_MS = 2_000;
/** A running job not heard of for this long died with its process. */
export const STALE_MS = 30_000;

export type Progress = (done: number, total: number) => void;

const withoutPasswords = (result: unknown): unknown => {
  if (!result || typeof result !== 'object') return result;
  const r = result as { results?: Record<string, unknown>[] };
  if (!Array.isArray(r.results)) return result;
  return { ...r, results: r.results.map(({ password: _p, ...rest }) => rest) };
};

export function createJobsService({
  db,
  onError,
}: {
  db: Kysely<Database>;
  onError?: (err: unknown) => void;
}) {
  const running = new Set<Promise<unknown>>();

  /**
   * Marks failed the queued or running jobs not heard of for STALE_MS (all of them, or the one given).
   * Each row is updated by its primary key, never by a range of the (state, updated_at) index: on
   * InnoDB a range update locks index entries in the opposite order to the heartbeat's update by key,
   * and the two deadlock (a 500 on a job read while the job ran).
   */
  async function failStale(now: number, jobId?: string) {
    let find = db
      .selectFrom('jobs')
      .select('job_id')
      .where('state', 'in', ['queued', 'running'])
      .where('updated_at', '<', now - STALE_MS);
    if (jobId !== undefined) find = find.where('job_id', '=', jobId);
    for (const { job_id } of await find.execute()) {
      await db
        .updateTable('jobs')
        .set({
          state: 'failed',
          error: 'interrupted: the server stopped while the job ran; rows done before stay done',
          finished_at: now,
          updated_at: now,
        })
        .where('job_id', '=', job_id)
        // The heartbeat may have come since the read: a job heard of again is not failed.
        .where('state', 'in', ['queued', 'running'])
        .where('updated_at', '<', now - STALE_MS)
        .execute();
    }
  }

  return {
    /** Starts `work` in the background; answers the job id at once. */
    async start(
      actor: Actor,
      orgId: string,
      kind: string,
      total: number,
      work: (progress: Progress) => Promise<unknown>,
    ) {
      const jobId = newId();
      const t = Date.now();
      await db
        .insertInto('jobs')
        .values({
          job_id: jobId,
          org_id: orgId,
          created_by: actor.userId,
          kind,
          state: 'queued',
          progress_done: 0,
          progress_total: total,
          result: null,
          result_read_at: null,
          error: null,
          created_at: t,
          updated_at: t,
          finished_at: null,
        })
        .execute();
      let done = 0;
      let size = total;
      let last = 0;
      const touch = (state: 'running') =>
        db
          .updateTable('jobs')
          .set({ state, progress_done: done, progress_total: size, updated_at: Date.now() })
          .where('job_id', '=', jobId)
          .execute();
      const p = (async () => {
        await touch('running');
        const beat = setInterval(() => void touch('running').catch(onError), HEARTBEAT_MS);
        try {
          const result = await work((d, n) => {
            done = d;
            size = n;
            if (Date.now() - last > 500) {
              last = Date.now();
              void touch('running').catch(onError);
            }
          });
          clearInterval(beat);
          const end = Date.now();
          await db
            .updateTable('jobs')
            .set({
              state: 'done',
              progress_done: size,
              progress_total: size,
              result: JSON.stringify(result),
              updated_at: end,
              finished_at: end,
            })
            .where('job_id', '=', jobId)
            .execute();
        } catch (err) {
          clearInterval(beat);
          onError?.(err);
          const end = Date.now();
          await db
            .updateTable('jobs')
            .set({
              state: 'failed',
              error: 'the job failed; rows done before stay done',
              updated_at: end,
              finished_at: end,
            })
            .where('job_id', '=', jobId)
            .execute();
        }
      })();
      running.add(p);
      void p.finally(() => running.delete(p));
      return jobId;
    },

    /** The job; its creator's first read after done carries the generated passwords, which are then erased. */
    async get(actor: Actor, jobId: string) {
      requireRole(actor, 'super_admin', 'admin');
      await failStale(Date.now(), jobId);
      const job = await inScope(
        db.selectFrom('jobs').selectAll().where('job_id', '=', jobId),
        'org_id',
        scopeOf(actor),
      ).executeTakeFirst();
      if (!job) throw notFound('Job');
      let result = job.result === null ? null : (JSON.parse(job.result) as unknown);
      if (job.state === 'done' && result !== null) {
        const firstCreatorRead = job.created_by === actor.userId && job.result_read_at === null;
        if (firstCreatorRead) {
          // Erase first: if this write fails the passwords are not shown, rather than shown twice.
          const erased = await db
            .updateTable('jobs')
            .set({ result: JSON.stringify(withoutPasswords(result)), result_read_at: Date.now() })
            .where('job_id', '=', jobId)
            .where('result_read_at', 'is', null)
            .executeTakeFirst();
          if (Number(erased.numUpdatedRows) !== 1) result = withoutPasswords(result);
        } else result = withoutPasswords(result);
      }
      return toDto(job, result);
    },

    failStale,
    /** Waits for jobs of this process (graceful shutdown, tests). */
    drain: () => Promise.allSettled([...running]),
  };
}

function toDto(job: JobRow, result: unknown) {
  return {
    job_id: job.job_id,
    kind: job.kind,
    state: job.state,
    progress: { done: job.progress_done, total: job.progress_total },
    result: result as Record<string, unknown> | null,
    error: job.error,
    created_at: toIso(Number(job.created_at)),
    finished_at: job.finished_at === null ? null : toIso(Number(job.finished_at)),
  };
}
export type JobsService = ReturnType<typeof createJobsService>;
