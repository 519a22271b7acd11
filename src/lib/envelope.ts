/**
 * The response envelope of API.md, as TypeBox schemas (for serialisation and OpenAPI) and builders.
 * Response schemas decide which fields leave the server.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { type Pagination, PaginationSchema } from './pagination.js';

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Literal(false),
    message: Type.String(),
    error_code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    request_id: Type.Optional(Type.String()),
  },
  { $id: 'ErrorEnvelope' },
);
export type ErrorBody = Static<typeof ErrorEnvelope>;

export const ok = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), message: Type.String(), data });

export const okList = <T extends TSchema>(item: T) =>
  Type.Object({
    success: Type.Literal(true),
    message: Type.String(),
    data: Type.Array(item),
    pagination: PaginationSchema,
  });

export const success = <T>(message: string, data: T) => ({ success: true as const, message, data });

export const successList = <T>(message: string, data: T[], page: Pagination) => ({
  success: true as const,
  message,
  data,
  pagination: page,
});

/**
 * successList's body as JSON, from items already serialised as their schema would (a hot read's
 * cache, src/modules/attendance/open-sessions-cache.ts). Send it with `reply.type(JSON_TYPE)`: a
 * string with a JSON content type leaves Fastify's serialiser out.
 */
export const successListJson = (message: string, itemsJson: readonly string[], page: Pagination): string =>
  `{"success":true,"message":${JSON.stringify(message)},"data":[${itemsJson.join(',')}],"pagination":${JSON.stringify(page)}}`;
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Error responses every route may give; routes add their own success schemas beside these. */
const errorRef = Type.Unsafe<ErrorBody>({ $ref: 'ErrorEnvelope#' });
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, errorRef])) as Record<number, typeof errorRef>;
