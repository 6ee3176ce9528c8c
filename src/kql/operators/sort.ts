import { compareValues } from '../compare.js';
import type { Executor, Scope } from '../exec.js';
import type { SortKey } from '../ir.js';
import type { Table } from '../table.js';
import type { Value } from '../values.js';

function comparator(
  input: Table,
  keys: SortKey[],
  scope: Scope,
  executor: Executor,
): (a: number, b: number) => number {
  const columns = keys.map((key) => {
    const compiled = executor.compile(key.expr, input, scope);
    return { values: compiled.column ?? executor.evaluate(compiled, input.rowCount), key };
  });
  return (a, b) => {
    for (const { values, key } of columns) {
      const x: Value = values[a];
      const y: Value = values[b];
      if (x === y) continue;
      const xNull = x === null || (typeof x === 'number' && Number.isNaN(x));
      const yNull = y === null || (typeof y === 'number' && Number.isNaN(y));
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return xNull === key.nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y);
      if (c !== 0) return key.descending ? -c : c;
    }
    return a - b;
  };
}

export function sortTable(input: Table, keys: SortKey[], scope: Scope, executor: Executor): Table {
  const order = Array.from({ length: input.rowCount }, (_, i) => i);
  order.sort(comparator(input, keys, scope, executor));
  return input.select(order);
}

export function topTable(
  input: Table,
  keys: SortKey[],
  count: number,
  scope: Scope,
  executor: Executor,
): Table {
  const k = Math.max(0, Math.floor(count));
  const compare = comparator(input, keys, scope, executor);
  if (k === 0) return input.select([]);
  if (k * 4 >= input.rowCount) {
    const order = Array.from({ length: input.rowCount }, (_, i) => i);
    order.sort(compare);
    return input.select(order.slice(0, k));
  }
  // The k best rows so far, kept sorted; a row enters only if it beats the worst of them.
  const best: number[] = [];
  const quick = quickReject(input, keys, scope, executor);
  for (let row = 0; row < input.rowCount; row++) {
    if (best.length === k && (quick?.(row, best[k - 1]) || compare(row, best[k - 1]) >= 0)) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(best[mid], row) <= 0) low = mid + 1;
      else high = mid;
    }
    best.splice(low, 0, row);
    if (best.length > k) best.pop();
  }
  return input.select(best);
}

/**
 * For one numeric key: a cheap test that a row cannot beat the current worst of the top k (the full
 * comparator decides the rest, ties and nulls included).
 */
function quickReject(
  input: Table,
  keys: SortKey[],
  scope: Scope,
  executor: Executor,
): ((row: number, worst: number) => boolean) | undefined {
  if (keys.length !== 1) return undefined;
  const compiled = executor.compile(keys[0].expr, input, scope);
  const values = compiled.column;
  if (!values || !['long', 'int', 'real', 'datetime', 'timespan'].includes(compiled.type)) return undefined;
  const descending = keys[0].descending;
  return (row, worst) => {
    const v = values[row];
    const w = values[worst];
    if (v === null || w === null) return false;
    return descending ? v < w : v > w;
  };
}
