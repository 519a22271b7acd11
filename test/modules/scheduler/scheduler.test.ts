/**
 * The scheduler (API.md Part 2): leases elect one runner per job, a lost lease is taken over, and the
 * close job closes ended sessions once — not those created after their own end, not running ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../src/lib/change-events.js';
import { createJobRegistry } from '../../../src/lib/jobs.js';
import { jobLeasesRepository } from '../../../src/modules/scheduler/job-leases.repository.js';
import { createScheduler } from '../../../src/modules/scheduler/scheduler.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { bulkStudents, insertSession, MIN, recordsOf } from '../attendance/fixtures.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const quiet = { info() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leases', () => {
  it('one holder at a time; an expired lease is taken over and the old holder cannot renew', async () => {
    const job = `lease-test-${Date.now()}`;
    const now = Date.now();
    expect(await jobLeasesRepository.acquire(t.db, job, 'A', now, 1000)).toBe(true);
    expect(await jobLeasesRepository.acquire(t.db, job, 'B', now + 10, 1000)).toBe(false);
    expect(await jobLeasesRepository.acquire(t.db, job, 'A', now + 20, 1000)).toBe(true); // renewal
    expect(await jobLeasesRepository.acquire(t.db, job, 'B', now + 1000, 1000)).toBe(false); // A renewed at +20
    expect(await jobLeasesRepository.acquire(t.db, job, 'B', now + 1021, 1000)).toBe(true); // expired
    expect(await jobLeasesRepository.renew(t.db, job, 'A', now + 1030, 1000)).toBe(false);
    expect(await jobLeasesRepository.renew(t.db, job, 'B', now + 1030, 1000)).toBe(true);
    const row = await t.db
      .selectFrom('job_leases')
      .selectAll()
      .where('job_name', '=', job)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ holder: 'B', expires_at: now + 2030 });
  });

  it('of many schedulers racing for one job, exactly one runs it', async () => {
    const name = `race-${Date.now()}`;
    let runs = 0;
    const jobs = createJobRegistry();
    jobs.register({
      name,
      intervalMs: 60_000,
      async run() {
        runs++;
        await sleep(50);
        return undefined;
      },
    });
    const schedulers = Array.from({ length: 5 }, (_, i) =>
      createScheduler({ db: t.db, jobs, leaseMs: 5_000, log: quiet, holder: `p${i}` }),
    );
    const ran = await Promise.all(schedulers.map((s) => s.runNow(name)));
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    // The holder hands its lease back on stop; another one then gets it at once.
    const holder = schedulers[ran.indexOf(true)]!;
    await holder.stop();
    const next = schedulers.find((s) => s !== holder)!;
    expect(await next.runNow(name)).toBe(true);
  });

  it('a job whose lease was lost stops between batches (renew says false)', async () => {
    const name = `lost-${Date.now()}`;
    const seen: boolean[] = [];
    const jobs = createJobRegistry();
    jobs.register({
      name,
      intervalMs: 60_000,
      async run(ctx) {
        await t.db
          .updateTable('job_leases')
          .set({ holder: 'thief', expires_at: Date.now() + 60_000 })
          .where('job_name', '=', name)
          .execute();
        seen.push(await ctx.renew());
        return undefined;
      },
    });
    await createScheduler({ db: t.db, jobs, leaseMs: 5_000, log: quiet, holder: 'me' }).runNow(name);
    expect(seen).toEqual([false]);
  });
});

describe('close-ended-sessions', () => {
  it('closes ended sessions once, with their absent and one session event; skips running sessions and those entered after their end', async () => {
    const org = await t.factory.org();
    const teacher = await t.factory.user('teacher', org.org_id);
    await bulkStudents(t, org.org_id, 3);
    const now = Date.now();
    const ended = await insertSession(t, org.org_id, teacher.user_id, {
      start_time: now - 90 * MIN,
      end_time: now - 30 * MIN,
      created_at: now - 120 * MIN,
    });
    const justEnded = await insertSession(t, org.org_id, teacher.user_id, {
      start_time: now - 60 * MIN,
      end_time: now - 1000,
      created_at: now - 120 * MIN,
    });
    const paper = await insertSession(t, org.org_id, teacher.user_id, {
      start_time: now - 300 * MIN,
      end_time: now - 240 * MIN,
      created_at: now - 10 * MIN,
    });
    const running = await insertSession(t, org.org_id, teacher.user_id, { created_at: now - 10 * MIN });
    const events: ChangeEvent[] = [];
    // The job announces what it closed on the change bus.
    const { closeEndedSessionsJob } = await import('../../../src/modules/attendance/close-ended.job.js');
    const { createChangeBus } = await import('../../../src/lib/change-events.js');
    const changes = createChangeBus();
    changes.onCommitted((e) => events.push(...e));
    const { createRecordWriter } = await import('../../../src/modules/attendance/record-writer.js');
    const writer = createRecordWriter({ db: t.db, dialect: t.dialect, changes });
    const job = closeEndedSessionsJob({ db: t.db, closeIfEnded: writer.closeIfEnded });
    const ctx = { now: Date.now, renew: async () => true };
    const first = await job.run(ctx);
    expect(first).toMatchObject({ closed: 2, failed: 0 });
    const again = await job.run(ctx);
    expect(again).toMatchObject({ closed: 0 });

    for (const s of [ended, justEnded]) {
      const row = await t.db
        .selectFrom('attendance_sessions')
        .selectAll()
        .where('session_id', '=', s.session_id)
        .executeTakeFirstOrThrow();
      expect(row.closed_at).not.toBeNull();
      expect(row.absent_count).toBe(3);
      expect((await recordsOf(t, s.session_id)).map((r) => r.status)).toEqual(['absent', 'absent', 'absent']);
      const logged = await t.db
        .selectFrom('attendance_record_changes as c')
        .innerJoin('attendance_records as r', 'r.record_id', 'c.record_id')
        .select('c.action')
        .where('r.session_id', '=', s.session_id)
        .execute();
      expect(logged).toHaveLength(3);
    }
    for (const s of [paper, running]) {
      const row = await t.db
        .selectFrom('attendance_sessions')
        .select('closed_at')
        .where('session_id', '=', s.session_id)
        .executeTakeFirstOrThrow();
      expect(row.closed_at).toBeNull();
      expect(await recordsOf(t, s.session_id)).toEqual([]);
    }
    const sessionEvents = events.filter((e) => e.type === 'session');
    expect(sessionEvents.map((e) => e.sessionId).sort()).toEqual(
      [ended.session_id, justEnded.session_id].sort(),
    );
    expect(
      sessionEvents.every((e) => e.type === 'session' && e.state === 'closed' && e.actorId === null),
    ).toBe(true);
    expect(events.filter((e) => e.type === 'record')).toHaveLength(6);
  });

  it('works in batches and stops when the lease is lost', async () => {
    const org = await t.factory.org();
    const now = Date.now();
    for (let i = 0; i < 60; i++)
      await insertSession(t, org.org_id, null, {
        start_time: now - 90 * MIN,
        end_time: now - 30 * MIN,
        created_at: now - 120 * MIN,
      });
    const { closeEndedSessionsJob } = await import('../../../src/modules/attendance/close-ended.job.js');
    const { createRecordWriter } = await import('../../../src/modules/attendance/record-writer.js');
    const { createChangeBus } = await import('../../../src/lib/change-events.js');
    const writer = createRecordWriter({ db: t.db, dialect: t.dialect, changes: createChangeBus() });
    const job = closeEndedSessionsJob({ db: t.db, closeIfEnded: writer.closeIfEnded });
    let renewals = 0;
    const res = await job.run({
      now: Date.now,
      renew: async () => {
        renewals++;
        return false;
      },
    });
    expect(res?.closed).toBe(50); // one batch, then the lease was gone
    expect(renewals).toBe(1);
    const res2 = await job.run({ now: Date.now, renew: async () => true });
    expect(res2?.closed).toBe(10);
  });
});
