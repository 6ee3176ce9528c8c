import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

describe('core operators', () => {
  it('names unnamed print columns print_N and keeps explicit names', () => {
    const result = kql('print 1 + 2, x = "a"');
    expect(result.columns).toEqual([
      { name: 'print_0', type: 'long' },
      { name: 'x', type: 'string' },
    ]);
    expect(result.rows).toEqual([[3, 'a']]);
  });

  it('summarize count_/avg_ naming and sum over groups', () => {
    const result = kql(
      'datatable(a:long, b:string)[1,"x",2,"y",3,"x"] | summarize count(), avg(a), s = sum(a) by b | order by b asc',
    );
    expect(result.columns.map((c) => c.name)).toEqual(['b', 'count_', 'avg_a', 's']);
    expect(result.rows).toEqual([
      ['x', 2, 2, 4],
      ['y', 1, 2, 2],
    ]);
  });

  it('has matches whole terms, contains substrings', () => {
    expect(scalar('print "alpha beta" has "alp"')).toBe(false);
    expect(scalar('print "alpha beta" has "BETA"')).toBe(true);
    expect(scalar('print "alpha beta" contains "alp"')).toBe(true);
    expect(scalar('print "alpha beta" has_cs "BETA"')).toBe(false);
  });

  it('== is case-sensitive and =~ is not', () => {
    expect(scalar('print "Abc" == "abc"')).toBe(false);
    expect(scalar('print "Abc" =~ "abc"')).toBe(true);
  });

  it('default join is innerunique: one left row per key', () => {
    const result = kql(
      'datatable(k:long, l:string)[1,"a",1,"b"] | join (datatable(k:long, r:string)[1,"x",1,"y"]) on k | project l, r | order by r asc',
    );
    expect(result.rows).toHaveLength(2);
    expect(new Set(result.rows.map((r) => r[0])).size).toBe(1);
    const inner = kql(
      'datatable(k:long, l:string)[1,"a",1,"b"] | join kind=inner (datatable(k:long, r:string)[1,"x",1,"y"]) on k | count',
    );
    expect(inner.rows).toEqual([[4]]);
  });

  it('count(x) skips nulls while count() does not', () => {
    const result = kql('datatable(b:bool)[true, bool(null), false] | summarize count(), count(b)');
    expect(result.rows).toEqual([[3, 2]]);
  });

  it('datetime and timespan keep 100-ns precision', () => {
    expect(scalar('print datetime(2020-01-01 00:00:00.0000001) + 1tick')).toBe(
      '2020-01-01T00:00:00.0000002Z',
    );
    expect(scalar('print 1d + 2h + 3.5s')).toBe('1.02:00:03.5000000');
  });

  it('ago() follows the injected clock', () => {
    expect(scalar('print ago(1d)')).toBe('2025-12-31T00:00:00Z');
  });

  it('fails with not supported for unimplemented operators', () => {
    expect(() => kql('print x = 1 | fork (take 1)')).toThrow(/not supported/);
  });
});
