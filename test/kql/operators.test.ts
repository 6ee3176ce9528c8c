/**
 * The relational operators, with expectations derived from the Kusto documentation's rules.
 */
import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

const T =
  'datatable(k:string, v:long, t:datetime)["a", 1, datetime(2024-01-01), "b", 2, datetime(2024-01-02), "a", 3, datetime(2024-01-03), "c", long(null), datetime(null)]';

function names(query: string): string[] {
  return kql(query).columns.map((c) => c.name);
}

describe('where / extend / project family', () => {
  it('where keeps rows whose predicate is true (null is not true)', () => {
    expect(kql(`${T} | where v > 1 | project k`).rows).toEqual([['b'], ['a']]);
    expect(kql(`${T} | where isnull(v) | project k`).rows).toEqual([['c']]);
  });

  it('extend adds or replaces columns', () => {
    const result = kql(`${T} | extend w = v * 10 | extend x = w + 1, v = -v | project k, v, w, x | take 1`);
    expect(result.rows).toEqual([['a', -1, 10, 11]]);
    expect(names(`${T} | extend v + 1, strlen(k)`)).toEqual(['k', 'v', 't', 'Column1', 'strlen_k']);
  });

  it('project renames, computes and orders columns; project-away/keep take wildcards', () => {
    expect(names(`${T} | project t, key = k, v * 2`)).toEqual(['t', 'key', 'Column1']);
    expect(names(`${T} | project-away t`)).toEqual(['k', 'v']);
    expect(names(`${T} | project-away k*`)).toEqual(['v', 't']);
    expect(names(`${T} | project-keep t, k`)).toEqual(['k', 't']);
    expect(names(`${T} | project-rename key = k`)).toEqual(['key', 'v', 't']);
    expect(names(`${T} | project-reorder t, v`)).toEqual(['t', 'v', 'k']);
  });
});

describe('summarize / count / distinct', () => {
  it('groups by keys and names aggregates like Kusto', () => {
    const result = kql(`${T} | summarize count(), sum(v), max(t) by k | order by k asc`);
    expect(result.columns).toEqual([
      { name: 'k', type: 'string' },
      { name: 'count_', type: 'long' },
      { name: 'sum_v', type: 'long' },
      { name: 'max_t', type: 'datetime' },
    ]);
    expect(result.rows).toEqual([
      ['a', 2, 4, '2024-01-03T00:00:00Z'],
      ['b', 1, 2, '2024-01-02T00:00:00Z'],
      ['c', 1, null, null],
    ]);
  });

  it('without by gives one row even over no rows', () => {
    expect(kql(`${T} | where v > 100 | summarize count(), sum(v)`).rows).toEqual([[0, null]]);
    expect(kql(`${T} | where v > 100 | summarize count() by k`).rows).toEqual([]);
  });

  it('bin keeps the column name and groups by time', () => {
    const result = kql(`${T} | where isnotnull(t) | summarize n = count() by bin(t, 2d) | order by t asc`);
    expect(result.columns.map((c) => c.name)).toEqual(['t', 'n']);
    expect(result.rows.reduce((n, r) => n + (r[1] as number), 0)).toBe(3);
  });

  it('count and distinct', () => {
    expect(kql(`${T} | count`).rows).toEqual([[4]]);
    expect(kql(`${T} | distinct k | order by k asc`).rows).toEqual([['a'], ['b'], ['c']]);
    expect(kql(`${T} | distinct k, v | count`).rows).toEqual([[4]]);
  });

  it('arg_max(x, *) returns the whole row with the largest x per group', () => {
    const result = kql(`${T} | summarize arg_max(v, *) by k | order by k asc`);
    expect(result.columns.map((c) => c.name)).toEqual(['k', 'v', 't']);
    expect(result.rows[0]).toEqual(['a', 3, '2024-01-03T00:00:00Z']);
  });

  it('aggregates inside expressions', () => {
    expect(kql(`${T} | summarize r = sum(v) * 1.0 / count()`).rows).toEqual([[1.5]]);
  });
});

describe('sort / top / take', () => {
  it('sorts descending by default with nulls last, ascending with nulls first', () => {
    expect(kql(`${T} | sort by v | project v`).rows).toEqual([[3], [2], [1], [null]]);
    expect(kql(`${T} | sort by v asc | project v`).rows).toEqual([[null], [1], [2], [3]]);
    expect(kql(`${T} | sort by v asc nulls last | project v`).rows).toEqual([[1], [2], [3], [null]]);
    expect(kql(`${T} | order by k asc, v desc | project k, v`).rows).toEqual([
      ['a', 3],
      ['a', 1],
      ['b', 2],
      ['c', null],
    ]);
  });

  it('top and take', () => {
    expect(kql(`${T} | top 2 by v | project v`).rows).toEqual([[3], [2]]);
    expect(kql(`${T} | take 2 | count`).rows).toEqual([[2]]);
    expect(kql(`${T} | limit 0 | count`).rows).toEqual([[0]]);
  });
});

