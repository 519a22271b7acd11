/**
 * Idempotency-Key: the first answer to (user, key, route) is stored and replayed to every retry, so a
 * phone that lost the response to its check-in can simply send it again. The key is claimed with an
 * insert before the work runs (the primary key makes two concurrent first requests meet: one runs,
 * the other is told the request is in progress), and the answer is stored when the work ends.
 * Business answers (4xx) are stored too; an unexpected failure frees the key for a retry.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/types.js';
import type { ErrorBody } from '../../lib/envelope.js';
import { AppError, conflict } from '../../lib/errors.js';
import { IN_PROGRESS, type KeyRef, idempotencyRepository as repo } from './idempotency.repository.js';

export interface Answer {
  status: number;
  body: unknown;
}

/** A claim older than this whose request never finished (the process died) may be taken over. */
const ABANDONED_AFTER_MS = 60_000;
const STORED_ERRORS = new Set([400, 403, 404, 409, 422]);

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

export const requestHash = (body: unknown): string =>
  createHash('sha256').update(canonicalJson(body)).digest('hex');

/** The envelope the error handler sends for this error (plugins/error-handler.ts). */
function errorAnswer(err: AppError): Answer {
  const body: ErrorBody = { success: false, message: err.message, error_code: err.errorCode };
  if (err.extra.errors) body.errors = err.extra.errors;
  if (err.extra.details) body.details = err.extra.details;
  return { status: err.statusCode, body };
}

const inProgress = () =>
  conflict('CONFLICT', 'A request with this Idempotency-Key is in progress; retry shortly');

export async function withIdempotency(
  db: Db,
  req: Omit<KeyRef, 'key'> & { key: string | undefined; body: unknown; now: number },
  run: () => Promise<Answer>,
): Promise<Answer & { replayed: boolean }> {
  if (req.key === undefined) return { ...(await run()), replayed: false };
  const ref: KeyRef = { userId: req.userId, key: req.key, route: req.route };
  const hash = requestHash(req.body);

  if (!(await repo.claim(db, ref, hash, req.now))) {
    const stored = await repo.find(db, ref);
    if (!stored) throw inProgress(); // released a moment ago by a failed first attempt
    if (stored.request_hash !== hash) {
      throw conflict('CONFLICT', 'This Idempotency-Key was already used with a different request body');
    }
    if (stored.status_code !== IN_PROGRESS) {
      return { status: stored.status_code, body: JSON.parse(stored.response_body), replayed: true };
    }
    const abandoned = Number(stored.created_at) < req.now - ABANDONED_AFTER_MS;
    if (!abandoned || !(await repo.takeOver(db, ref, stored.created_at, req.now))) throw inProgress();
  }

  let answer: Answer;
  try {
    answer = await run();
  } catch (err) {
    if (err instanceof AppError && STORED_ERRORS.has(err.statusCode)) {
      const a = errorAnswer(err);
      await repo.complete(db, ref, a.status, JSON.stringify(a.body));
    } else {
      await repo.release(db, ref);
    }
    throw err;
  }
  await repo.complete(db, ref, answer.status, JSON.stringify(answer.body));
  return { ...answer, replayed: false };
}
