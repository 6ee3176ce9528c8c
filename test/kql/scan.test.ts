import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

describe('scan', () => {
  it('carries a single step state forward (running product) using the declared default', () => {
    const result = kql(
      'range n from 1 to 4 step 1 | scan declare (p:long = 1) with (step s: true => p = n * s.p;)',
    );
    expect(result.columns).toEqual([
      { name: 'n', type: 'long' },
      { name: 'p', type: 'long' },
    ]);
    expect(result.rows).toEqual([
      [1, 1],
      [2, 2],
      [3, 6],
      [4, 24],
    ]);
  });

  it('declared columns without a default start as null; unassigned ones keep the default', () => {
    const result = kql(
      'range n from 1 to 3 step 1 | scan declare (prev:long, tag:string = "t") with (step s: true => prev = s.n;)',
    );
    expect(result.rows).toEqual([
      [1, null, 't'],
      [2, 1, 't'],
      [3, 2, 't'],
    ]);
  });

  it('advances sequences through steps and numbers them with with_match_id', () => {
    // Sequences: an "open" followed by "data" rows and closed by "close"; stray rows match nothing.
    const events =
      'datatable(i:long, ev:string)[1, "data", 2, "open", 3, "data", 4, "close", 5, "data", 6, "open", 7, "close"]';
    const result = kql(
      `${events} | scan with_match_id=m with (step a: ev == "open"; step b: ev == "data"; step c: ev == "close";)`,
    );
    expect(result.columns.map((c) => c.name)).toEqual(['i', 'ev', 'm']);
    // The second sequence has no "data" row, so its "close" cannot advance from step b; it matches
    // step c's own, still active, first sequence instead (check 2) and keeps that match id.
    expect(result.rows).toEqual([
      [2, 'open', 0],
      [3, 'data', 0],
      [4, 'close', 0],
      [6, 'open', 1],
      [7, 'close', 0],
    ]);
  });

  it('output=none hides a step; the next record may start a new sequence in the same pass', () => {
    const result = kql(
      `range t from 0 to 9 step 1 | scan with_match_id=g declare (start:long) with (
         step run: true => start = iff(isnull(run.start), t, run.start);
         step stop output=none: t - run.start >= 4;
       )`,
    );
    expect(result.rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
      [3, 0, 0],
      [4, 4, 1],
      [5, 4, 1],
      [6, 4, 1],
      [7, 4, 1],
      [8, 8, 2],
      [9, 8, 2],
    ]);
  });

  it('emits a record once per step it matches', () => {
    // Step b can advance from a and, for the same record, a can start again.
    const result = kql(
      'range n from 1 to 2 step 1 | scan with_match_id=m with (step a: true; step b: true;)',
    );
    expect(result.rows).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
    ]);
  });
});

describe('partition', () => {
  it('runs the subquery on each key group and stacks the results', () => {
    const result = kql(
      'datatable(k:string, v:long)["a", 3, "b", 5, "a", 1, "b", 2, "a", 2] | partition hint.strategy=native by k (top 1 by v asc)',
    );
    expect(result.rows).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
