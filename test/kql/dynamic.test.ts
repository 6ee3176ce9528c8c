import { describe, expect, it } from 'vitest';
import '../../src/kql/functions/index.js';
import { scalarFunction } from '../../src/kql/functions/registry.js';
import { kql, scalar } from '../helpers/kql.js';

/**
 * A dynamic cell parsed back from the API's JSON text. Datetimes inside a dynamic are written with a
 * seven-digit fraction by Kusto; a zero fraction is dropped here so that both spellings compare equal.
 */
function parseCell(cell: unknown, type: string): unknown {
  if (type !== 'dynamic' || typeof cell !== 'string') return cell;
  return JSON.parse(cell, (_key, v) =>
    typeof v === 'string' && /^\d{4}-\d\d-\d\dT[\d:]+\.0+Z$/.test(v) ? v.replace(/\.0+Z$/, 'Z') : v,
  );
}

/** The one cell of `print f(...)`. */
function value(expression: string, prelude = ''): unknown {
  const result = kql(`${prelude}print ${expression}`);
  return parseCell(result.rows[0][0], result.columns[0].type);
}

/** Values that the analyser must not see as constants of the wrong shape (non-arrays, nulls). */
const rows =
  'let v = datatable(n:dynamic, s:dynamic, b:dynamic)[dynamic(null), dynamic("text"), dynamic({"k":1})];';
function fromRow(expression: string): unknown {
  const result = kql(`${rows} v | project r = ${expression}`);
  return parseCell(result.rows[0][0], result.columns[0].type);
}

describe('packing', () => {
  it('pack_array keeps element types; datetimes and timespans become text', () => {
    expect(value('pack_array(1, 2.5, "a", true, int(null), dynamic({"x":[1]}))')).toEqual([
      1,
      2.5,
      'a',
      true,
      null,
      { x: [1] },
    ]);
    expect(value('pack_array(datetime(2021-03-04 05:06:07), 90m)')).toEqual([
      '2021-03-04T05:06:07Z',
      '01:30:00',
    ]);
  });

  it('bag_pack and its aliases build bags in argument order, keeping null values', () => {
    expect(value('bag_pack("b", 1, "a", "x", "n", long(null))')).toEqual({ b: 1, a: 'x', n: null });
    expect(value('pack("k", dynamic([1,2]))')).toEqual({ k: [1, 2] });
    expect(value('pack_dictionary("k", 1d)')).toEqual({ k: '1.00:00:00' });
    expect(kql('print bag_pack("a", 1)').columns[0].type).toBe('dynamic');
  });

  it('$pack_all (what the translator makes of pack_all) packs name/value pairs, optionally skipping null/empty', () => {
    const pack = scalarFunction('$pack_all')?.factory({
      name: '$pack_all',
      argTypes: ['bool', 'string', 'string', 'string', 'long', 'string', 'timespan'],
      resultType: 'dynamic',
      isConstant: [],
      constants: [],
      now: 0n,
    });
    const row = ['a', '', 'b', null, 'c', 36_000_000_000n];
    expect(pack?.(false, ...row)).toEqual({ a: '', b: null, c: '01:00:00' });
    expect(pack?.(true, ...row)).toEqual({ c: '01:00:00' });
  });

  it('repeat makes count copies; a negative count gives null', () => {
    expect(value('repeat("ab", 3)')).toEqual(['ab', 'ab', 'ab']);
    expect(value('repeat(1.5, 0)')).toEqual([]);
    expect(value('repeat(true, -1)')).toBeNull();
    expect(value('repeat(datetime(2020-02-03), 2)')).toEqual([
      '2020-02-03T00:00:00Z',
      '2020-02-03T00:00:00Z',
    ]);
  });
});

