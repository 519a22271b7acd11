/**
 * Lease rows (migration 0007a). Taking a lease is one conditional UPDATE — "mine already, or
 * expired" — so of two processes racing for an expired lease exactly one matches: the engines
 * re-check the WHERE against the row the first one committed (PostgreSQL READ COMMITTED re-check,
 * InnoDB's locking read, SQLite's single writer).
 */
import { sql } from 'kysely';
import { isUniqueViolation } from '../../db/errors.js';
import type { Db } from '../../db/types.js';

export const jobLeasesRepository = {
  /** Takes or renews the lease of `job` for `holder` until now + ttlMs; false when another holds it. */
  async acquire(db: Db, job: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const take = () =>
      db
        .updateTable('job_leases')
        .set({ holder, expires_at: now + ttlMs, fence: sql`fence + 1` })
        .where('job_name', '=', job)
        .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', now)]))
        .executeTakeFirst();
    if (Number((await take()).numUpdatedRows) === 1) return true;
    const exists = await db
      .selectFrom('job_leases')
      .select('job_name')
      .where('job_name', '=', job)
      .executeTakeFirst();
    if (exists) return false;
    try {
      await db
        .insertInto('job_leases')
        .values({ job_name: job, holder, expires_at: now + ttlMs, fence: 1, last_run_at: null })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false; // another process created it first: theirs
      throw err;
    }
  },

  /** Extends a lease this holder still has; false when it was lost (expired and taken over). */
  async renew(db: Db, job: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const res = await db
      .updateTable('job_leases')
      .set({ expires_at: now + ttlMs, fence: sql`fence + 1` })
      .where('job_name', '=', job)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  async markRun(db: Db, job: string, holder: string, now: number): Promise<void> {
    await db
      .updateTable('job_leases')
      .set({ last_run_at: now })
      .where('job_name', '=', job)
      .where('holder', '=', holder)
      .execute();
  },

  /** Gives up this holder's leases (graceful shutdown), so another process takes them at once. */
  async releaseAll(db: Db, holder: string): Promise<void> {
    await db.updateTable('job_leases').set({ expires_at: 0 }).where('holder', '=', holder).execute();
  },
};
