/**
 * Operator plug-in: `make-series`. Rows are grouped by the `by` columns and binned on the axis from
 * `from` in steps of `step` (bins `from + k*step` below `to`); each aggregate gives one dynamic array per
 * group, with the default value where a bin has no rows.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError, NotSupportedError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import type { Compiled } from '../expr.js';
import { type Accumulator, aggregateFunction } from '../functions/registry.js';
import type { ColumnDef, Expr, Span, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { toDynamic } from '../text.js';
import { list, role, span, type Translator } from '../translate.js';
import { type Dynamic, type KType, keyOf, MIN_DATETIME_TICKS, type Value } from '../values.js';
import { namedParameters } from './parse.js';
import { registerOperator } from './plugins.js';

/** An aggregate call (`$aggregate:<fn>`) ready to run over any subset of a table's rows. */
export interface RowAggregate {
  create: () => Accumulator;
  args: Compiled[];
}

/** Compiles an aggregate call expression against a table, for per-group accumulation. */
export function prepareAggregate(
  call: Expr,
  input: Table,
  executor: Executor,
  scope: Scope,
  outputs?: ColumnDef[],
): RowAggregate {
  if (call.e !== 'call' || !call.fn.startsWith('$aggregate:'))
    throw new KqlError('expected an aggregation function');
  const fn = call.fn.slice('$aggregate:'.length);
  const factory = aggregateFunction(fn);
  if (!factory) throw new NotSupportedError(`${fn}()`, executor.text, call.span.start);
  const args = call.args.map(
    (a): Compiled =>
      a.e === 'star'
        ? { fn: () => null, type: 'dynamic', constant: true, value: null }
        : executor.compile(a, input, scope),
  );
  try {
    const create = factory({
      name: fn,
      argTypes: args.map((a) => a.type),
      resultType: call.type,
      isConstant: args.map((a) => a.constant),
      constants: args.map((a) => (a.constant ? (a.value ?? null) : null)),
      now: executor.now,
      input,
      args: call.args,
      outputs,
    });
    return { create, args };
  } catch (error) {
    throw executor.located(error, call.span.start);
  }
}

/** Feeds one row to an accumulator. */
export function accumulate(aggregate: RowAggregate, accumulator: Accumulator, row: number): void {
  accumulator.add(
    aggregate.args.map((a) => a.fn(row)),
    row,
  );
}

/** The aggregate's value over the given rows. */
export function aggregateRows(aggregate: RowAggregate, rows: Iterable<number>): Value {
  const accumulator = aggregate.create();
  for (const row of rows) accumulate(aggregate, accumulator, row);
  return accumulator.result() as Value;
}

interface SeriesAggregate {
  call: Extract<Expr, { e: 'call' }>;
  defaultValue?: Expr;
}

interface MakeSeriesParams {
  nonEmpty: boolean;
  aggregates: SeriesAggregate[];
  axis: Expr;
  from?: Expr;
  to?: Expr;
  step: Expr;
  /** `in range(start, stop, step)`: stop is inclusive. */
  inclusiveEnd: boolean;
  by: { name: string; expr: Expr }[];
  span: Span;
}

// ---- translation ----

function seriesAggregate(item: SyntaxNode, translator: Translator): SeriesAggregate {
  let call = role(item, 'Expression')!;
  if (call.kind === 'SimpleNamedExpression') call = role(call, 'Expression')!;
  while (call.kind === 'ParenthesizedExpression') call = role(call, 'Expression')!;
  if (call.kind !== 'FunctionCallExpression' || call.symbol?.kind !== 'Aggregate')
    return translator.unsupported('make-series over an expression of aggregates', call);
  const defaultClause = role(item, 'DefaultExpression');
  const defaultNode = defaultClause ? role(defaultClause, 'Expression') : null;
  const expr = translator.expr(call);
  if (expr.e !== 'call') return translator.unsupported('make-series aggregate', call);
  return {
    call: expr,
    ...(defaultNode ? { defaultValue: translator.expr(defaultNode) } : {}),
  };
}

function rangeClause(
  node: SyntaxNode,
  translator: Translator,
): Pick<MakeSeriesParams, 'from' | 'to' | 'step' | 'inclusiveEnd'> {
  const clause = role(node, 'RangeClause');
  if (!clause) return translator.unsupported('make-series without step', node);
  if (clause.kind === 'MakeSeriesInRangeClause') {
    const [from, to, step] = list(role(clause, 'Arguments')!, 'Expressions').map((e) => translator.expr(e));
    return { from, to, step, inclusiveEnd: true };
  }
  const part = (name: string): Expr | undefined => {
    const sub = role(clause, name);
    const expression = sub ? role(sub, 'Expression') : null;
    return expression ? translator.expr(expression) : undefined;
  };
  const step = part('MakeSeriesStepClause');
  if (!step) return translator.unsupported('make-series without step', node);
  return { from: part('MakeSeriesFromClause'), to: part('MakeSeriesToClause'), step, inclusiveEnd: false };
}

