/**
 * Idempotency-Key for any route that opts in with `config: { idempotency: { scope } }`: the first
 * *final* answer to (user, key, scope) is stored and replayed to every retry, so a phone that lost
 * the response to its check-in can simply send it again (header `Idempotent-Replayed: true`).
 * Final = a 2xx, or a conflict that cannot change (FINAL_CONFLICTS). Refusals that depend on time or
 * input (422, 400, 429, other 409s, 5xx) are not stored: the key is freed and a retry runs afresh
 * (a check-in refused before the session opens succeeds with the same key once it is open).
 * The key is claimed with an insert before the handler runs (the primary key makes two concurrent
 * first requests meet: one runs, the other is told the request is in progress).
 * The request body is kept only as an HMAC with SECRET_KEY: a body may carry coordinates, which an
 * organization may forbid storing, and a plain digest of a coordinate pair is easy to reverse.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/types.js';
import { conflict } from '../lib/errors.js';
import { IN_PROGRESS, type KeyRef, idempotencyRepository as repo } from './idempotency.repository.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes sharing a scope share keys (the seed's POST /check-in and POST /attendance/check-in). */
    idempotency?: { scope: string };
  }
  interface FastifyRequest {
    idempotencyClaim: KeyRef | null;
  }
}

/** A claim older than this whose request never finished (the process died) may be taken over. */
const ABANDONED_AFTER_MS = 60_000;
/** Conflicts that no retry can turn into anything else. */
const FINAL_CONFLICTS = new Set(['ALREADY_CHECKED_IN', 'ALREADY_CHECKED_OUT']);

/** JSON with object keys sorted, so the same body hashes the same whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Whether an answer is the final one for its request. */
export function isFinalAnswer(status: number, payload: unknown): boolean {
  if (status >= 200 && status < 300) return true;
  if (status !== 409 || typeof payload !== 'string') return false;
  try {
    return FINAL_CONFLICTS.has((JSON.parse(payload) as { error_code?: string }).error_code ?? '');
  } catch {
    return false;
  }
}

const inProgress = () =>
  conflict('CONFLICT', 'A request with this Idempotency-Key is in progress; retry shortly');

export function installIdempotency(
  app: FastifyInstance,
  deps: { db: Db; secretKey: string; now?: () => number },
): void {
  const now = deps.now ?? Date.now;
  const requestHash = (body: unknown) =>
    createHmac('sha256', deps.secretKey).update(canonicalJson(body)).digest('hex');
  app.decorateRequest('idempotencyClaim', null);

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const scope = req.routeOptions.config.idempotency?.scope;
    const key = req.headers['idempotency-key'];
    if (!scope || typeof key !== 'string' || !req.actor) return;
    const ref: KeyRef = { userId: req.actor.userId, key, route: scope };
    const hash = requestHash(req.body);
    const t = now();
    if (!(await repo.claim(deps.db, ref, hash, t))) {
      const stored = await repo.find(deps.db, ref);
      if (!stored) throw inProgress(); // released a moment ago by a first attempt that was refused
      if (stored.request_hash !== hash) {
        throw conflict('CONFLICT', 'This Idempotency-Key was already used with a different request body');
      }
      if (stored.status_code !== IN_PROGRESS) {
        return reply
          .status(stored.status_code)
          .header('idempotent-replayed', 'true')
          .type('application/json; charset=utf-8')
          .send(stored.response_body);
      }
      const abandoned = Number(stored.created_at) < t - ABANDONED_AFTER_MS;
      if (!abandoned || !(await repo.takeOver(deps.db, ref, stored.created_at, t))) throw inProgress();
    }
    req.idempotencyClaim = ref;
  });

  // Runs for every answer of the request, errors included (the error handler sends through here).
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const ref = req.idempotencyClaim;
    if (!ref) return payload;
    req.idempotencyClaim = null;
    if (isFinalAnswer(reply.statusCode, payload) && typeof payload === 'string') {
      await repo.complete(deps.db, ref, reply.statusCode, payload);
    } else {
      await repo.release(deps.db, ref);
    }
    return payload;
  });
}
