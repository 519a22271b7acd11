/**
 * Typed errors thrown by services and mapped to the API envelope in one place (plugins/error-handler.ts).
 * The message is shown to clients: never put internals (SQL, stack, driver text) in it.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorCode: string,
    message: string,
    readonly extra: {
      errors?: FieldError[];
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (errors: FieldError[], message = 'Validation failed') =>
  new AppError(400, 'VALIDATION_ERROR', message, { errors });

export const fieldError = (field: string, message: string) => validationError([{ field, message }]);

export const unauthorized = (message = 'Authentication required') =>
  new AppError(401, 'UNAUTHORIZED', message);

export const forbidden = (message = 'You do not have permission to do this') =>
  new AppError(403, 'FORBIDDEN', message);

/** Also used for resources of another organization: never reveal that they exist. */
export const notFound = (what = 'Resource') => new AppError(404, 'NOT_FOUND', `${what} not found`);

export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(409, code, message, details ? { details } : {});

/** A business rule refused a well-formed request (422); `details` carries the figures. */
export const ruleViolation = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(422, code, message, details ? { details } : {});

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(429, 'RATE_LIMITED', 'Too many requests, try again later', {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    details: { retry_after_s: Math.max(1, Math.ceil(retryAfterSeconds)) },
  });

export const serviceUnavailable = (message = 'Service temporarily unavailable') =>
  new AppError(503, 'SERVICE_UNAVAILABLE', message, { headers: { 'retry-after': '5' } });