function translateMakeSeries(input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular {
  if (!input) return translator.unsupported('make-series without input', node);
  const columns = translator.outputColumns(node);
  const kind = namedParameters(node).get('kind');
  const byClause = role(node, 'ByClause');
  const byNodes = byClause ? list(byClause, 'Expressions') : [];
  const onClause = role(node, 'OnClause')!;
  const params: MakeSeriesParams = {
    nonEmpty: kind !== undefined && String(kind.literal ?? '').toLowerCase() === 'nonempty',
    aggregates: list(node, 'Aggregates').map((item) => seriesAggregate(item, translator)),
    axis: translator.expr(role(onClause, 'Expression')!),
    ...rangeClause(node, translator),
    by: translator.namedItems(byNodes, columns),
    span: span(node),
  };
  return { op: 'generic', name: 'make-series', input, node: params, columns, span: span(node) };
}

// ---- execution ----

/** Axis arithmetic: ticks (bigint) for datetime/timespan axes, numbers otherwise. */
interface Axis {
  start: number | bigint;
  step: number | bigint;
  count: number;
  /** The bin index of an axis value, or -1 when outside the series. */
  index(value: Value): number;
  /** The axis value of bin k, as a dynamic array element. */
  element(k: number): Dynamic;
}

const MAX_BINS = 10_000_000;

function tickAxis(type: KType, start: bigint, end: bigint, step: bigint, inclusive: boolean): Axis {
  if (step <= 0n) throw new KqlError('make-series: step must be positive');
  const span = end - start;
  const count = span < 0n ? 0 : Number(span / step) + (span % step !== 0n || inclusive ? 1 : 0);
  if (count > MAX_BINS) throw new KqlError('make-series: too many bins');
  return {
    start,
    step,
    count,
    index: (value) => {
      if (typeof value !== 'bigint') return -1;
      const offset = value - start;
      if (offset < 0n || (inclusive ? value > end : value >= end)) return -1;
      const k = Number(offset / step);
      return k < count ? k : -1;
    },
    element: (k) => toDynamic(start + BigInt(k) * step, type),
  };
}

function numberAxis(start: number, end: number, step: number, inclusive: boolean): Axis {
  if (!(step > 0)) throw new KqlError('make-series: step must be positive');
  const bins = (end - start) / step;
  let count = bins < 0 ? 0 : Math.ceil(bins);
  if (inclusive && bins >= 0) count = Math.floor(bins) + 1;
  if (count > MAX_BINS) throw new KqlError('make-series: too many bins');
  return {
    start,
    step,
    count,
    index: (value) => {
      if (value === null || typeof value === 'boolean' || typeof value === 'object') return -1;
      const offset = Number(value) - start;
      const beyond = inclusive ? Number(value) > end : Number(value) >= end;
      if (!(offset >= 0) || beyond) return -1;
      const k = Math.floor(offset / step);
      return k < count ? k : -1;
    },
    element: (k) => start + k * step,
  };
}

/** Start of the bin holding `value` (datetimes bin from 0001-01-01, as Kusto's bin() does). */
function binStart(value: number | bigint, step: number | bigint, type: KType): number | bigint {
  if (typeof value === 'bigint') {
    const s = BigInt(step);
    const origin = type === 'datetime' ? MIN_DATETIME_TICKS : 0n;
    const offset = value - origin;
    let q = offset / s;
    if (offset % s !== 0n && offset < 0n) q -= 1n;
    return origin + q * s;
  }
  const s = Number(step);
  return Math.floor(Number(value) / s) * s;
}

function dataRange(values: Value[]): { min: Value; max: Value } | undefined {
  let min: Value = null;
  let max: Value = null;
  for (const v of values) {
    if (v === null || typeof v === 'boolean' || typeof v === 'object' || typeof v === 'string') continue;
    if (typeof v === 'number' && Number.isNaN(v)) continue;
    if (min === null || v < (min as number | bigint)) min = v;
    if (max === null || v > (max as number | bigint)) max = v;
  }
  return min === null ? undefined : { min, max };
}

function buildAxis(
  params: MakeSeriesParams,
  axisType: KType,
  axisValues: Value[],
  executor: Executor,
  scope: Scope,
): Axis | undefined {
  const ticks = axisType === 'datetime' || axisType === 'timespan';
  const step = executor.scalar(params.step, scope);
  if (step === null) throw new KqlError('make-series: step must not be null');
  let start = params.from ? executor.scalar(params.from, scope) : null;
  let end = params.to ? executor.scalar(params.to, scope) : null;
  let inclusive = params.inclusiveEnd;
  // `in range(...)` bins with bin(), not bin_at(): the first bin is the one holding start.
  if (inclusive && start !== null)
    start = binStart(start as number | bigint, step as number | bigint, axisType);
  if (start === null || end === null) {
    const range = dataRange(axisValues);
    if (!range) return undefined;
    if (start === null) start = binStart(range.min as number | bigint, step as number | bigint, axisType);
    if (end === null) {
      // Up to the end of the bin holding the largest value.
      const from = start as number | bigint;
      const offset = binStart(
        ticks ? BigInt(range.max as bigint) - BigInt(from) : Number(range.max) - Number(from),
        step as number | bigint,
        'long',
      );
      end = ticks
        ? BigInt(from) + BigInt(offset) + BigInt(step as bigint)
        : Number(from) + Number(offset) + Number(step);
      inclusive = false;
    }
  }
  if (ticks)
    return tickAxis(
      axisType,
      BigInt(start as bigint),
      BigInt(end as bigint),
      BigInt(step as bigint),
      inclusive,
    );
  return numberAxis(Number(start), Number(end), Number(step), inclusive);
}

function defaultOf(aggregate: SeriesAggregate, executor: Executor, scope: Scope): Dynamic {
  if (aggregate.defaultValue) {
    const compiled = executor.compile(aggregate.defaultValue, undefined, scope);
    const value = compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
    return toDynamic(value, compiled.type);
  }
  const type = aggregate.call.type;
  return type === 'long' || type === 'int' || type === 'real' || type === 'decimal' ? 0 : null;
}

interface Group {
  keys: Value[];
  bins: Map<number, Accumulator[]>;
}

function executeMakeSeries(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('make-series needs an input table');
  const params = node.node as MakeSeriesParams;
  const axisCompiled = executor.compile(params.axis, input, scope);
  const axisValues = executor.evaluate(axisCompiled, input.rowCount);
  const axis = buildAxis(params, axisCompiled.type, axisValues, executor, scope);
  const aggregates = params.aggregates.map((a) => prepareAggregate(a.call, input, executor, scope));
  const by = params.by.map((b) => executor.compile(b.expr, input, scope));
  const groups = new Map<string, Group>();
  if (axis) {
    for (let row = 0; row < input.rowCount; row++) {
      const k = axis.index(axisValues[row]);
      if (k < 0) continue;
      const keys = by.map((b) => b.fn(row));
      const key = keys.map(keyOf).join('\u0001');
      let group = groups.get(key);
      if (!group) {
        group = { keys, bins: new Map() };
        groups.set(key, group);
      }
      let accumulators = group.bins.get(k);
      if (!accumulators) {
        accumulators = aggregates.map((a) => a.create());
        group.bins.set(k, accumulators);
      }
      for (let a = 0; a < aggregates.length; a++) accumulate(aggregates[a], accumulators[a], row);
    }
  }
  if (groups.size === 0 && params.nonEmpty && input.rowCount === 0) {
    if (!axis || by.length > 0)
      throw new NotSupportedError(
        'make-series kind=nonempty on empty input here',
        executor.text,
        params.span.start,
      );
    groups.set('', { keys: [], bins: new Map() });
  }
  return seriesTable(node.columns, params, [...groups.values()], axis, aggregates.length, (i) =>
    defaultOf(params.aggregates[i], executor, scope),
  );
}

function seriesTable(
  columns: ColumnDef[],
  params: MakeSeriesParams,
  groups: Group[],
  axis: Axis | undefined,
  aggregateCount: number,
  defaultValue: (aggregate: number) => Dynamic,
): Table {
  const data: Value[][] = columns.map(() => []);
  const byCount = params.by.length;
  const defaults = Array.from({ length: aggregateCount }, (_, i) => defaultValue(i));
  const resultTypes = params.aggregates.map((a) => a.call.type);
  const axisArray = axis ? Array.from({ length: axis.count }, (_, k) => axis.element(k)) : [];
  for (const group of groups) {
    for (let b = 0; b < byCount; b++) data[b].push(group.keys[b]);
    for (let a = 0; a < aggregateCount; a++) {
      const series: Dynamic[] = new Array(axisArray.length);
      for (let k = 0; k < axisArray.length; k++) {
        const accumulators = group.bins.get(k);
        series[k] = accumulators ? toDynamic(accumulators[a].result() as Value, resultTypes[a]) : defaults[a];
      }
      data[byCount + a].push(series);
    }
    data[byCount + aggregateCount].push(axisArray.slice());
  }
  return new Table(columns, data, groups.length);
}

registerOperator('make-series', {
  kinds: ['MakeSeriesOperator'],
  translate: translateMakeSeries,
  execute: executeMakeSeries,
});
