import { describe, expect, it } from 'vitest';
import { pageRequest, totalFromPage } from './pagination.js';

describe('totalFromPage', () => {
  it.each([
    // [page, per_page, rows on the page, total or null (count needed)]
    [1, 20, 0, 0], // nothing at all
    [1, 20, 7, 7], // a short first page is everything
    [3, 20, 5, 45], // a short last page: 40 before it
    [1, 20, 20, null], // a full page: more may follow
    [2, 20, 20, null],
    [4, 20, 0, null], // empty past the end: the rows may end anywhere before it
  ])('page %i of %i with %i rows → %s', (page, perPage, rows, total) => {
    expect(totalFromPage(pageRequest({ page, per_page: perPage }), rows)).toBe(total);
  });
});
