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
  const groups = new Map<unknown, number>();
  // One scalar key: the value itself is the map key (Map compares strings, numbers and bigints by value).
  const rawKey = by.length === 1 && by[0].compiled.type !== 'dynamic';
  const groupKeys: Value[][] = by.map(() => []);
  const accumulators: Accumulator[][] = prepared.map(() => []);
  const argBuffers = prepared.map((p) => new Array<Value>(p.args.length));
  const byValues = new Array<Value>(by.length);

  const newGroup = (): number => {
    const index = accumulators[0]?.length ?? groupKeys[0]?.length ?? 0;
    for (let a = 0; a < prepared.length; a++) accumulators[a].push(prepared[a].create());
    return index;
  };

  let groupCount = 0;
  if (by.length === 0) {
    newGroup();
    groupCount = 1;
  }
  for (let row = 0; row < input.rowCount; row++) {
    let group = 0;
    if (by.length > 0) {
      let key: unknown;
      if (rawKey) {
        key = by[0].compiled.fn(row);
        byValues[0] = key as Value;
      } else {
        let text = '';
        for (let b = 0; b < by.length; b++) {
          const value = by[b].compiled.fn(row);
          byValues[b] = value;
          text += `${keyOf(value)}\u0001`;
        }
        key = text;
      }
      let found = groups.get(key);
      if (found === undefined) {
        found = groupCount++;
        groups.set(key, found);
        for (let b = 0; b < by.length; b++) groupKeys[b].push(byValues[b]);
        for (let a = 0; a < prepared.length; a++) accumulators[a].push(prepared[a].create());
      }
      group = found;
    }
    for (let a = 0; a < prepared.length; a++) {
      const args = argBuffers[a];
      const compiled = prepared[a].args;
      for (let i = 0; i < compiled.length; i++) args[i] = compiled[i].fn(row);
      accumulators[a][group].add(args, row);
    }
  }

  const columns: ColumnDef[] = [];
  const data: Value[][] = [];
  by.forEach(({ item, compiled }, b) => {
    const declared = item.expr.e === 'call' ? item.expr.type : compiled.type;
    columns.push({ name: item.name, type: declared });
    data.push(groupKeys[b].map((v) => coerce(v, compiled.type, declared)));
  });
  prepared.forEach((p, a) => {
    const results = accumulators[a].map((acc) => acc.result());
    const outputs = p.aggregate.outputs;
    if (outputs && outputs.length > 0) {
      outputs.forEach((output, o) => {
        columns.push(output);
        data.push(results.map((r) => (Array.isArray(r) ? (r[o] ?? null) : o === 0 ? r : null)));
      });
    } else {
      columns.push({ name: p.aggregate.name, type: p.aggregate.type });
      data.push(results as Value[]);
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