describe('range()', () => {
  it('steps numbers up to and including stop, default step 1', () => {
    expect(value('range(2, 11, 3)')).toEqual([2, 5, 8, 11]);
    expect(value('range(-1, 2)')).toEqual([-1, 0, 1, 2]);
    expect(value('range(10, 4, -3)')).toEqual([10, 7, 4]);
    expect(value('range(0.5, 2.0, 0.5)')).toEqual([0.5, 1, 1.5, 2]);
  });

  it('gives an empty array when the step moves away from stop, null for a zero step or null bound', () => {
    expect(value('range(5, 1)')).toEqual([]);
    expect(value('range(1, 5, 0)')).toBeNull();
    expect(value('range(1, long(null))')).toBeNull();
  });

  it('steps datetimes and timespans (default one hour)', () => {
    expect(value('range(datetime(2020-01-01 22:00), datetime(2020-01-02))')).toEqual([
      '2020-01-01T22:00:00Z',
      '2020-01-01T23:00:00Z',
      '2020-01-02T00:00:00Z',
    ]);
    expect(value('range(0s, 50s, 20s)')).toEqual(['00:00:00', '00:00:20', '00:00:40']);
    expect(value('range(datetime(2020-01-03), datetime(2020-01-01), -1d)')).toHaveLength(3);
  });
});

