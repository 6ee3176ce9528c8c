import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

// a = x % 3 → a=0: x 3,6,9 (sum 18); a=1: x 1,4,7,10 (sum 22); a=2: x 2,5,8 (sum 15).
const data = 'range x from 1 to 10 step 1 | extend a = x % 3, b = x % 2';

describe('top-nested', () => {
  it('keeps the top groups per level by the aggregate, descending by default', () => {
    const result = kql(`${data} | top-nested 1 of a by sum(x)`);
    expect(result.columns).toEqual([
      { name: 'a', type: 'long' },
      { name: 'aggregated_a', type: 'long' },
    ]);
    expect(result.rows).toEqual([[1, 22]]);
  });

  it('nests levels, honours asc, and adds an others row per level', () => {
    const result = kql(
      `${data} | top-nested 2 of a with others = -1 by s = sum(x) asc, top-nested of b by max(x)`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['a', 's', 'b', 'aggregated_b']);
    const sorted = [...result.rows].sort((p, q) => String(p).localeCompare(String(q)));
    expect(sorted).toEqual(
      [
        [2, 15, 0, 8],
        [2, 15, 1, 5],
        [0, 18, 1, 9],
        [0, 18, 0, 6],
        [-1, 22, null, null],
      ].sort((p, q) => String(p).localeCompare(String(q))),
    );
  });

  it('without a count every group is kept', () => {
    expect(kql(`${data} | top-nested of a by count() | count`).rows).toEqual([[3]]);
  });
});

describe('top-hitters', () => {
  it('counts values, or sums the by expression', () => {
    const counted = kql(`${data} | top-hitters 1 of a`);
    expect(counted.columns.map((c) => c.name)).toEqual(['a', 'approximate_count_a']);
    expect(counted.rows).toEqual([[1, 4]]);
    expect(kql(`${data} | top-hitters 2 of a by x`).rows).toEqual([
      [1, 22],
      [0, 18],
    ]);
  });
});

describe('sample and sample-distinct', () => {
  it('sample returns that many distinct input rows (all rows when fewer)', () => {
    const rows = kql('range x from 1 to 100 step 1 | sample 7').rows.map((r) => r[0] as number);
    expect(rows).toHaveLength(7);
    expect(new Set(rows).size).toBe(7);
    for (const x of rows) expect(x >= 1 && x <= 100).toBe(true);
    expect(kql('range x from 1 to 3 step 1 | sample 10').rows).toHaveLength(3);
  });

  it('sample-distinct returns distinct values of the expression', () => {
    const result = kql('range x from 1 to 100 step 1 | extend m = x % 7 | sample-distinct 3 of m');
    expect(result.columns).toEqual([{ name: 'm', type: 'long' }]);
    const values = result.rows.map((r) => r[0] as number);
    expect(new Set(values).size).toBe(3);
    for (const v of values) expect(v >= 0 && v < 7).toBe(true);
    expect(
      kql('range x from 1 to 100 step 1 | extend m = x % 7 | sample-distinct 50 of m').rows,
    ).toHaveLength(7);
  });
});
