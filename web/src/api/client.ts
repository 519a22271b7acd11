/**
 * The typed API client (openapi-fetch over the generated schema). One fetch wrapper adds the access
 * token, refreshes once on a 401 and replays the request; `unwrap` turns the envelope into data or
 * an ApiError. Tokens live in lib/auth.ts.
 */
import createClient from 'openapi-fetch';
import { ApiError } from './errors';
import type { paths } from './schema';

export interface TokenSource {
  accessToken(): string | undefined;
  /** Gets a new access token; false when the sign-in is over. */
  refresh(): Promise<boolean>;
}

let tokens: TokenSource | undefined;
export function useTokens(source: TokenSource): void {
  tokens = source;
}

async function send(req: Request): Promise<Response> {
  const token = tokens?.accessToken();
  if (token && !req.headers.has('authorization')) req.headers.set('authorization', `Bearer ${token}`);
  try {
    return await fetch(req);
  } catch {
    throw ApiError.network();
  }
}

export async function authFetch(req: Request): Promise<Response> {
  const replay = req.clone();
  const res = await send(req);
  const isAuthCall = new URL(req.url).pathname.startsWith('/auth/refresh');
  if (res.status === 401 && !isAuthCall && tokens && (await tokens.refresh())) return send(replay);
  return res;
}

export const api = createClient<paths>({ baseUrl: location.origin, fetch: authFetch });

interface Failure {
  message?: string;
  error_code?: string;
  details?: Record<string, unknown>;
  errors?: { field: string; message: string }[];
}

export function toApiError(res: Response, body: unknown): ApiError {
  const b = (body ?? {}) as Failure;
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    b.error_code ?? (res.status >= 500 ? 'INTERNAL_ERROR' : 'HTTP_ERROR'),
    b.message ?? res.statusText,
    b.details ?? {},
    b.errors ?? [],
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

/** `unwrap(await api.GET(...))` → the envelope's `data`, or throws ApiError. */
export function unwrap<D>(r: { data?: { data: D }; error?: unknown; response: Response }): D {
  if (r.data !== undefined) return r.data.data;
  throw toApiError(r.response, r.error);
}

export interface Page<D> {
  items: D;
  page: number;
  pages: number;
  total: number;
}
export function unwrapPage<D>(r: {
  data?: { data: D; pagination: { page: number; pages: number; total: number } };
  error?: unknown;
  response: Response;
}): Page<D> {
  if (r.data !== undefined) return { items: r.data.data, ...r.data.pagination };
  throw toApiError(r.response, r.error);
}

/** For answers without `data` (a DELETE's `{success, message}`): throws ApiError on failure. */
export function ensureOk(r: { error?: unknown; response: Response }): void {
  if (!r.response.ok) throw toApiError(r.response, r.error);
}
