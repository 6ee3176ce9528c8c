/**
 * Operator plug-ins: `top-nested`, `top-hitters`, `sample` and `sample-distinct`. The sampling operators
 * are deterministic here (Kusto's are random): a fixed-seed choice of rows, kept in input order.
 */
import type { SyntaxNode } from '../analyzer.js';
import { compareValues } from '../compare.js';
import { KqlError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import type { Compiled } from '../expr.js';
import { coerce } from '../functions/coerce.js';
import type { ColumnDef, Expr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { firstToken, role, span, type Translator } from '../translate.js';
import { keyOf, nullOf, type Value } from '../values.js';
import { aggregateRows, prepareAggregate, type RowAggregate } from './make-series.js';
import { registerOperator } from './plugins.js';

interface NestedLevel {
  count?: Expr;
  of: Expr;
  others?: Expr;
  aggregate: Expr;
  descending: boolean;
}

// ---- top-nested ----

function unwrapNamed(node: SyntaxNode): SyntaxNode {
  let inner = node.kind === 'SimpleNamedExpression' ? role(node, 'Expression')! : node;
  while (inner.kind === 'ParenthesizedExpression') inner = role(inner, 'Expression')!;
  return inner;
}

function nestedLevel(clause: SyntaxNode, translator: Translator): NestedLevel {
  const countNode = role(clause, 'Expression');
  const othersClause = role(clause, 'WithOthersClause');
  const othersNode = othersClause ? role(othersClause, 'Expression') : null;
  let by = role(clause, 'ByExpression')!;
  let descending = true;
  if (by.kind === 'OrderedExpression') {
    const ordering = role(by, 'Ordering');
    descending = firstToken(ordering ? role(ordering, 'AscOrDescKeyword') : null) !== 'asc';
    by = role(by, 'Expression')!;
  }
  const call = unwrapNamed(by);
  if (call.kind !== 'FunctionCallExpression' || call.symbol?.kind !== 'Aggregate')
    return translator.unsupported('top-nested by a non-aggregate expression', by);
  return {
    ...(countNode ? { count: translator.expr(countNode) } : {}),
    of: translator.expr(unwrapNamed(role(clause, 'OfExpression')!)),
    ...(othersNode ? { others: translator.expr(othersNode) } : {}),
    aggregate: translator.expr(call),
    descending,
  };
}

function translateTopNested(input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular {
  if (!input) return translator.unsupported('top-nested without input', node);
  const clauses = node.roles.Clauses;
  const levels = (Array.isArray(clauses) ? clauses : []).map((c) => nestedLevel(c, translator));
  const columns = translator.outputColumns(node);
  if (columns.length !== levels.length * 2) return translator.unsupported('top-nested output shape', node);
  return { op: 'generic', name: 'top-nested', input, node: levels, columns, span: span(node) };
}

interface PreparedLevel {
  level: NestedLevel;
  count: number;
  of: Compiled;
  others?: Value;
  aggregate: RowAggregate;
}

function constantAs(expr: Expr, type: ColumnDef['type'], executor: Executor, scope: Scope): Value {
  const compiled = executor.compile(expr, undefined, scope);
  const value = compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
  return coerce(value, compiled.type, type);
}

/** One output row under construction: a value and aggregate per level so far. */
type Prefix = Value[];

function executeTopNested(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('top-nested needs an input table');
  const columns = node.columns;
  const levels: PreparedLevel[] = (node.node as NestedLevel[]).map((level, i) => {
    const of = executor.compile(level.of, input, scope);
    return {
      level,
      count: level.count ? executor.constantNumber(level.count, scope) : Number.POSITIVE_INFINITY,
      of,
      ...(level.others ? { others: constantAs(level.others, columns[2 * i].type, executor, scope) } : {}),
      aggregate: prepareAggregate(level.aggregate, input, executor, scope),
    };
  });
  const rows: Prefix[] = [];
  const all = Array.from({ length: input.rowCount }, (_, i) => i);
  nest(levels, 0, all, [], rows, columns);
  const data = columns.map((_, c) => rows.map((r) => r[c]));
  return new Table(columns, data, rows.length);
}

/** Groups `rows` by this level's value, keeps the top groups and recurses into each. */
function nest(
  levels: PreparedLevel[],
  depth: number,
  rows: number[],
  prefix: Prefix,
  out: Prefix[],
  columns: ColumnDef[],
): void {
  if (depth === levels.length) {
    out.push(prefix);
    return;
  }
  const level = levels[depth];
  const groups = new Map<string, { value: Value; rows: number[] }>();
  for (const row of rows) {
    const value = level.of.fn(row);
    const key = keyOf(value);
    let group = groups.get(key);
    if (!group) {
      group = { value, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(row);
  }
  const ranked = [...groups.values()].map((g) => ({ ...g, total: aggregateRows(level.aggregate, g.rows) }));
  const direction = level.level.descending ? -1 : 1;
  ranked.sort((a, b) => direction * compareValues(a.total, b.total));
  const kept = ranked.slice(0, level.count);
  const ofType = columns[2 * depth].type;
  for (const group of kept) {
    nest(
      levels,
      depth + 1,
      group.rows,
      [...prefix, coerce(group.value, level.of.type, ofType), group.total],
      out,
      columns,
    );
  }
  if (level.others === undefined || ranked.length <= kept.length) return;
  const rest = ranked.slice(kept.length).flatMap((g) => g.rows);
  const othersRow = [...prefix, level.others, aggregateRows(level.aggregate, rest)];
  for (let c = othersRow.length; c < columns.length; c++) othersRow.push(nullOf(columns[c].type));
  out.push(othersRow);
}

registerOperator('top-nested', {
  kinds: ['TopNestedOperator'],
  translate: translateTopNested,
  execute: executeTopNested,
});

// ---- top-hitters ----

interface TopHittersParams {
  count: Expr;
  of: Expr;
  by?: Expr;
}

function translateTopHitters(input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular {
  if (!input) return translator.unsupported('top-hitters without input', node);
  const byClause = role(node, 'ByClause');
  const byNode = byClause ? role(byClause, 'Expression') : null;
  const params: TopHittersParams = {
    count: translator.expr(role(node, 'Expression')!),
    of: translator.expr(role(node, 'OfExpression')!),
    ...(byNode ? { by: translator.expr(byNode) } : {}),
  };
  const columns = translator.outputColumns(node);
  return { op: 'generic', name: 'top-hitters', input, node: params, columns, span: span(node) };
}

/** Exact counts (or sums) per value: a correct answer to Kusto's approximate top-hitters. */
function executeTopHitters(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('top-hitters needs an input table');
  const params = node.node as TopHittersParams;
  const count = executor.constantNumber(params.count, scope);
  const of = executor.compile(params.of, input, scope);
  const by = params.by ? executor.compile(params.by, input, scope) : undefined;
  const totals = new Map<string, { value: Value; total: number }>();
  for (let row = 0; row < input.rowCount; row++) {
    const value = of.fn(row);
    const weight = by ? by.fn(row) : 1;
    if (weight === null) continue;
    const key = keyOf(value);
    const entry = totals.get(key) ?? { value, total: 0 };
    entry.total += Number(weight);
    totals.set(key, entry);
  }
  const top = [...totals.values()].sort((a, b) => b.total - a.total).slice(0, Math.max(0, count));
  const [valueColumn, totalColumn] = node.columns;
  return new Table(
    node.columns,
    [
      top.map((t) => coerce(t.value, of.type, valueColumn.type)),
      top.map((t) => coerce(t.total, 'real', totalColumn.type)),
    ],
    top.length,
  );
}

registerOperator('top-hitters', {
  kinds: ['TopHittersOperator'],
  translate: translateTopHitters,
  execute: executeTopHitters,
});

// ---- sample, sample-distinct ----

/** `count` distinct indexes below `size`, chosen by a fixed-seed generator, in ascending order. */
function sampleIndexes(size: number, count: number): number[] {
  const n = Math.max(0, Math.min(size, Math.floor(count)));
  if (n === size) return Array.from({ length: size }, (_, i) => i);
  let seed = 0x2545f491;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  // Selection sampling (Knuth's algorithm S): each index is kept with the right conditional probability.
  const out: number[] = [];
  for (let i = 0; i < size && out.length < n; i++) {
    if ((size - i) * next() < n - out.length) out.push(i);
  }
  return out;
}

interface SampleParams {
  count: Expr;
  of?: Expr;
}

function translateSample(name: 'sample' | 'sample-distinct') {
  return (input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular => {
    if (!input) return translator.unsupported(`${name} without input`, node);
    const ofNode = role(node, 'OfExpression');
    const params: SampleParams = {
      count: translator.expr(role(node, 'Expression')!),
      ...(ofNode ? { of: translator.expr(ofNode) } : {}),
    };
    return {
      op: 'generic',
      name,
      input,
      node: params,
      columns: translator.outputColumns(node),
      span: span(node),
    };
  };
}

function executeSample(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('sample needs an input table');
  const count = executor.constantNumber((node.node as SampleParams).count, scope);
  return input.select(sampleIndexes(input.rowCount, count));
}

function executeSampleDistinct(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('sample-distinct needs an input table');
  const params = node.node as SampleParams;
  if (!params.of) throw new KqlError('sample-distinct needs an of expression');
  const count = executor.constantNumber(params.count, scope);
  const of = executor.compile(params.of, input, scope);
  const seen = new Map<string, Value>();
  for (let row = 0; row < input.rowCount; row++) {
    const value = of.fn(row);
    const key = keyOf(value);
    if (!seen.has(key)) seen.set(key, value);
  }
  const distinct = [...seen.values()];
  const chosen = sampleIndexes(distinct.length, count).map((i) => distinct[i]);
  const [column] = node.columns;
  return new Table(node.columns, [chosen.map((v) => coerce(v, of.type, column.type))], chosen.length);
}

registerOperator('sample', {
  kinds: ['SampleOperator'],
  translate: translateSample('sample'),
  execute: executeSample,
});
registerOperator('sample-distinct', {
  kinds: ['SampleDistinctOperator'],
  translate: translateSample('sample-distinct'),
  execute: executeSampleDistinct,
});
