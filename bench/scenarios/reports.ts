/**
 * Reports and export at growing data sizes: the same organization is filled to 10k, 100k and 1M
 * attendance records (a year of sessions, 100 students each), and at each size every report is
 * timed (sequential requests: a report is one admin's click, not a crowd) and, at the largest size,
 * the full CSV export is streamed for rows/s and peak RSS growth.
 */
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { ALL_ORGS } from '../../src/lib/tenancy.js';
import { addDays, parseLocalDate, startOfLocalDayMs } from '../../src/lib/time.js';
import { reportsRepository } from '../../src/modules/reports/reports.repository.js';
import { sessionCountsRepository } from '../../src/modules/sessions/session-counts.repository.js';
import { userCountsRepository } from '../../src/modules/sessions/user-counts.repository.js';
import { type BaseData, seedHistory } from '../lib/dataset.js';
import { SERVICE_ARGS, startProcess } from '../lib/processes.js';
import type { Row } from '../run.js';

async function timeRequests(url: string, token: string, n: number) {
  const times: number[] = [];
  let non2xx = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (!res.ok) non2xx++;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 10) / 10;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), non2xx };
}

/**
 * The organization summary's lowest-attendance list over the bench's year, queried in this process
 * (no HTTP): from every record (the reference query, what the summary ran before migration 0012) and
 * from the maintained per-user months, alternating, so both are timed in the same conditions.
 */
async function timeLowestList(
  o: { engine: string; handle: DatabaseHandle; base: BaseData; quick: boolean; add: (row: Row) => void },
  label: string,
) {
  // The summary's range in the HTTP scenario below: UTC dates a year apart, days of the org's zone.
  const tz = 'America/New_York';
  const day = (ms: number) => parseLocalDate(new Date(ms).toISOString().slice(0, 10))!;
  const range = {
    fromMs: startOfLocalDayMs(day(Date.now() - 365 * 86_400_000), tz),
    toMs: startOfLocalDayMs(addDays(day(Date.now()), 1), tz),
  };
  const n = o.quick ? 5 : 11;
  const times = { reference: [] as number[], months: [] as number[] };
  for (let i = 0; i < n; i++) {
    for (const kind of ['reference', 'months'] as const) {
      const t0 = performance.now();
      await (kind === 'reference'
        ? reportsRepository.lowestAttendanceFromRecords(o.handle.db, o.base.orgId, range, Date.now(), 10)
        : reportsRepository.lowestAttendance(o.handle.db, o.base.orgId, range, Date.now(), 10));
      times[kind].push(performance.now() - t0);
    }
  }
  for (const [kind, list] of Object.entries(times)) {
    list.sort((a, b) => a - b);
    const q = (p: number) =>
      Math.round(list[Math.min(list.length - 1, Math.floor(p * list.length))]! * 10) / 10;
    o.add({
      engine: o.engine,
      scenario: `lowest-attendance list in-process, ${kind === 'reference' ? 'from the records (before)' : 'from the month rows (after)'} @ ${label}`,
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
    });
  }
}

export async function reportScenarios(o: {
  engine: string;
  handle: DatabaseHandle;
  base: BaseData;
  quick: boolean;
  scenarios: string[];
  /** Records a row of results (printed as it comes, tabled at the end). */
  add: (row: Row) => void;
  env: Record<string, string>;
}): Promise<void> {
  const sizes = o.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  let have = 0;
  let lastSessionIds: string[] = [];
  for (const size of sizes) {
    const t0 = Date.now();
    const added = await seedHistory(o.handle.db, o.base, size - have);
    lastSessionIds = added.sessionIds;
    have = size;
    // A running database has planner statistics; right after a bulk load it has none until
    // autovacuum gets round to it. Measure the steady state. (SQLite analyses when the service opens.)
    if (o.handle.dialect === 'postgres') await sql`analyze`.execute(o.handle.db);
    // The rows were written straight into the tables, as another tool would: the scheduler's close
    // job of a running service builds the per-user months and the per-session counts. Done here, so
    // that the reports are timed in the steady state, not against the job's first run.
    const t1 = Date.now();
    await userCountsRepository.catchUp(o.handle.db, Date.now());
    await sessionCountsRepository.fillMissing(o.handle.db, ALL_ORGS);
    if (o.handle.dialect === 'postgres') await sql`analyze`.execute(o.handle.db);
    const label = size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;
    console.log(
      `  ${o.engine}: ${label} records ready (${((t1 - t0) / 1000).toFixed(0)} s to generate, ${((Date.now() - t1) / 1000).toFixed(1)} s to build the counts)`,
    );
    if (o.scenarios.includes('reports')) await timeLowestList(o, label);
    const svc = await startProcess(SERVICE_ARGS, o.env);
    try {
      const today = new Date().toISOString().slice(0, 10);
      const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
      const n = o.quick ? 8 : 15;
      if (o.scenarios.includes('reports')) {
        const session = lastSessionIds[Math.floor(lastSessionIds.length / 2)]!;
        const user = o.base.students[7]!.userId;
        const reports: [string, string][] = [
          [
            'organization summary (1 year)',
            `/reports/organization/summary?start_date=${yearAgo}&end_date=${today}`,
          ],
          [
            'trends weekly (1 year)',
            `/reports/attendance/trends?start_date=${yearAgo}&end_date=${today}&interval=week`,
          ],
          [
            'trends daily (1 year)',
            `/reports/attendance/trends?start_date=${yearAgo}&end_date=${today}&interval=day`,
          ],
          ['session detailed (100 attendees)', `/reports/session/${session}/detailed`],
          ['user detailed (all history)', `/reports/user/${user}/detailed`],
          ['dashboard stats', '/admin/dashboard/stats'],
        ];
        for (const [name, path] of reports) {
          const r = await timeRequests(svc.url + path, o.base.adminToken, n);
          o.add({ engine: o.engine, scenario: `${name} @ ${label}`, ...r });
        }
      }
      if (o.scenarios.includes('export') && size === sizes.at(-1)) {
        const before = svc.rssMb();
        const peak = svc.watchPeak();
        const t1 = performance.now();
        const res = await fetch(`${svc.url}/reports/export/csv`, {
          headers: { authorization: `Bearer ${o.base.adminToken}` },
        });
        let lines = 0;
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
        }
        const seconds = (performance.now() - t1) / 1000;
        const peakMb = peak();
        // Lines include the header and the line breaks inside quoted notes (none in generated data).
        const dataRows = lines - 1;
        o.add({
          engine: o.engine,
          scenario: `CSV export of ${label} rows`,
          rss_mb: peakMb,
          note: `${Math.round(dataRows / seconds).toLocaleString('en')} rows/s, ${dataRows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s, RSS ${before.toFixed(0)} → peak ${peakMb.toFixed(0)} MB (+${(peakMb - before).toFixed(0)})`,
        });
      }
    } finally {
      await svc.stop();
    }
  }
}
