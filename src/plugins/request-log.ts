/**
 * What the service logs, and how cheaply.
 *
 * One line per answered request, written when the response is sent: request id, method, path
 * (never the query string: a client may put something there it should not have), status, time
 * taken and client address. Fastify's default is two lines per request (`incoming request` and
 * `request completed`) and, with pino's `redact`, a walk of every logged object for the secret
 * paths: together ~6% of `/auth/profile` under load (BENCHMARKS.md).
 *
 * No redaction walk is needed because no logged object can hold a secret: request and error
 * objects pass through the serializers below, which copy named fields only (never headers, bodies
 * or an error's own properties, where a driver may keep query text), and no code logs a body.
 * `test/modules/http/logging.test.ts` sends tokens and passwords in headers, bodies and query
 * strings, on success and error paths, and checks that none reaches the log.
 */
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';

/**
 * The path without its query string (stream tickets ride there: `?ticket=`), with the token of a
 * calendar feed URL (`/calendar/{token}.ics`: a credential in the path) blanked.
 */
const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.startsWith('/calendar/') ? path.replace(/^\/calendar\/[^/]*/, '/calendar/[redacted]') : path;
};

/** Errors by name, message, code and stack: an error's other properties may carry query text or input. */
function serializeError(err: unknown): { type: string; message: string; stack: string; code?: unknown } {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err), stack: '' };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: err.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: err.stack ?? '',
  };
}

export function loggerOptions(
  level: string,
  stream?: { write(line: string): void },
): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: pathOf(req.url),
        remoteAddress: req.ip,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  };
}

/**
 * Fastify's request logging with the one line per response: nothing when a request comes in, the
 * line when its response has been sent (at error level, with the error, when sending failed).
 * Fastify's other log lines (stream errors, server closing) are kept as they are.
 */
export class OneLinePerResponse extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const entry = {
      method: request.method,
      url: pathOf(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      ip: request.ip,
    };
    if (error) reply.log.error({ ...entry, err: error }, 'request errored');
    else reply.log.info(entry, 'request');
  }
}
