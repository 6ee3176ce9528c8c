/**
 * Operator plug-ins: mv-expand (and the legacy mvexpand) and mv-apply.
 *
 * mv-expand turns each element of a dynamic array (or each slot of a property bag) into its own row;
 * several expressions expand in parallel, the shorter ones padded with null. A null value gives one
 * row, an empty array or bag gives none. mv-apply expands each input row into a sub-table, runs a
 * subquery over it and appends the subquery's rows to the row's unexpanded columns.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError } from '../errors.js';
import { type Executor, Scope } from '../exec.js';
import { coerce, toGuid } from '../functions/coerce.js';
import type { ColumnDef, Expr, Tabular } from '../ir.js';
import { appendColumns, defineLazyColumn, Table } from '../table.js';
import { parseDatetime, parseTimespan, toDynamic } from '../text.js';
import { columnsOf, firstToken, list, nameOf, role, span, type Translator } from '../translate.js';
import { type Dynamic, isPlainObject, type KType, normLong, nullOf, toKType, type Value } from '../values.js';
import { registerOperator } from './plugins.js';

interface Expansion {
  /** The output column the elements go to. */
  name: string;
  expr: Expr;
  /** Set by `to typeof(T)`: each element is cast to T (non-conforming elements become null). */
  cast?: KType;
}

interface ExpandParams {
  expansions: Expansion[];
  /** `kind=array` / `bagexpansion=array`: bag slots become `[key, value]` instead of `{key: value}`. */
  bagAsArray: boolean;
  indexName?: string;
  limit?: Expr;
  /** Rows per input row when no `limit` is given. */
  defaultLimit: number;
}

interface ApplyParams extends ExpandParams {
  /** The schema of each per-row sub-table (what mv-expand would output). */
  expandedColumns: ColumnDef[];
  subquery: Tabular;
}

/** The legacy `mvexpand` stops at 128 rows per input row unless told otherwise. */
const LEGACY_LIMIT = 128;
const MAX_LIMIT = 2147483647;
/** The name the mv-apply subquery reads its implicit input from (not a valid KQL identifier). */
const APPLY_INPUT = '$mv-apply-input';

// ---- translation ----

function expandParameters(
  node: SyntaxNode,
  translator: Translator,
): { bagAsArray: boolean; indexName?: string } {
  let bagAsArray = false;
  let indexName: string | undefined;
  for (const parameter of list(node, 'Parameters')) {
    const name = nameOf(role(parameter, 'Name')).toLowerCase();
    const value = role(parameter, 'Expression');
    if (name === 'kind' || name === 'bagexpansion') {
      bagAsArray = String(value?.literal ?? firstToken(value) ?? '').toLowerCase() === 'array';
    } else if (name === 'with_itemindex') {
      indexName = nameOf(value);
    } else {
      translator.unsupported(`${firstToken(node)} ${name}`, parameter);
    }
  }
  return { bagAsArray, indexName };
}

/** The element type a `to typeof(T)` clause names. */
function castType(item: SyntaxNode): KType | undefined {
  const toTypeOf = role(item, 'ToTypeOf');
  if (!toTypeOf) return undefined;
  const name = role(toTypeOf, 'TypeOf')?.symbol?.name;
  return name ? toKType(name) : 'dynamic';
}

/**
 * The expansions of an mv-expand / mv-apply: explicit names, column references keep their name,
 * other expressions take the names the analyser gave them (`unnamed` supplies those in order).
 */
function expansions(node: SyntaxNode, translator: Translator, unnamed: () => string): Expansion[] {
  return list(node, 'Expressions').map((item) => {
    const inner = role(item, 'Expression')!;
    let name: string;
    let expr: Expr;
    if (inner.kind === 'SimpleNamedExpression') {
      name = nameOf(role(inner, 'Name'));
      expr = translator.expr(role(inner, 'Expression')!);
    } else {
      expr = translator.expr(inner);
      name = expr.e === 'column' ? expr.name : unnamed();
    }
    const cast = castType(item);
    return cast ? { name, expr, cast } : { name, expr };
  });
}

