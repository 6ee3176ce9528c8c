import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

const ten = 'range v from 1 to 10 step 1';

describe('percentiles (nearest rank)', () => {
  it('picks the value at rank ceil(P/100 * n), the minimum for P=0', () => {
    const result = kql(
      `${ten} | summarize percentile(v, 0), percentile(v, 25), percentile(v, 70), percentile(v, 100)`,
    );
    expect(result.rows).toEqual([[1, 3, 7, 10]]);
  });

  it('keeps the input type and skips nulls', () => {
    const result = kql(
      'datatable(d:datetime, r:real)[datetime(2024-01-03), 0.5, datetime(2024-01-01), real(null), datetime(2024-01-02), 2.5] | summarize percentile(d, 50), percentile(r, 50)',
    );
    expect(result.columns.map((c) => c.type)).toEqual(['datetime', 'real']);
    expect(result.rows).toEqual([['2024-01-02T00:00:00Z', 0.5]]);
  });

  it('percentiles with one percent gives one column', () => {
    expect(scalar(`${ten} | summarize percentiles(v, 90)`)).toBe(9);
  });

  it('percentiles_array takes a list or a dynamic array of percents', () => {
    expect(scalar(`${ten} | summarize percentiles_array(v, 10, 55)`)).toBe('[1,6]');
    expect(scalar(`${ten} | summarize percentiles_array(v, dynamic([20, 100]))`)).toBe('[2,10]');
  });

  it('weighted percentiles count each value weight times', () => {
    // weights 1..10 sum to 55; rank ceil(27.5) = 28 is reached at v = 7 (1+2+…+7 = 28).
    expect(scalar(`${ten} | summarize percentilew(v, v, 50)`)).toBe(7);
    expect(
      scalar('datatable(v:long, w:long)[5, 3, 1, 1] | summarize percentilesw_array(v, w, 25, 50, 100)'),
    ).toBe('[1,5,5]');
  });

  it('is null for an empty group and rejects percents outside 0..100', () => {
    expect(scalar('datatable(v:long)[] | summarize percentile(v, 50)')).toBeNull();
    expect(() => kql(`${ten} | summarize percentile(v, 101)`)).toThrow();
  });
});

describe('variance and standard deviation', () => {
  it('sample and population forms', () => {
    // 1..10: mean 5.5, sum of squared deviations 82.5.
    const result = kql(`${ten} | summarize variance(v), variancep(v), stdev(v), stdevp(v)`);
    const [sample, population, sd, sdp] = result.rows[0] as number[];
    expect(sample).toBeCloseTo(82.5 / 9, 12);
    expect(population).toBeCloseTo(8.25, 12);
    expect(sd).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    expect(sdp).toBeCloseTo(Math.sqrt(8.25), 12);
  });

  it('conditional forms only count rows where the predicate holds', () => {
    // Odd values 1,3,5,7,9: mean 5, squared deviations 40.
    const result = kql(
      `${ten} | summarize varianceif(v, v % 2 == 1), variancepif(v, v % 2 == 1), stdevif(v, v % 2 == 1)`,
    );
    const [sample, population, sd] = result.rows[0] as number[];
    expect(sample).toBeCloseTo(10, 12);
    expect(population).toBeCloseTo(8, 12);
    expect(sd).toBeCloseTo(Math.sqrt(10), 12);
  });

  it('is 0 for empty groups and single values', () => {
    expect(kql('datatable(v:long)[] | summarize variance(v), stdev(v)').rows).toEqual([[0, 0]]);
    expect(scalar('print v = 4 | summarize variance(v)')).toBe(0);
  });
});

describe('covariance', () => {
  it('sample, population and conditional forms', () => {
    // x = 1..4, y = 2x: Σ(dx·dy) = 2·5 = 10.
    const base = 'range x from 1 to 4 step 1 | extend y = 2 * x';
    const result = kql(`${base} | summarize covariance(x, y), covariancep(x, y)`);
    expect(result.rows[0][0]).toBeCloseTo(10 / 3, 12);
    expect(result.rows[0][1]).toBeCloseTo(2.5, 12);
    // x in {2, 4}: mean 3, y mean 6, Σ = (−1)(−2) + (1)(2) = 4.
    const conditional = kql(
      `${base} | summarize covarianceif(x, y, x % 2 == 0), covariancepif(x, y, x % 2 == 0)`,
    );
    expect(conditional.rows[0][0]).toBeCloseTo(4, 12);
    expect(conditional.rows[0][1]).toBeCloseTo(2, 12);
  });
});

