/** One place that turns every failure into the envelope of API.md. 5xx bodies never carry internals. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { ErrorBody } from '../lib/envelope.js';
import { AppError, type FieldError } from '../lib/errors.js';
import { formatMessage, patternMessage } from '../lib/strings.js';

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/users/3/email` → `users[3].email`; required/additional-property errors name the property itself. */
export function fieldErrorsFromAjv(issues: AjvIssue[], context: string | undefined): FieldError[] {
  const byField = new Map<string, { messages: string[]; types: string[] }>();
  for (const issue of issues) {
    // anyOf/oneOf repeat their branches' errors; the branch errors are the useful ones.
    if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf' || issue.keyword === 'if') continue;
    const segments = (issue.instancePath ?? '').split('/').filter(Boolean);
    let message = issue.message ?? 'is invalid';
    if (issue.keyword === 'required') {
      segments.push(String(issue.params?.missingProperty));
      message = 'is required';
    }
    if (issue.keyword === 'pattern') message = patternMessage(issue.params?.pattern) ?? message;
    if (issue.keyword === 'format') message = formatMessage(issue.params?.format) ?? message;
    if (issue.keyword === 'additionalProperties') {
      segments.push(String(issue.params?.additionalProperty));
      message = 'is not an allowed field';
    }
    const path = segments.reduce((p, s) => (/^\d+$/.test(s) ? `${p}[${s}]` : p ? `${p}.${s}` : s), '');
    const field = path || (context === 'body' ? 'body' : (context ?? 'request'));
    const entry = byField.get(field) ?? { messages: [], types: [] };
    byField.set(field, entry);
    // The branches of a nullable field each say "must be <type>": say it once, as "string or null".
    if (
      issue.keyword === 'type' &&
      typeof issue.params?.type === 'string' &&
      message.startsWith('must be ')
    ) {
      if (!entry.types.includes(issue.params.type)) entry.types.push(issue.params.type);
    } else if (!entry.messages.includes(message)) {
      entry.messages.push(message);
    }
  }
  const out: FieldError[] = [];
  for (const [field, e] of byField) {
    if (e.types.length) out.push({ field, message: `must be ${e.types.join(' or ')}` });
    for (const message of e.messages) out.push({ field, message });
  }
  return out;
}

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'VALIDATION_ERROR', 'Request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'VALIDATION_ERROR', 'Malformed JSON body'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'VALIDATION_ERROR', 'Content-Length does not match the body'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'VALIDATION_ERROR', 'Invalid Content-Type header'],
};

const GENERIC_CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    let status = 500;
    let body: ErrorBody = { success: false, message: 'Internal server error', error_code: 'INTERNAL_ERROR' };
    if (err instanceof AppError) {
      status = err.statusCode;
      body = { success: false, message: err.message, error_code: err.errorCode };
      if (err.extra.errors) body.errors = err.extra.errors;
      if (err.extra.details) body.details = err.extra.details;
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
    } else if ((err as FastifyError).validation) {
      const fe = err as FastifyError;
      status = 400;
      body = {
        success: false,
        message: 'Validation failed',
        error_code: 'VALIDATION_ERROR',
        errors: fieldErrorsFromAjv(fe.validation as AjvIssue[], fe.validationContext),
      };
    } else if ((err as FastifyError).code && FASTIFY_CODES[(err as FastifyError).code]) {
      const [s, code, message] = FASTIFY_CODES[(err as FastifyError).code]!;
      status = s;
      body = { success: false, message, error_code: code };
    } else if (err instanceof SyntaxError || (err as FastifyError).statusCode === 400) {
      status = 400;
      body = { success: false, message: 'Malformed request', error_code: 'VALIDATION_ERROR' };
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      reply.header('retry-after', '5');
      body = {
        success: false,
        message: 'Database unavailable, try again shortly',
        error_code: 'SERVICE_UNAVAILABLE',
      };
    } else {
      const s = (err as FastifyError).statusCode;
      if (s && s >= 400 && s < 500) {
        status = s;
        body = {
          success: false,
          message: err.message || 'Bad request',
          error_code: GENERIC_CODES[s] ?? 'BAD_REQUEST',
        };
        if (s === 429) body.message = 'Too many requests, try again later';
      }
    }
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      body.request_id = request.id;
    } else {
      request.log.info({ status, error_code: body.error_code }, 'request refused');
    }
    return reply.status(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      success: false,
      message: `Route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)} not found`,
      error_code: 'NOT_FOUND',
    } satisfies ErrorBody),
  );
}