function rowLimit(node: SyntaxNode, translator: Translator): Expr | undefined {
  const clause = role(node, 'RowLimitClause');
  const limit = clause ? role(clause, 'RowLimit') : null;
  return limit ? translator.expr(limit) : undefined;
}

function translateMvExpand(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
  inputColumns: ColumnDef[],
): Tabular {
  if (!input) return translator.unsupported('mv-expand without input', node);
  const columns = translator.outputColumns(node);
  const { bagAsArray, indexName } = expandParameters(node, translator);
  const existing = new Set(inputColumns.map((c) => c.name));
  const explicit = new Set(
    list(node, 'Expressions')
      .map((item) => role(item, 'Expression')!)
      .filter((inner) => inner.kind === 'SimpleNamedExpression')
      .map((inner) => nameOf(role(inner, 'Name'))),
  );
  // Unnamed expressions get the appended columns the analyser named (`Column1`, …), in order.
  const appended = columns
    .map((c) => c.name)
    .filter((name) => !existing.has(name) && !explicit.has(name) && name !== indexName);
  let next = 0;
  const params: ExpandParams = {
    expansions: expansions(node, translator, () => appended[next++] ?? `Column${next}`),
    bagAsArray,
    indexName,
    limit: rowLimit(node, translator),
    defaultLimit: firstToken(role(node, 'MvExpandKeyword')) === 'mvexpand' ? LEGACY_LIMIT : MAX_LIMIT,
  };
  return { op: 'generic', name: 'mv-expand', input, node: params, columns, span: span(node) };
}

/** mv-expand's output schema: expanded columns replace input columns of the same name, others append. */
function expandedSchema(inputColumns: ColumnDef[], params: ExpandParams): ColumnDef[] {
  const columns = inputColumns.map((c) => ({ ...c }));
  for (const expansion of params.expansions) {
    const type = expansion.cast ?? 'dynamic';
    const index = columns.findIndex((c) => c.name === expansion.name);
    if (index >= 0) columns[index] = { name: expansion.name, type };
    else columns.push({ name: expansion.name, type });
  }
  if (params.indexName) columns.push({ name: params.indexName, type: 'long' });
  return columns;
}

/** Kusto's name for `a.b` and `a["b"]`: `a_b`; undefined for other expressions. */
function pathName(node: SyntaxNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === 'NameReference') return nameOf(node);
  const target = pathName(role(node, 'Expression') ?? undefined);
  const selector = role(node, 'Selector');
  if (target === undefined || !selector) return undefined;
  if (node.kind === 'PathExpression' && selector.kind !== 'BracketedExpression')
    return `${target}_${nameOf(selector)}`;
  const index = selector.kind === 'BracketedExpression' ? role(selector, 'Expression') : selector;
  return typeof index?.literal === 'string' ? `${target}_${index.literal}` : undefined;
}

/** Translates the subquery; its first operator reads the per-row sub-table. */
function subqueryWithInput(node: SyntaxNode, translator: Translator, inputColumns: ColumnDef[]): Tabular {
  switch (node.kind) {
    case 'MvApplySubqueryExpression':
    case 'ParenthesizedExpression':
      return subqueryWithInput(role(node, 'Expression')!, translator, inputColumns);
    case 'PipeExpression': {
      const left = role(node, 'Expression')!;
      return translator.operator(
        subqueryWithInput(left, translator, inputColumns),
        role(node, 'Operator')!,
        columnsOf(left.type),
      );
    }
    default:
      if (node.kind.endsWith('Operator')) {
        return translator.operator({ op: 'variable', name: APPLY_INPUT }, node, inputColumns);
      }
      return translator.tabular(node);
  }
}

