import Type, { type Static } from 'typebox';

export const PaginationQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const PaginationSchema = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  total: Type.Integer(),
  pages: Type.Integer(),
});
export type Pagination = Static<typeof PaginationSchema>;

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

export function pageRequest(q: { page?: number; per_page?: number }): PageRequest {
  const page = q.page ?? 1;
  const perPage = q.per_page ?? 20;
  return { page, perPage, offset: (page - 1) * perPage };
}

export function pagination(req: PageRequest, total: number): Pagination {
  return { page: req.page, per_page: req.perPage, total, pages: Math.ceil(total / req.perPage) };
}

/**
 * The total, when the page itself shows it: a page shorter than asked for is the last one, unless it
 * is empty past the first page (then the rows may end anywhere before it). Null: count them.
 */
export function totalFromPage(req: PageRequest, rowsOnPage: number): number | null {
  return rowsOnPage < req.perPage && (rowsOnPage > 0 || req.offset === 0) ? req.offset + rowsOnPage : null;
}
