/** A failed API call, as the envelope of API.md describes it, plus what the page needs to say. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly fields: { field: string; message: string }[] = [],
    /** Seconds from Retry-After on a 429. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
  /** No answer at all (offline, DNS, connection reset). */
  static network(): ApiError {
    return new ApiError(0, 'NETWORK', 'network');
  }
}

export function detailNumber(err: ApiError, key: string): number | undefined {
  const v = err.details[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
