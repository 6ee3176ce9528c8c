import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

const T =
  'datatable(g:string, v:long)["a", 10, "a", 10, "a", 5, "a", 20, "b", 5, "b", 7] | sort by g asc, v asc';

describe('window functions over serialized rows', () => {
  it('prev and next with offsets and defaults', () => {
    const result = kql(
      'range x from 1 to 3 step 1 | extend p = prev(x), p2 = prev(x, 2, -1), n = next(x, 1, 99)',
    );
    expect(result.rows).toEqual([
      [1, null, -1, 2],
      [2, 1, -1, 3],
      [3, 2, 1, 99],
    ]);
  });

  it('row_number and row_cumsum restart where told', () => {
    const result = kql(
      `${T} | extend n = row_number(1, g != prev(g)), s = row_cumsum(v, g != prev(g)) | project g, n, s`,
    );
    expect(result.rows).toEqual([
      ['a', 1, 5],
      ['a', 2, 15],
      ['a', 3, 25],
      ['a', 4, 45],
      ['b', 1, 5],
      ['b', 2, 12],
    ]);
  });

  it('row_rank_min ties share the lower rank; row_rank_dense leaves no gaps', () => {
    const result = kql(
      `${T} | extend r = row_rank_min(v, g != prev(g)), d = row_rank_dense(v, g != prev(g)) | project v, r, d`,
    );
    expect(result.rows).toEqual([
      [5, 1, 1],
      [10, 2, 2],
      [10, 2, 2],
      [20, 4, 3],
      [5, 1, 1],
      [7, 2, 2],
    ]);
  });
});
