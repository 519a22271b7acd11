import Type, { type Static } from 'typebox';

export const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 20;

export const PaginationQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  // No schema default: it would hide whether `limit` should apply.
  per_page: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PER_PAGE,
      description: `rows per page, default ${DEFAULT_PER_PAGE}`,
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      deprecated: true,
      description: `alias of per_page for clients of the original service; above ${MAX_PER_PAGE} it is taken as ${MAX_PER_PAGE}; per_page wins when both are given`,
    }),
  ),
};

export const PaginationSchema = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  total: Type.Integer(),
  pages: Type.Integer(),
  total_pages: Type.Integer({ description: 'same as pages (clients of the original read this name)' }),
  has_next: Type.Boolean(),
  has_prev: Type.Boolean(),
});
export type Pagination = Static<typeof PaginationSchema>;

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

export function pageRequest(q: { page?: number; per_page?: number; limit?: number }): PageRequest {
  const page = q.page ?? 1;
  const perPage = q.per_page ?? (q.limit === undefined ? DEFAULT_PER_PAGE : Math.min(q.limit, MAX_PER_PAGE));
  return { page, perPage, offset: (page - 1) * perPage };
}

export function pagination(req: PageRequest, total: number): Pagination {
  const pages = Math.ceil(total / req.perPage);
  return {
    page: req.page,
    per_page: req.perPage,
    total,
    pages,
    total_pages: pages,
    has_next: req.page < pages,
    has_prev: req.page > 1,
  };
}

/**
 * The total, when the page itself shows it: a page shorter than asked for is the last one, unless it
 * is empty past the first page (then the rows may end anywhere before it). Null: count them.
 */
export function totalFromPage(req: PageRequest, rowsOnPage: number): number | null {
  return rowsOnPage < req.perPage && (rowsOnPage > 0 || req.offset === 0) ? req.offset + rowsOnPage : null;
}
