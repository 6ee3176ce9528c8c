import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

const typed = (result: { columns: { name: string; type: string }[] }) =>
  result.columns.map((c) => `${c.name}:${c.type}`);

describe('evaluate bag_unpack', () => {
  const people =
    'datatable(p:dynamic, tag:string)[dynamic({"zone": "eu", "count": 3}), "t1", dynamic({"zone": "us", "extra": true}), "t2"]';

  it('turns slots into columns after the other input columns, ordered by name', () => {
    const result = kql(`${people} | evaluate bag_unpack(p)`);
    expect(typed(result)).toEqual(['tag:string', 'count:long', 'extra:bool', 'zone:string']);
    expect(result.rows).toEqual([
      ['t1', 3, null, 'eu'],
      ['t2', null, true, 'us'],
    ]);
  });

  it('prefixes the column names', () => {
    const result = kql(`${people} | evaluate bag_unpack(p, 'p_')`);
    expect(result.columns.map((c) => c.name)).toEqual(['tag', 'p_count', 'p_extra', 'p_zone']);
  });

  it('makes a column dynamic when its values differ in type, and ignores null values', () => {
    const result = kql(
      'datatable(p:dynamic)[dynamic({"v": 1, "n": null}), dynamic({"v": "one"}), dynamic(null)] | evaluate bag_unpack(p)',
    );
    expect(typed(result)).toEqual(['v:dynamic']);
    expect(result.rows).toEqual([['1'], ['"one"'], [null]]);
  });

  it('fails on a name clash unless told to keep or replace the source column', () => {
    const clash = 'datatable(zone:string, p:dynamic)["old", dynamic({"zone": "new", "k": 1})]';
    expect(() => kql(`${clash} | evaluate bag_unpack(p)`)).toThrow(/zone/);
    const kept = kql(`${clash} | evaluate bag_unpack(p, columnsConflict='keep_source')`);
    expect(typed(kept)).toEqual(['zone:string', 'k:long']);
    expect(kept.rows).toEqual([['old', 1]]);
    const replaced = kql(`${clash} | evaluate bag_unpack(p, columnsConflict='replace_source')`);
    expect(typed(replaced)).toEqual(['k:long', 'zone:string']);
    expect(replaced.rows).toEqual([[1, 'new']]);
  });

  it('follows an output schema: * for the input columns, then the named slots with their types', () => {
    const result = kql(`${people} | evaluate bag_unpack(p) : (*, zone:string, count:long)`);
    expect(typed(result)).toEqual(['tag:string', 'zone:string', 'count:long']);
    expect(result.rows).toEqual([
      ['t1', 'eu', 3],
      ['t2', 'us', null],
    ]);
    const only = kql(`${people} | evaluate bag_unpack(p) : (zone:string)`);
    expect(only.rows).toEqual([['eu'], ['us']]);
  });

  it('lets later operators use the unpacked columns', () => {
    const result = kql(`${people} | evaluate bag_unpack(p) | where zone == 'us' | project tag`);
    expect(result.rows).toEqual([['t2']]);
  });
});

