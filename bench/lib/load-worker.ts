/**
 * The load generator, run as its own process so it does not share an event loop with anything it
 * measures. Reads a job as JSON from argv[2], prints autocannon's result as JSON on stdout.
 * Requests rotate through `bodies` / `tokens` (request i uses entry i mod n) so every check-in is
 * a distinct student and every read a distinct session.
 */
import autocannon from 'autocannon';

interface Job {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  duration?: number;
  amount?: number;
  bodies?: string[];
  tokens?: string[];
  /** Per-request headers rotating with the bodies (e.g. Authorization per student). */
  headersList?: Record<string, string>[];
  /** Check-in mode: request n is student n mod S into session ⌊n / S⌋ mod K — every pair distinct. */
  checkin?: { sessionIds: string[]; lat: number; lon: number; codeSecrets?: Record<string, string> };
}

import { rotatingCode, stepAt } from '../../src/modules/attendance/code-verifier.js';

const job: Job = JSON.parse(process.argv[2] ?? '{}');
let i = 0;
const r = await autocannon({
  url: job.url,
  connections: job.connections,
  ...(job.amount ? { amount: job.amount } : { duration: job.duration }),
  timeout: 30,
  requests: [
    {
      method: job.method,
      path: job.path,
      setupRequest: (req) => {
        const n = i++;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (job.checkin && job.tokens?.length) {
          const S = job.tokens.length;
          const sessionId = job.checkin.sessionIds[Math.floor(n / S) % job.checkin.sessionIds.length];
          headers.authorization = `Bearer ${job.tokens[n % S]}`;
          const body = JSON.stringify({
            session_id: sessionId,
            lat: job.checkin.lat,
            lon: job.checkin.lon,
            accuracy: 10,
            // Rotating-code sessions: the code shown now, as a student would type it.
            ...(job.checkin.codeSecrets
              ? {
                  code: rotatingCode(
                    job.checkin.codeSecrets[sessionId!]!,
                    sessionId!,
                    stepAt(Date.now(), 15),
                  ),
                }
              : {}),
          });
          return { ...req, headers, body };
        }
        if (job.tokens?.length) headers.authorization = `Bearer ${job.tokens[n % job.tokens.length]}`;
        if (job.headersList?.length) Object.assign(headers, job.headersList[n % job.headersList.length]);
        return { ...req, headers, body: job.bodies?.length ? job.bodies[n % job.bodies.length] : undefined };
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    duration_s: r.duration,
    statusCodes: r.statusCodeStats,
  }),
);