function translateMvApply(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
  inputColumns: ColumnDef[],
): Tabular {
  if (!input) return translator.unsupported('mv-apply without input', node);
  if (role(node, 'ContextIdClause')) return translator.unsupported('mv-apply context_id', node);
  const { bagAsArray, indexName } = expandParameters(node, translator);
  const taken = new Set(inputColumns.map((c) => c.name));
  const unnamedItems = list(node, 'Expressions')
    .map((item) => role(item, 'Expression')!)
    .filter((inner) => inner.kind !== 'SimpleNamedExpression' && inner.symbol?.kind !== 'Column');
  let counter = 0;
  let position = 0;
  const unnamed = () => {
    let name = pathName(unnamedItems[position++]);
    if (name === undefined || taken.has(name)) {
      do name = `Column${++counter}`;
      while (taken.has(name));
    }
    taken.add(name);
    return name;
  };
  const items = expansions(node, translator, unnamed);
  const base: ExpandParams = {
    expansions: items,
    bagAsArray,
    indexName,
    limit: rowLimit(node, translator),
    defaultLimit: MAX_LIMIT,
  };
  const expandedColumns = expandedSchema(inputColumns, base);
  const params: ApplyParams = {
    ...base,
    expandedColumns,
    subquery: subqueryWithInput(role(node, 'Subquery')!, translator, expandedColumns),
  };
  return {
    op: 'generic',
    name: 'mv-apply',
    input,
    node: params,
    columns: translator.outputColumns(node),
    span: span(node),
  };
}

// ---- execution ----

/** The elements one value expands to. */
function elementsOf(value: Value, bagAsArray: boolean): Dynamic[] {
  if (value === null) return [null];
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) {
    return Object.entries(value).map(([key, slot]) => (bagAsArray ? [key, slot] : { [key]: slot }));
  }
  return [value];
}

/** `to typeof(T)` casts without converting: elements that are not already a T become null. */
function castElement(value: Dynamic, type: KType): Value {
  if (value === null) return nullOf(type);
  switch (type) {
    case 'dynamic':
      return value;
    case 'string':
      return typeof value === 'string' ? value : '';
    case 'bool':
      return typeof value === 'boolean' ? value : null;
    case 'long':
      if (typeof value === 'bigint') return normLong(value);
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'int': {
      const n = typeof value === 'bigint' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
    }
    case 'real':
    case 'decimal':
      // Whole reals (1.0) and longs look the same once in a dynamic value, so both are accepted.
      return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : null;
    // Datetimes, timespans and guids sit in dynamic values as their text.
    case 'datetime':
      return typeof value === 'string' ? parseDatetime(value) : null;
    case 'timespan':
      return typeof value === 'string' ? parseTimespan(value) : null;
    case 'guid':
      return typeof value === 'string' ? toGuid(value) : null;
  }
}

interface Expanded {
  /** For each output row, the input row it came from (ascending). */
  sources: number[];
  /** For each expansion, its column of elements. */
  values: Value[][];
  /** Each output row's element index. */
  indexes: number[];
}

function dynamicColumn(expr: Expr, input: Table, executor: Executor, scope: Scope): Value[] {
  const compiled = executor.compile(expr, input, scope);
  const values = executor.evaluate(compiled, input.rowCount);
  if (compiled.type === 'dynamic') return values;
  return values.map((v) => toDynamic(v, compiled.type));
}

function expandRows(input: Table, params: ExpandParams, executor: Executor, scope: Scope): Expanded {
  const limit = params.limit ? executor.constantNumber(params.limit, scope) : params.defaultLimit;
  if (limit < 0) throw new KqlError('mv-expand: the row limit must not be negative');
  const sourceColumns = params.expansions.map((e) => dynamicColumn(e.expr, input, executor, scope));
  const out: Expanded = { sources: [], values: params.expansions.map(() => []), indexes: [] };
  for (let row = 0; row < input.rowCount; row++) {
    const lists = sourceColumns.map((column) => elementsOf(column[row], params.bagAsArray));
    const count = Math.min(limit, Math.max(...lists.map((l) => l.length)));
    for (let i = 0; i < count; i++) {
      out.sources.push(row);
      out.indexes.push(i);
      params.expansions.forEach((expansion, e) => {
        const element = lists[e][i] ?? null;
        out.values[e].push(expansion.cast ? castElement(element, expansion.cast) : element);
      });
    }
  }
  return out;
}