describe('array functions', () => {
  it('array_length: elements of an array, null for anything else', () => {
    expect(value('array_length(dynamic([]))')).toBe(0);
    expect(value('array_length(dynamic([1, [2, 3], {"a": 4}]))')).toBe(3);
    expect(fromRow('array_length(n)')).toBeNull();
    expect(fromRow('array_length(s)')).toBeNull();
    expect(fromRow('array_length(b)')).toBeNull();
  });

  it('array_concat joins arrays one level deep; a non-array gives null', () => {
    expect(value('array_concat(dynamic([1, [2]]), dynamic([]), dynamic(["x"]))')).toEqual([1, [2], 'x']);
    expect(fromRow('array_concat(dynamic([1]), n)')).toBeNull();
  });

  it('array_slice takes an inclusive range, negative indexes from the end, out-of-range ignored', () => {
    expect(value('array_slice(dynamic([0,1,2,3,4]), 1, 3)')).toEqual([1, 2, 3]);
    expect(value('array_slice(dynamic([0,1,2,3,4]), -2, -1)')).toEqual([3, 4]);
    expect(value('array_slice(dynamic([0,1,2,3,4]), 3, 99)')).toEqual([3, 4]);
    expect(value('array_slice(dynamic([0,1,2,3,4]), -99, 0)')).toEqual([0]);
    expect(value('array_slice(dynamic([0,1,2,3,4]), 3, 1)')).toEqual([]);
    expect(value('array_slice(dynamic([0,1,2]), 7, 9)')).toEqual([]);
  });

  it('array_split cuts before each index (negative from the end)', () => {
    expect(value('array_split(dynamic([1,2,3,4]), 1)')).toEqual([[1], [2, 3, 4]]);
    expect(value('array_split(dynamic([1,2,3,4]), -1)')).toEqual([[1, 2, 3], [4]]);
    expect(value('array_split(dynamic([1,2,3,4]), dynamic([0, 2]))')).toEqual([[], [1, 2], [3, 4]]);
    expect(value('array_split(dynamic([1,2]), 10)')).toEqual([[1, 2], []]);
  });

  it('array_reverse, and null for a non-array', () => {
    expect(value('array_reverse(dynamic([1, "b", null, [2]]))')).toEqual([[2], null, 'b', 1]);
    expect(value('array_reverse(dynamic([]))')).toEqual([]);
    expect(fromRow('array_reverse(s)')).toBeNull();
  });

  it('array_rotate_left/right wrap around; counts beyond the length wrap too', () => {
    expect(value('array_rotate_left(dynamic([1,2,3]), 1)')).toEqual([2, 3, 1]);
    expect(value('array_rotate_left(dynamic([1,2,3]), 4)')).toEqual([2, 3, 1]);
    expect(value('array_rotate_left(dynamic([1,2,3]), -1)')).toEqual([3, 1, 2]);
    expect(value('array_rotate_right(dynamic([1,2,3]), 1)')).toEqual([3, 1, 2]);
    expect(value('array_rotate_right(dynamic([1,2,3]), -5)')).toEqual([3, 1, 2]);
    expect(value('array_rotate_right(dynamic([]), 3)')).toEqual([]);
  });

  it('array_shift_left/right fill vacated slots with null or the default', () => {
    expect(value('array_shift_left(dynamic([1,2,3]), 1)')).toEqual([2, 3, null]);
    expect(value('array_shift_left(dynamic([1,2,3]), 5, 0)')).toEqual([0, 0, 0]);
    expect(value('array_shift_left(dynamic([1,2,3]), -1, "z")')).toEqual(['z', 1, 2]);
    expect(value('array_shift_right(dynamic([1,2,3]), 2, 1d)')).toEqual(['1.00:00:00', '1.00:00:00', 1]);
    expect(value('array_shift_right(dynamic([1,2,3]), 0)')).toEqual([1, 2, 3]);
    expect(value('array_shift_right(dynamic(["a", null, "c"]), 1)')).toEqual(['', 'a', null]);
    expect(value('array_shift_left(dynamic(["a", 1]), 1)')).toEqual([1, null]);
  });

  it('array_iff picks per element; numbers are conditions, other values give null', () => {
    expect(value('array_iff(dynamic([true, false]), dynamic(["a","b"]), dynamic(["c","d"]))')).toEqual([
      'a',
      'd',
    ]);
    expect(value('array_iif(dynamic([2, 0, "x", null]), 1, 0)')).toEqual([1, 0, null, null]);
    expect(value('array_iff(dynamic([false, false, false]), 1, dynamic([7]))')).toEqual([7, null, null]);
    expect(value('array_iff(dynamic([true]), datetime(2020-01-01), 0)')).toEqual(['2020-01-01T00:00:00Z']);
  });

  it('array_sum adds numbers as real; any non-number gives null', () => {
    const result = kql('print array_sum(dynamic([1, 2.5, -1]))');
    expect(result.columns[0].type).toBe('real');
    expect(result.rows[0][0]).toBe(2.5);
    expect(scalar('print array_sum(dynamic([]))')).toBe(0);
    expect(scalar('print array_sum(dynamic([1, "2"]))')).toBeNull();
    expect(scalar('print array_sum(dynamic([1, null]))')).toBeNull();
  });

  it('array_index_of: start (negative from the end), length (-1 = all), occurrence', () => {
    const arr = 'let a = dynamic(["x", "y", "x", "z", "x"]);';
    expect(value('array_index_of(a, "x")', arr)).toBe(0);
    expect(value('array_index_of(a, "x", 1)', arr)).toBe(2);
    expect(value('array_index_of(a, "x", 1, 1)', arr)).toBe(-1);
    expect(value('array_index_of(a, "x", 0, -1, 3)', arr)).toBe(4);
    expect(value('array_index_of(a, "x", -2)', arr)).toBe(4);
    expect(value('array_index_of(a, "X")', arr)).toBe(-1);
    expect(value('array_index_of(a, "x", 0, -2)', arr)).toBeNull();
    expect(value('array_index_of(a, "x", 0, -1, -1)', arr)).toBeNull();
  });

  it('array_index_of compares numbers by value and datetimes/timespans by ticks', () => {
    expect(value('array_index_of(dynamic([1, 2.0, "3"]), 2)')).toBe(1);
    expect(value('array_index_of(dynamic([1, 2.0, "3"]), 3)')).toBe(-1);
    expect(value('array_index_of(pack_array(1h, datetime(2020-05-06)), datetime(2020-05-06))')).toBe(1);
    expect(value('array_index_of(pack_array(1h, datetime(2020-05-06)), 60m)')).toBe(0);
    expect(fromRow('array_index_of(n, 1)')).toBeNull();
  });

  it('zip pairs elements by index, padding shorter arrays with null', () => {
    expect(value('zip(dynamic([1, 2]), dynamic(["a", "b"]))')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(value('zip(dynamic([1]), dynamic([]), dynamic([true, false]))')).toEqual([
      [1, null, true],
      [null, null, false],
    ]);
    expect(fromRow('zip(dynamic([1]), s)')).toBeNull();
  });
});

describe('array_sort_asc / array_sort_desc', () => {
  it('sorts numbers before strings before other values, nulls last by default', () => {
    expect(value('array_sort_asc(dynamic(["b", null, 10, 2.5, "a", true]))')).toEqual([
      2.5,
      10,
      'a',
      'b',
      true,
      null,
    ]);
    expect(value('array_sort_desc(dynamic([1, 3, null, 2]))')).toEqual([3, 2, 1, null]);
  });

  it('nulls_last = false puts nulls first', () => {
    expect(value('array_sort_asc(dynamic([2, null, 1]), false)')).toEqual([null, 1, 2]);
    expect(value('array_sort_desc(dynamic([2, null, 1]), false)')).toEqual([null, 2, 1]);
  });

  it('orders further arrays like the first; arrays of another length give null', () => {
    const result = kql(
      'print (k, v, w) = array_sort_desc(dynamic([1, 3, 2]), dynamic(["a", "c", "b"]), dynamic([1]))',
    );
    expect(result.rows[0].map((c) => JSON.parse(c as string))).toEqual([[3, 2, 1], ['c', 'b', 'a'], null]);
    expect(value('array_sort_asc(dynamic([2, 1]), dynamic(["x", "y"]))[1]')).toEqual(['y', 'x']);
  });

  it('keeps equal elements in input order and sorts strings ordinally', () => {
    expect(value('array_sort_asc(dynamic(["b", "B", "a"]))')).toEqual(['B', 'a', 'b']);
    expect(value('array_sort_asc(dynamic([2, 1]), dynamic(["p", "q"]))[1]')).toEqual(['q', 'p']);
  });
});

describe('set functions', () => {
  it('set_union keeps the first occurrence of each distinct value in order', () => {
    expect(value('set_union(dynamic([3, 1, 3]), dynamic([1, "1", 2]))')).toEqual([3, 1, '1', 2]);
    expect(value('set_union(dynamic([]), dynamic([]))')).toEqual([]);
    expect(value('set_union(dynamic([[1], {"a":1}]), dynamic([[1]]))')).toEqual([[1], { a: 1 }]);
  });

  it('set_intersect keeps values present in every array', () => {
    expect(value('set_intersect(dynamic([1, 2, 2, 3]), dynamic([2, 3, 4]), dynamic([3, 2]))')).toEqual([
      2, 3,
    ]);
    expect(value('set_intersect(dynamic([1]), dynamic([]))')).toEqual([]);
  });

  it('set_difference removes values found in any later array', () => {
    expect(value('set_difference(dynamic([1, 2, 1, 3, 4]), dynamic([2]), dynamic([4]))')).toEqual([1, 3]);
    expect(fromRow('set_difference(dynamic([1]), n)')).toBeNull();
  });

  it('set_has_element tests membership by value', () => {
    expect(value('set_has_element(dynamic(["a", 1]), "a")')).toBe(true);
    expect(value('set_has_element(dynamic(["a", 1]), "A")')).toBe(false);
    expect(value('set_has_element(dynamic([1.0]), 1)')).toBe(true);
  });

  it('jaccard_index is |intersection| / |union| over distinct values', () => {
    expect(value('jaccard_index(dynamic([1, 2, 2]), dynamic([2, 3]))')).toBeCloseTo(1 / 3);
    expect(value('jaccard_index(dynamic(["a"]), dynamic(["b"]))')).toBe(0);
    expect(value('jaccard_index(dynamic([1, 2]), dynamic([2, 1, 1]))')).toBe(1);
  });
});

describe('property bags', () => {
  it('bag_keys lists root keys; non-bags give null', () => {
    expect(value('bag_keys(dynamic({"z": 1, "a": {"b": 2}}))')).toEqual(['z', 'a']);
    expect(value('bag_keys(dynamic({}))')).toEqual([]);
    expect(fromRow('bag_keys(s)')).toBeNull();
  });

  it('bag_merge: the leftmost bag wins on duplicate keys', () => {
    expect(
      value('bag_merge(dynamic({"a": 1, "b": 2}), dynamic({"b": 3, "c": 4}), dynamic({"c": 5}))'),
    ).toEqual({
      a: 1,
      b: 2,
      c: 4,
    });
  });

  it('bag_has_key accepts root keys and JSONPath keys', () => {
    const bag = 'let d = dynamic({"a": {"b": null}, "x.y": 1, "s p": 2});';
    expect(value('bag_has_key(d, "a")', bag)).toBe(true);
    expect(value('bag_has_key(d, "$.a.b")', bag)).toBe(true);
    expect(value('bag_has_key(d, "$.a.c")', bag)).toBe(false);
    expect(value('bag_has_key(d, "x.y")', bag)).toBe(true);
    expect(value('bag_has_key(d, "$[\'s p\']")', bag)).toBe(true);
    expect(fromRow('bag_has_key(s, "a")')).toBe(false);
  });

  it('bag_remove_keys removes root and nested keys, ignoring missing ones', () => {
    expect(
      value('bag_remove_keys(dynamic({"a": 1, "b": {"c": 2, "d": 3}}), dynamic(["a", "$.b.c", "zz"]))'),
    ).toEqual({ b: { d: 3 } });
    expect(fromRow('bag_remove_keys(s, dynamic(["a"]))')).toBeNull();
  });

  it('bag_set_key replaces in place, appends new keys and creates nested bags', () => {
    expect(value('bag_set_key(dynamic({"a": 1, "b": 2}), "a", "x")')).toEqual({ a: 'x', b: 2 });
    expect(value('bag_set_key(dynamic({"a": 1}), "$.n.m", datetime(2020-01-01))')).toEqual({
      a: 1,
      n: { m: '2020-01-01T00:00:00Z' },
    });
    expect(value('bag_set_key(dynamic({"a": {"k": 1}}), "$.a.j", 2)')).toEqual({ a: { k: 1, j: 2 } });
    expect(fromRow('bag_set_key(n, "a", 1)')).toBeNull();
  });

  it('bag_zip pairs keys with values; non-string keys are skipped, missing values are null', () => {
    expect(value('bag_zip(dynamic(["a", 1, "b", "c"]), dynamic([10, 20, 30]))')).toEqual({
      a: 10,
      b: 30,
      c: null,
    });
    expect(fromRow('bag_zip(dynamic(["a"]), s)')).toEqual({ a: null });
    expect(fromRow('bag_zip(s, dynamic([1]))')).toBeNull();
  });

  it('treepath lists every slot path, with [0] standing for array elements', () => {
    expect(value('treepath(dynamic({"a": [1, {"b": 2}], "c": {"d": []}}))')).toEqual([
      "['a']",
      "['a'][0]",
      "['a'][0]['b']",
      "['c']",
      "['c']['d']",
    ]);
    expect(value('treepath(dynamic({}))')).toEqual([]);
  });

  it('dynamic_to_json writes canonical JSON with keys sorted; scalars as tostring', () => {
    expect(scalar('print dynamic_to_json(dynamic({"b": [2, {"z": 1, "y": null}], "a": "t"}))')).toBe(
      '{"a":"t","b":[2,{"y":null,"z":1}]}',
    );
    expect(scalar('print dynamic_to_json(12)')).toBe('12');
    expect(kql('print dynamic_to_json(dynamic([]))').columns[0].type).toBe('string');
  });
});
