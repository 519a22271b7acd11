/**
 * GET /metrics (Prometheus text) behind `Authorization: Bearer $METRICS_TOKEN`; without
 * METRICS_TOKEN neither the route nor the timing hooks exist (404, and no cost per request).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DatabaseHandle } from '../db/connection.js';
import { unauthorized } from '../lib/errors.js';
import {
  checkIns,
  httpRequestDuration,
  httpRequests,
  registerDatabasePool,
  registry,
  startProcessMetrics,
} from '../lib/metrics.js';

/** Routes whose answers count as check-in outcomes (the legacy one included). */
const CHECK_IN_ROUTES = new Set(['POST /attendance/check-in', 'POST /check-in']);
const ERROR_CODE_RE = /"error_code":"([A-Z_]{1,64})"/;

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasBearer(request: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer (\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function installMetrics(
  app: FastifyInstance,
  opts: { token: string | undefined; database: DatabaseHandle },
): void {
  const { token } = opts;
  if (!token) return;
  startProcessMetrics();
  const unregister = registerDatabasePool(opts.database.dialect, () => opts.database.poolStats());
  app.addHook('onClose', async () => unregister());

  app.addHook('onSend', async (request, reply, payload) => {
    if (!CHECK_IN_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return payload;
    let outcome: string;
    if (reply.getHeader('idempotent-replayed') === 'true') outcome = 'replayed';
    else if (reply.statusCode < 300) outcome = 'checked_in';
    else {
      const code = typeof payload === 'string' ? ERROR_CODE_RE.exec(payload)?.[1] : undefined;
      outcome = code ? code.toLowerCase() : `http_${reply.statusCode}`;
    }
    checkIns.inc({ outcome });
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      // The template ('/attendance/records/:record_id'), or one label for every unmatched URL.
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!hasBearer(request, token)) throw unauthorized('A valid metrics token is required');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