describe('join kinds and lookup', () => {
  const L = 'datatable(id:long, l:string)[1, "x", 1, "y", 2, "z", 3, "w"]';
  const R = 'datatable(id:long, r:string)[1, "p", 2, "q", 2, "s", 4, "u"]';
  const rows = (kind: string, project = '') =>
    kql(`${L} | join kind=${kind} (${R}) on id${project} | count`).rows[0][0];

  it('counts rows of every kind', () => {
    expect(rows('innerunique')).toBe(3); // left deduplicated on id: 1→p, 2→q, 2→s
    expect(rows('inner')).toBe(4); // 1x×p, 1y×p, 2→q, 2→s
    expect(rows('leftouter')).toBe(5); // inner 4 + 3 unmatched
    expect(rows('rightouter')).toBe(5); // inner 4 + 4 unmatched
    expect(rows('fullouter')).toBe(6);
    expect(rows('leftsemi')).toBe(3);
    expect(rows('leftanti')).toBe(1);
    expect(rows('rightsemi')).toBe(3);
    expect(rows('rightanti')).toBe(1);
  });

  it('renames the right side duplicate key to id1 and fills outer gaps with nulls', () => {
    const result = kql(`${L} | join kind=leftouter (${R}) on id | where id == 3`);
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'l', 'id1', 'r']);
    expect(result.rows).toEqual([[3, 'w', null, '']]);
  });

  it('joins on $left/$right columns with different names', () => {
    const result = kql(
      `${L} | join kind=inner (${R} | project-rename rid = id) on $left.id == $right.rid | summarize count()`,
    );
    expect(result.rows).toEqual([[4]]);
  });

  it('lookup adds the dimension columns without repeating the key', () => {
    const result = kql(`${L} | lookup (${R} | summarize r = take_any(r) by id) on id | order by l asc`);
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'l', 'r']);
    expect(result.rows.map((r) => r[1])).toEqual(['w', 'x', 'y', 'z']);
  });
});

describe('union, let, materialize, toscalar, range, print, datatable', () => {
  it('union with withsource and differing columns', () => {
    const result = kql(
      'let A = datatable(x:long)[1]; let B = datatable(y:string)["b"]; union withsource=Source A, B | order by Source asc',
    );
    expect(result.columns.map((c) => c.name)).toEqual(['Source', 'x', 'y']);
    expect(result.rows).toEqual([
      ['A', 1, ''],
      ['B', null, 'b'],
    ]);
  });

  it('let scalars, tabular lets, functions with defaults, toscalar and materialize', () => {
    const result = kql(`let threshold = 1;
      let f = (x:long, y:long = 10) { x + y };
      let data = materialize(${T} | where v > threshold);
      let total = toscalar(data | summarize sum(v));
      data | project k, v, share = todouble(v) / total, g = f(v), h = f(v, 1)`);
    expect(result.rows).toEqual([
      ['b', 2, 0.4, 12, 3],
      ['a', 3, 0.6, 13, 4],
    ]);
  });

  it('tabular functions', () => {
    expect(kql('let f = (n:long) { range i from 1 to n step 1 }; f(3) | count').rows).toEqual([[3]]);
  });

  it('range of longs, datetimes and timespans', () => {
    expect(kql('range x from 1 to 10 step 3').rows).toEqual([[1], [4], [7], [10]]);
    expect(kql('range d from datetime(2024-01-01) to datetime(2024-01-03) step 1d').rows).toEqual([
      ['2024-01-01T00:00:00Z'],
      ['2024-01-02T00:00:00Z'],
      ['2024-01-03T00:00:00Z'],
    ]);
  });

  it('render is kept as metadata; getschema describes columns', () => {
    expect(kql(`${T} | getschema`).rows[2]).toEqual(['t', 2, 'System.DateTime', 'datetime']);
  });

  it('in and between', () => {
    expect(kql(`${T} | where k in ("a", "c") | count`).rows).toEqual([[3]]);
    expect(kql(`${T} | where k !in ("a") | count`).rows).toEqual([[2]]);
    expect(kql(`${T} | where k in~ ("A") | count`).rows).toEqual([[2]]);
    expect(kql(`${T} | where v between (2 .. 3) | count`).rows).toEqual([[2]]);
    expect(kql(`${T} | where t between (datetime(2024-01-01) .. 1d) | count`).rows).toEqual([[2]]);
    expect(kql(`${T} | where k in ((${T} | where v == 2 | project k)) | count`).rows).toEqual([[1]]);
  });
});
