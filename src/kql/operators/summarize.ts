import { dictionaryOf } from '../dictionary.js';
import { KqlError, NotSupportedError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import type { Compiled } from '../expr.js';
import { coerce } from '../functions/coerce.js';
import { type Accumulator, aggregateFunction } from '../functions/registry.js';
import type { Aggregate, ColumnDef, Expr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { keyOf, type Value } from '../values.js';

interface PreparedAggregate {
  aggregate: Aggregate;
  create: () => Accumulator;
  args: Compiled[];
}

/** Pulls aggregate calls out of `sum(x) / count()`-style expressions into hidden aggregates. */
function extractNested(expr: Expr, hidden: Aggregate[]): Expr {
  if (expr.e === 'call') {
    if (expr.fn.startsWith('$aggregate:')) {
      const name = `__aggregate_${hidden.length}`;
      hidden.push({ name, fn: expr.fn.slice(11), args: expr.args, type: expr.type, span: expr.span });
      return { e: 'column', name, type: expr.type };
    }
    return { ...expr, args: expr.args.map((a) => extractNested(a, hidden)) };
  }
  return expr;
}

export function summarizeTable(
  input: Table,
  node: Extract<Tabular, { op: 'summarize' }>,
  scope: Scope,
  executor: Executor,
): Table {
  const hidden: Aggregate[] = [];
  const expressions: { name: string; expr: Expr; type: Aggregate['type'] }[] = [];
  const direct: Aggregate[] = [];
  for (const aggregate of node.aggregates) {
    if (aggregate.fn === '$expression') {
      expressions.push({
        name: aggregate.name,
        expr: extractNested(aggregate.args[0], hidden),
        type: aggregate.type,
      });
    } else {
      direct.push(aggregate);
    }
  }
  const all = [...direct, ...hidden];
  const prepared: PreparedAggregate[] = all.map((aggregate) => {
    const factory = aggregateFunction(aggregate.fn);
    if (!factory) throw new NotSupportedError(`${aggregate.fn}()`, executor.text, aggregate.span.start);
    const args = aggregate.args.map((a) =>
      a.e === 'star'
        ? { fn: () => null, type: 'dynamic' as const, constant: true, value: null }
        : executor.compile(a, input, scope),
    );
    try {
      const create = factory({
        name: aggregate.fn,
        argTypes: args.map((a) => a.type),
        resultType: aggregate.type,
        isConstant: args.map((a) => a.constant),
        constants: args.map((a) => (a.constant ? (a.value ?? null) : null)),
        now: executor.now,
        input,
        args: aggregate.args,
        outputs: aggregate.outputs,
      });
      return { aggregate, create, args };
    } catch (error) {
      throw executor.located(error, aggregate.span.start);
    }
  });

  const by = node.by.map((item) => ({ item, compiled: executor.compile(item.expr, input, scope) }));
  const { groupOf, groupCount, groupKeys } = assignGroups(
    input.rowCount,
    by.map((b) => b.compiled),
  );
  const results = prepared.map((p) => aggregateColumn(p, groupOf, groupCount, input.rowCount));

  const columns: ColumnDef[] = [];
  const data: Value[][] = [];
  by.forEach(({ item, compiled }, b) => {
    const declared = item.expr.e === 'call' ? item.expr.type : compiled.type;
    columns.push({ name: item.name, type: declared });
    data.push(groupKeys[b].map((v) => coerce(v, compiled.type, declared)));
  });
  prepared.forEach((p, a) => {
    const outputs = p.aggregate.outputs;
    if (outputs && outputs.length > 0) {
      outputs.forEach((output, o) => {
        columns.push(output);
        data.push(results[a].map((r) => (Array.isArray(r) ? (r[o] ?? null) : o === 0 ? r : null)));
      });
    } else {
      columns.push({ name: p.aggregate.name, type: p.aggregate.type });
      data.push(results[a] as Value[]);
    }
  });
  let table = new Table(columns, data, groupCount);
  if (expressions.length > 0) {
    table = executor.extend(table, expressions, scope);
    const keep = new Set([
      ...node.by.map((b) => b.name),
      ...node.aggregates.map((a) => a.name),
      ...node.aggregates.flatMap((a) => a.outputs?.map((o) => o.name) ?? []),
    ]);
    const order = [
      ...node.by.map((b) => b.name),
      ...node.aggregates.flatMap((a) => (a.outputs?.length ? a.outputs.map((o) => o.name) : [a.name])),
    ];
    const indexes = order
      .map((name) => table.indexOf(name))
      .filter((i) => i >= 0 && keep.has(table.columns[i].name));
    table = new Table(
      indexes.map((i) => table.columns[i]),
      indexes.map((i) => table.data[i]),
      table.rowCount,
    );
    table.columns.forEach((c, i) => {
      const declared = expressions.find((e) => e.name === c.name)?.type;
      if (declared && declared !== c.type) table.columns[i] = { name: c.name, type: declared };
    });
  }
  if (table.columns.length === 0) throw new KqlError('summarize produced no columns');
  return table;
}

/**
 * The group of every row, and each group's key values. One scalar key is its own map key; several
 * keys go through nested maps, so no per-row key string is built.
 */
function assignGroups(
  rowCount: number,
  keys: Compiled[],
): { groupOf: Int32Array; groupCount: number; groupKeys: Value[][] } {
  const groupOf = new Int32Array(rowCount);
  const groupKeys: Value[][] = keys.map(() => []);
  if (keys.length === 0) return { groupOf, groupCount: 1, groupKeys };
  const encoding = keys.length === 1 ? dictionaryOf(keys[0].column) : undefined;
  if (encoding) {
    // A dictionary-encoded key: groups by code, no hashing.
    const groupOfCode = new Int32Array(encoding.values.length).fill(-1);
    let groupCount = 0;
    for (let row = 0; row < rowCount; row++) {
      const code = encoding.codes[row];
      let group = groupOfCode[code];
      if (group < 0) {
        group = groupCount++;
        groupOfCode[code] = group;
        groupKeys[0].push(encoding.values[code]);
      }
      groupOf[row] = group;
    }
    return { groupOf, groupCount, groupKeys };
  }
  const mapKey = keys.map((k) => k.type === 'dynamic');
  const root = new Map<unknown, unknown>();
  const last = keys.length - 1;
  const fns = keys.map((k) => k.fn);
  let groupCount = 0;
  for (let row = 0; row < rowCount; row++) {
    let map = root;
    for (let b = 0; b < last; b++) {
      const value = fns[b](row);
      const key = mapKey[b] && value !== null && typeof value === 'object' ? keyOf(value) : value;
      let next = map.get(key) as Map<unknown, unknown> | undefined;
      if (!next) {
        next = new Map();
        map.set(key, next);
      }
      map = next;
    }
    const value = fns[last](row);
    const key = mapKey[last] && value !== null && typeof value === 'object' ? keyOf(value) : value;
    let group = map.get(key) as number | undefined;
    if (group === undefined) {
      group = groupCount++;
      map.set(key, group);
      for (let b = 0; b < keys.length; b++) groupKeys[b].push(b === last ? value : fns[b](row));
    }
    groupOf[row] = group;
  }
  return { groupOf, groupCount, groupKeys };
}

/** One aggregate over all rows: a typed loop for the common ones, accumulators for the rest. */
function aggregateColumn(
  p: PreparedAggregate,
  groupOf: Int32Array,
  groupCount: number,
  rowCount: number,
): (Value | Value[])[] {
  const fn = p.aggregate.fn;
  const args = p.args;
  if (fn === 'count' && args.length === 0) {
    const counts = new Array<number>(groupCount).fill(0);
    for (let row = 0; row < rowCount; row++) counts[groupOf[row]]++;
    return counts;
  }
  if (fn === 'countif' && args.length === 1) {
    const counts = new Array<number>(groupCount).fill(0);
    const predicate = args[0].fn;
    for (let row = 0; row < rowCount; row++) if (predicate(row) === true) counts[groupOf[row]]++;
    return counts;
  }
  const numeric =
    args.length === 1 && (args[0].type === 'real' || args[0].type === 'int' || args[0].type === 'long');
  if ((fn === 'sum' || fn === 'avg') && numeric && !args[0].constant) {
    const fast = sumColumn(args[0], groupOf, groupCount, rowCount, fn === 'avg', p.aggregate.type === 'real');
    if (fast) return fast;
  }
  const accumulators: Accumulator[] = new Array(groupCount);
  for (let g = 0; g < groupCount; g++) accumulators[g] = p.create();
  const buffer = new Array<Value>(args.length);
  const fns = args.map((a) => a.fn);
  for (let row = 0; row < rowCount; row++) {
    for (let i = 0; i < fns.length; i++) buffer[i] = fns[i](row);
    accumulators[groupOf[row]].add(buffer, row);
  }
  return accumulators.map((acc) => acc.result());
}

/**
 * sum/avg in doubles; undefined (use the exact accumulators) when a long sum could lose precision.
 */
function sumColumn(
  arg: Compiled,
  groupOf: Int32Array,
  groupCount: number,
  rowCount: number,
  average: boolean,
  realResult: boolean,
): Value[] | undefined {
  const sums = new Float64Array(groupCount);
  const counts = new Float64Array(groupCount);
  const value = arg.fn;
  const integral = arg.type !== 'real';
  for (let row = 0; row < rowCount; row++) {
    const v = value(row);
    if (v === null) continue;
    if (typeof v !== 'number') return undefined;
    const g = groupOf[row];
    sums[g] += v;
    counts[g]++;
  }
  const out = new Array<Value>(groupCount);
  for (let g = 0; g < groupCount; g++) {
    if (counts[g] === 0) {
      out[g] = null;
      continue;
    }
    if (integral && !average && !realResult && !Number.isSafeInteger(sums[g])) return undefined;
    out[g] = average ? sums[g] / counts[g] : sums[g];
  }
  return out;
}
