/**
 * The process's Prometheus metrics (prom-client), served by GET /metrics (src/plugins/metrics.ts)
 * when METRICS_TOKEN is set. Other modules import what they feed:
 *   - `openStreams.inc({ kind })` / `.dec({ kind })` around a long-lived response (today only the
 *     live feed's SSE, kind="live"; exports are not counted);
 *   - `registerOutboxDepth(read)` once, with a function that counts undelivered outbox rows.
 * Metrics live in one registry per process (workers are processes: Prometheus scrapes each, or
 * sums them behind one port — one scrape then sees one worker, README says so).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/connection.js';

export const registry = new Registry();

/** Every request by route template (never the raw URL: tickets and tokens travel in paths). */
export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from the request to the end of its response, by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Request rate (the histogram's _count says the same; a counter reads more simply in queries). */
export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'Requests answered, by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  registers: [registry],
});

export const checkIns = new Counter({
  name: 'attendance_check_ins_total',
  help: 'Check-in requests by outcome: checked_in, replayed, or the refusal error_code (lower case)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const openStreams = new Gauge({
  name: 'attendance_open_streams',
  help: 'Long-lived responses open now, by kind (live: the live-feed SSE streams)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

let outboxDepthReader: (() => Promise<number> | number) | undefined;
let outboxGaugeOn = false;

/**
 * The outbox module registers how to count rows not yet delivered; the gauge
 * `attendance_outbox_depth` exists from then on and reads it at each scrape. Returns a function
 * that removes the registration (for an app's onClose).
 */
export function registerOutboxDepth(read: () => Promise<number> | number): () => void {
  outboxDepthReader = read;
  if (!outboxGaugeOn) {
    outboxGaugeOn = true;
    new Gauge({
      name: 'attendance_outbox_depth',
      help: 'Outbox rows (email, webhooks) not yet delivered',
      registers: [registry],
      async collect() {
        if (outboxDepthReader) this.set(await outboxDepthReader());
      },
    });
  }
  return () => {
    if (outboxDepthReader !== read) return;
    outboxDepthReader = undefined;
    registry.removeSingleMetric('attendance_outbox_depth');
    outboxGaugeOn = false;
  };
}

const pools = new Map<object, { dialect: string; stats: () => PoolStats }>();

/** An app registers its database pool while it runs (tests build several apps in one process). */
export function registerDatabasePool(dialect: string, stats: () => PoolStats): () => void {
  const key = {};
  pools.set(key, { dialect, stats });
  return () => void pools.delete(key);
}

new Gauge({
  name: 'attendance_db_pool_connections',
  help: 'Database pool connections by state (total, idle, waiting = queries queued for one, max)',
  labelNames: ['dialect', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const { dialect, stats } of pools.values()) {
      const s = stats();
      for (const state of ['total', 'idle', 'waiting', 'max'] as const)
        this.inc({ dialect, state }, s[state]);
    }
  },
});

let defaultsOn = false;
/**
 * Process metrics (CPU, memory, GC) and event-loop lag (nodejs_eventloop_lag_*), started only
 * when /metrics is served: they sample the event loop continuously.
 */
export function startProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}
