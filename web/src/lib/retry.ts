/**
 * Retries a write on a flaky network with one Idempotency-Key for every attempt: the server answers
 * a replay with the first final answer, so a lost response never makes two records (API.md).
 * Retried: no answer at all, and 502/503/504. Not retried: any other answer (4xx are final or need
 * the user), including 429 (the page shows when to try again).
 */
import { ApiError } from '../api/errors';

export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export async function withRetries<T>(
  attempt: () => Promise<T>,
  opts: { max?: number; onRetry?: (n: number, max: number) => void; delayMs?: number } = {},
): Promise<T> {
  const max = opts.max ?? 4;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const transient = err instanceof ApiError && (err.status === 0 || [502, 503, 504].includes(err.status));
      if (!transient || n >= max) throw err;
      opts.onRetry?.(n + 1, max);
      await new Promise((r) => setTimeout(r, (opts.delayMs ?? 800) * 2 ** (n - 1)));
    }
  }
}