describe('evaluate pivot', () => {
  const events = 'datatable(state:string, ev:string, n:long)["NY","a",2, "CA","a",5, "NY","b",1, "NY","a",3]';

  it('counts rows per remaining columns and pivot value by default, filling empty cells with 0', () => {
    const result = kql(`${events} | project state, ev | evaluate pivot(state)`);
    expect(typed(result)).toEqual(['ev:string', 'NY:long', 'CA:long']);
    expect(result.rows).toEqual([
      ['a', 2, 1],
      ['b', 1, 0],
    ]);
  });

  it('aggregates with the given function and groups by the given columns', () => {
    const result = kql(`${events} | evaluate pivot(state, sum(n), ev)`);
    expect(typed(result)).toEqual(['ev:string', 'NY:long', 'CA:long']);
    expect(result.rows).toEqual([
      ['a', 5, 5],
      ['b', 1, 0],
    ]);
  });

  it('groups by every column but the pivoted and aggregated ones when none are given', () => {
    const result = kql(`${events} | extend region = "r1" | evaluate pivot(state, sum(n))`);
    expect(result.columns.map((c) => c.name)).toEqual(['ev', 'region', 'NY', 'CA']);
  });

  it('fits an output schema by name', () => {
    const result = kql(
      `${events} | evaluate pivot(state, count(), ev) : (ev:string, CA:long, TX:long, NY:long)`,
    );
    expect(result.rows).toEqual([
      ['a', 1, 0, 2],
      ['b', 0, 0, 1],
    ]);
  });

  it('leaves out pivot values the output schema does not name', () => {
    const result = kql(`${events} | evaluate pivot(state, sum(n), ev) : (ev:string, CA:long)`);
    expect(result.rows).toEqual([
      ['a', 5],
      ['b', 0],
    ]);
  });

  it('refuses aggregates whose empty-cell value is not documented rather than guess', () => {
    expect(() => kql(`${events} | evaluate pivot(state, max(n), ev)`)).toThrow(/not supported/);
    const full = kql(`${events} | where ev == 'a' | evaluate pivot(state, max(n), ev)`);
    expect(full.rows).toEqual([['a', 3, 5]]);
  });
});

describe('evaluate rows_near', () => {
  const series = 'range i from 1 to 10 step 1 | extend hit = i in (3, 9)';

  it('keeps the rows within N rows of a match, in input order', () => {
    expect(kql(`${series} | evaluate rows_near(hit, 1) | project i`).rows).toEqual([
      [2],
      [3],
      [4],
      [8],
      [9],
      [10],
    ]);
  });

  it('takes a separate count of rows after a match', () => {
    expect(kql(`${series} | evaluate rows_near(i == 5, 0, 2) | project i`).rows).toEqual([[5], [6], [7]]);
  });
});

describe('evaluate ipv4_lookup', () => {
  const nets =
    'let Nets = datatable(net:string, site:string)["10.1.0.0/16", "lab", "10.1.2.0/24", "desk", "192.0.2.7", "host"];';

  it('joins each address to every network containing it', () => {
    const result = kql(
      `${nets} datatable(addr:string)["10.1.2.3", "10.1.9.9", "192.0.2.7", "8.8.8.8"] | evaluate ipv4_lookup(Nets, addr, net) | order by addr asc, site asc`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['addr', 'net', 'site']);
    expect(result.rows).toEqual([
      ['10.1.2.3', '10.1.2.0/24', 'desk'],
      ['10.1.2.3', '10.1.0.0/16', 'lab'],
      ['10.1.9.9', '10.1.0.0/16', 'lab'],
      ['192.0.2.7', '192.0.2.7', 'host'],
    ]);
  });

  it('keeps unmatched rows with empty lookup columns when return_unmatched is true', () => {
    const result = kql(
      `${nets} datatable(addr:string)["8.8.8.8", "not an ip"] | evaluate ipv4_lookup(Nets, addr, net, return_unmatched = true)`,
    );
    expect(result.rows).toEqual([
      ['8.8.8.8', '', ''],
      ['not an ip', '', ''],
    ]);
  });
});

describe('evaluate ipv6_lookup', () => {
  it('matches IPv6 addresses, :: shorthand included, against prefixes', () => {
    const result = kql(
      'let Nets = datatable(net:string, site:string)["fd00:1::/32", "east", "fd00:2:0:0::/64", "west"]; datatable(addr:string)["fd00:1:abcd::9", "fd00:0002::1", "fd00:3::1"] | evaluate ipv6_lookup(Nets, addr, net, return_unmatched = true)',
    );
    expect(result.columns.map((c) => c.name)).toEqual(['addr', 'net', 'site']);
    expect(result.rows).toEqual([
      ['fd00:1:abcd::9', 'fd00:1::/32', 'east'],
      ['fd00:0002::1', 'fd00:2:0:0::/64', 'west'],
      ['fd00:3::1', '', ''],
    ]);
  });
});

describe('evaluate with other plugins', () => {
  it('reports plugins it does not implement as not supported', () => {
    expect(() => kql('print x=1 | evaluate narrow()')).toThrow(/not supported/);
  });
});