describe('bitwise aggregates', () => {
  it('and / or / xor over longs, null when empty', () => {
    const result = kql(
      'datatable(v:long)[12, 10, 6] | summarize a = binary_all_and(v), o = binary_all_or(v), x = binary_all_xor(v)',
    );
    expect(result.rows).toEqual([[0, 14, 0]]);
    expect(scalar('datatable(v:long)[-1, 255] | summarize a = binary_all_and(v)')).toBe(255);
    expect(scalar('datatable(v:long)[] | summarize a = binary_all_and(v)')).toBeNull();
  });
});

describe('take_anyif', () => {
  it('takes a value from a row where the predicate holds, null when none does', () => {
    expect(scalar(`${ten} | summarize take_anyif(v, v > 9)`)).toBe(10);
    expect(scalar(`${ten} | summarize take_anyif(v, v > 10)`)).toBeNull();
  });
});

describe('hll and dcount_hll', () => {
  it('counts distinct values through hll, hll_if and hll_merge', () => {
    expect(scalar(`${ten} | extend k = v % 4 | summarize h = hll(k) | project dcount_hll(h)`)).toBe(4);
    expect(scalar(`${ten} | summarize h = hll_if(v, v > 7) | project dcount_hll(h)`)).toBe(3);
    const merged = `${ten} | summarize h = hll(v % 3) by odd = v % 2 | summarize m = hll_merge(h) | project dcount_hll(m)`;
    expect(scalar(merged)).toBe(3);
    expect(
      scalar(`${ten} | summarize a = hll(v), b = hll(v + 5) | project dcount_hll(hll_merge(a, b))`),
    ).toBe(15);
  });

  it('is null over no rows', () => {
    expect(scalar('datatable(v:long)[] | summarize hll(v)')).toBeNull();
  });
});

describe('tdigest', () => {
  it('percentile_tdigest is exact for small inputs', () => {
    expect(
      scalar(`${ten} | summarize t = tdigest(v) | project percentile_tdigest(t, 30, typeof(long))`),
    ).toBe(3);
    expect(scalar(`${ten} | summarize t = tdigest(v) | project percentile_tdigest(t, 30)`)).toBe('3');
  });

  it('weights, merges and ranks', () => {
    expect(
      scalar(
        'datatable(v:real, w:long)[1.5, 3, 4.5, 1] | summarize t = tdigest(v, w) | project percentile_tdigest(t, 80)',
      ),
    ).toBe('4.5');
    const merged = `${ten} | summarize a = tdigest(v), b = tdigest(v + 10) | project m = merge_tdigest(a, b)`;
    expect(scalar(`${merged} | project percentile_tdigest(m, 50, typeof(long))`)).toBe(10);
    expect(scalar(`${merged} | project rank_tdigest(m, 12)`)).toBe(12);
    expect(scalar(`${merged} | project percentrank_tdigest(m, 5)`)).toBe(25);
    const aggregated = `${ten} | summarize t = tdigest(v) by odd = v % 2 | summarize m = tdigest_merge(t)`;
    expect(scalar(`${aggregated} | project percentiles_array_tdigest(m, 10, 100)`)).toBe('[1,10]');
  });
});

describe('percentiles with output columns (as the translator passes them for tuple results)', () => {
  it('returns one value per output column', async () => {
    await import('../../src/index.js');
    const { aggregateFunction } = await import('../../src/kql/functions/registry.js');
    const { Table } = await import('../../src/kql/table.js');
    const factory = aggregateFunction('percentiles');
    const create = factory?.({
      name: 'percentiles',
      argTypes: ['long', 'long', 'long'],
      resultType: 'long',
      isConstant: [false, true, true],
      constants: [null, 50, 90],
      now: 0n,
      input: new Table([], [], 0),
      args: [],
      outputs: [
        { name: 'percentile_v_50', type: 'long' },
        { name: 'percentile_v_90', type: 'long' },
      ],
    });
    const accumulator = create?.();
    for (let v = 1; v <= 10; v++) accumulator?.add([v, 50, 90], v - 1);
    expect(accumulator?.result()).toEqual([5, 9]);
  });
});