/**
 * Lays the expanded values out in the given schema; other columns repeat their input row's value,
 * gathered when first read (a wide input's unread columns are never repeated).
 */
function expandedTable(input: Table, params: ExpandParams, expanded: Expanded, columns: ColumnDef[]): Table {
  const repeated = input.select(expanded.sources);
  const data: Value[][] = [];
  for (const column of columns) {
    const e = params.expansions.findIndex((x) => x.name === column.name);
    if (e >= 0) data.push(expanded.values[e]);
    else if (column.name === params.indexName) data.push(expanded.indexes.slice());
    else {
      const index = input.indexOf(column.name);
      if (index < 0) data.push(expanded.sources.map(() => nullOf(column.type)));
      else {
        appendRepeated(data, repeated, index, column.type);
      }
    }
  }
  return new Table(columns, data, expanded.sources.length);
}

/** Appends column `index` of `repeated` to `data` as `type`, without reading it (converted when read). */
function appendRepeated(data: Value[][], repeated: Table, index: number, type: KType): void {
  const from = repeated.columns[index].type;
  if (from === type) appendColumns(data, repeated.data, [index]);
  else defineLazyColumn(data, data.length, () => repeated.data[index].map((v) => coerce(v, from, type)));
}

function executeMvExpand(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const params = node.node as ExpandParams;
  const table = input!;
  const expanded = expandRows(table, params, executor, scope);
  return expandedTable(table, params, expanded, node.columns);
}

function executeMvApply(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const params = node.node as ApplyParams;
  const table = input!;
  const expanded = expandRows(table, params, executor, scope);
  const all = expandedTable(table, params, expanded, params.expandedColumns);
  const replaced = new Set(params.expansions.map((e) => e.name));
  const kept = new Set(table.columns.map((c) => c.name).filter((name) => !replaced.has(name)));
  // Output columns taken from the input row repeat it, gathered when first read; the others come
  // from the subquery's results.
  const fromInput = node.columns.map((column) => (kept.has(column.name) ? table.indexOf(column.name) : -1));
  const resultValues: Value[][] = node.columns.map(() => []);
  const inputRows: number[] = [];
  let start = 0;
  for (let row = 0; row < table.rowCount; row++) {
    let end = start;
    while (end < expanded.sources.length && expanded.sources[end] === row) end++;
    const subTable = all.select(rangeOf(start, end));
    start = end;
    const rowScope = new Scope(scope);
    rowScope.set(APPLY_INPUT, { kind: 'tabular', table: () => subTable });
    const result = executor.tabular(params.subquery, rowScope);
    for (let r = 0; r < result.rowCount; r++) inputRows.push(row);
    node.columns.forEach((column, c) => {
      if (fromInput[c] >= 0) return;
      const index = result.indexOf(column.name);
      const target = resultValues[c];
      for (let r = 0; r < result.rowCount; r++) {
        target.push(
          index < 0
            ? nullOf(column.type)
            : coerce(result.data[index][r], result.columns[index].type, column.type),
        );
      }
    });
  }
  const repeated = table.select(inputRows);
  const data: Value[][] = [];
  node.columns.forEach((column, c) => {
    const index = fromInput[c];
    if (index < 0) data.push(resultValues[c]);
    else appendRepeated(data, repeated, index, column.type);
  });
  return new Table(node.columns, data, inputRows.length);
}

function rangeOf(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

registerOperator('mv-expand', {
  kinds: ['MvExpandOperator'],
  translate: translateMvExpand,
  execute: executeMvExpand,
});

registerOperator('mv-apply', {
  kinds: ['MvApplyOperator'],
  translate: translateMvApply,
  execute: executeMvApply,
});
