import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

/** A dynamic cell as JS values, with datetime strings normalised to ISO milliseconds. */
function series(cell: unknown): unknown[] {
  return (JSON.parse(cell as string) as unknown[]).map((v) =>
    typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v).toISOString() : v,
  );
}

const hourly = 'range x from 1 to 10 step 1 | extend t = datetime(2020-01-01) + x * 1h, k = x % 2';

describe('make-series', () => {
  it('bins from `from` in steps below `to`, one array per aggregate and group', () => {
    const result = kql(
      `${hourly} | make-series c = count(), avg(x) default = -1, sum(x) on t from datetime(2020-01-01) to datetime(2020-01-01T12:00) step 2h by k | order by k asc`,
    );
    expect(result.columns).toEqual([
      { name: 'k', type: 'long' },
      { name: 'c', type: 'dynamic' },
      { name: 'avg_x', type: 'dynamic' },
      { name: 'sum_x', type: 'dynamic' },
      { name: 't', type: 'dynamic' },
    ]);
    const [even, odd] = result.rows;
    // Bin [00:00, 02:00) holds x = 1; [02:00, 04:00) holds x = 2, 3; … [10:00, 12:00) holds x = 10.
    expect(series(even[1])).toEqual([0, 1, 1, 1, 1, 1]);
    expect(series(even[2])).toEqual([-1, 2, 4, 6, 8, 10]);
    expect(series(even[3])).toEqual([0, 2, 4, 6, 8, 10]);
    expect(series(odd[1])).toEqual([1, 1, 1, 1, 1, 0]);
    expect(series(odd[3])).toEqual([1, 3, 5, 7, 9, 0]);
    expect(series(odd[4])).toEqual(
      [0, 2, 4, 6, 8, 10].map((h) => new Date(Date.UTC(2020, 0, 1, h)).toISOString()),
    );
  });

  it('a partial last step still gets a bin; rows outside the range are dropped', () => {
    const result = kql('range x from 0 to 20 step 1 | make-series count() on x from 2 to 9 step 3');
    expect(series(result.rows[0][0])).toEqual([3, 3, 1]);
    expect(series(result.rows[0][1])).toEqual([2, 5, 8]);
  });

  it('without from/to the series spans the bins that hold data', () => {
    const result = kql('range x from 3 to 10 step 1 | make-series count() on x step 4');
    expect(series(result.rows[0][0])).toEqual([1, 4, 3]);
    expect(series(result.rows[0][1])).toEqual([0, 4, 8]);
  });

  it('in range(start, stop, step) includes stop', () => {
    const result = kql(
      'range x from 1 to 10 step 1 | make-series sum(x), m = max(x) on x in range(0, 20, 5)',
    );
    expect(result.columns.map((c) => c.name)).toEqual(['sum_x', 'm', 'x']);
    expect(series(result.rows[0][0])).toEqual([10, 35, 10, 0, 0]);
    expect(series(result.rows[0][1])).toEqual([4, 9, 10, 0, 0]);
    expect(series(result.rows[0][2])).toEqual([0, 5, 10, 15, 20]);
  });

  it('empty input gives no rows, unless kind=nonempty', () => {
    const base = `${hourly} | take 0 | make-series`;
    const range = 'avg(x) default = 2.5 on t from datetime(2020-01-01) to datetime(2020-01-02) step 6h';
    expect(kql(`${base} ${range} | count`).rows).toEqual([[0]]);
    const nonEmpty = kql(`${base} kind=nonempty ${range}`);
    expect(series(nonEmpty.rows[0][0])).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(series(nonEmpty.rows[0][1])).toHaveLength(4);
  });
});
