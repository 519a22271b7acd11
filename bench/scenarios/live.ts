/**
 * The live feed at 500 listeners on one process: memory per connection and the delivery latency of
 * a check-in to all of them.
 *   - memory: RSS and V8 heap used (from /metrics, nodejs_heap_size_used_bytes; the lowest of ten
 *     samples) with no stream open, then with 500 open and their snapshots sent; the deltas ÷ 500;
 *   - latency: a student checks in (the service's own process decides nothing about timing), and the
 *     time from sending the check-in to each listener's arrival of its `record` event is collected;
 *     several check-ins, one after the other, all arrivals pooled for p50/p99. The listeners all live
 *     in this (the bench's) process, so the figures include this process parsing 500 streams.
 */
import { request } from 'node:http';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { type BaseData, CENTRE, openSessions } from '../lib/dataset.js';
import { SERVICE_ARGS, startProcess } from '../lib/processes.js';
import type { Row } from '../run.js';

const LISTENERS = 500;
const METRICS_TOKEN = 'bench-metrics-token';

interface Listener {
  /** record_id → arrival time (performance.now()). */
  arrivals: Map<string, number>;
  snapshot: Promise<void>;
  close(): void;
}

function listen(url: string, token: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const arrivals = new Map<string, number>();
    let gotSnapshot: () => void;
    const snapshot = new Promise<void>((r) => (gotSnapshot = r));
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`live feed answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.includes('event: snapshot')) gotSnapshot();
          else if (block.includes('event: record')) {
            const m = /"record_id":"([^"]+)"/.exec(block);
            if (m) arrivals.set(m[1]!, performance.now());
          }
          i = buf.indexOf('\n\n');
        }
      });
      res.on('error', () => {});
      resolve({ arrivals, snapshot, close: () => res.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function heapUsedMb(url: string): Promise<number> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text);
  return m ? Number(m[1]) / 1048576 : Number.NaN;
}

/**
 * Memory without a forced GC (the service does not expose one): the lowest of a few samples over
 * three seconds, so young garbage collected meanwhile does not count.
 */
async function settledMemory(svc: { rssMb(): number; url: string }) {
  let rss = Number.POSITIVE_INFINITY;
  let heap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 300));
    rss = Math.min(rss, svc.rssMb());
    heap = Math.min(heap, await heapUsedMb(svc.url));
  }
  return { rss, heap };
}
const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10;
};

export async function liveScenario(o: {
  engine: string;
  handle: DatabaseHandle;
  base: BaseData;
  quick: boolean;
  add: (row: Row) => void;
  env: Record<string, string>;
}): Promise<void> {
  const [sessionId] = await openSessions(o.handle.db, o.base, 1);
  const svc = await startProcess(SERVICE_ARGS, {
    ...o.env,
    SSE_MAX_PER_USER: String(LISTENERS),
    METRICS_TOKEN,
  });
  const listeners: Listener[] = [];
  try {
    const feedUrl = `${svc.url}/attendance/session/${sessionId}/live`;
    // Warm up the route, the queries and the JIT with a few streams, then measure from no stream open.
    const warm = await Promise.all(Array.from({ length: 5 }, () => listen(feedUrl, o.base.adminToken)));
    await Promise.all(warm.map((l) => l.snapshot));
    for (const l of warm) l.close();
    const { rss: rss0, heap: heap0 } = await settledMemory(svc);

    for (let i = 0; i < LISTENERS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, LISTENERS - i) }, () => listen(feedUrl, o.base.adminToken)),
      );
      listeners.push(...batch);
    }
    await Promise.all(listeners.map((l) => l.snapshot));
    const { rss: rss1, heap: heap1 } = await settledMemory(svc);
    o.add({
      engine: o.engine,
      scenario: `live: memory per connection (${LISTENERS} open)`,
      note: `RSS +${(((rss1 - rss0) * 1024) / LISTENERS).toFixed(1)} KB/conn, heap +${(((heap1 - heap0) * 1024) / LISTENERS).toFixed(1)} KB/conn (RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB, heap ${heap0.toFixed(1)} → ${heap1.toFixed(1)} MB)`,
      rss_mb: rss1,
    });

    const rounds = o.quick ? 10 : 20;
    const delays: number[] = [];
    const perRound: number[] = [];
    let missing = 0;
    for (let r = 0; r < rounds; r++) {
      const student = o.base.students[r]!;
      const t0 = performance.now();
      const res = await fetch(`${svc.url}/attendance/check-in`, {
        method: 'POST',
        headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ session_id: sessionId, lat: CENTRE.lat, lon: CENTRE.lon, accuracy: 10 }),
      });
      const body = (await res.json()) as { data: { record_id: string } };
      if (res.status !== 201) throw new Error(`check-in answered ${res.status}`);
      const id = body.data.record_id;
      const deadline = performance.now() + 10_000;
      while (listeners.some((l) => !l.arrivals.has(id)) && performance.now() < deadline)
        await new Promise((x) => setTimeout(x, 5));
      const times = listeners.map((l) => l.arrivals.get(id));
      missing += times.filter((x) => x === undefined).length;
      const got = times.filter((x): x is number => x !== undefined).map((x) => x - t0);
      delays.push(...got);
      perRound.push(Math.max(...got));
      await new Promise((x) => setTimeout(x, 300));
    }
    o.add({
      engine: o.engine,
      scenario: `live: check-in → ${LISTENERS} listeners`,
      p50: quantile(delays, 0.5),
      p90: quantile(delays, 0.9),
      p99: quantile(delays, 0.99),
      note: `${rounds} check-ins, ${delays.length} arrivals, ${missing} missing; last listener per check-in: median ${quantile(perRound, 0.5)} ms`,
    });
  } finally {
    for (const l of listeners) l.close();
    await svc.stop();
  }
}
