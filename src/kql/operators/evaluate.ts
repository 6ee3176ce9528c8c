/**
 * Operator plug-in: `evaluate` with the plugins bag_unpack, pivot, rows_near and ipv4_lookup /
 * ipv6_lookup. The output columns of
 * bag_unpack and pivot depend on the data (the analyser cannot know them) unless the query gives an
 * output schema, so both compute their schema at run time.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError, NotSupportedError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import { coerce } from '../functions/coerce.js';
import type { ColumnDef, Expr, Span, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { toText } from '../text.js';
import { columnsOf, list, nameOf, role, scalarType, span, type Translator } from '../translate.js';
import {
  type Dynamic,
  dynamicScalarType,
  isPlainObject,
  type KType,
  keyOf,
  nullOf,
  type Value,
} from '../values.js';
import { executeGeoLookup, type GeoLookupParams, translateGeoLookup } from './geo-lookup.js';
import { registerOperator } from './plugins.js';
import { summarizeTable } from './summarize.js';

interface OutputSchema {
  columns: ColumnDef[];
  /** `(*, …)`: the input's columns come first. */
  star: boolean;
}

interface BagUnpackParams {
  plugin: 'bag_unpack';
  column: Expr;
  /** The unpacked column's name, removed from the output (when the argument is a column). */
  columnName?: string;
  prefix?: Expr;
  conflict?: Expr;
  ignored?: Expr;
  schema?: OutputSchema;
}

interface PivotParams {
  plugin: 'pivot';
  pivot: Expr;
  aggregate: { fn: string; args: Expr[]; type: KType; span: Span };
  by: ColumnDef[];
  schema?: OutputSchema;
}

interface RowsNearParams {
  plugin: 'rows_near';
  condition: Expr;
  before: Expr;
  after?: Expr;
}

interface IpLookupParams {
  plugin: 'ipv4_lookup' | 'ipv6_lookup';
  table: Tabular;
  source: Expr;
  lookupKey: string;
  /** Columns that must also be equal on both sides. */
  extraKeys: string[];
  returnUnmatched?: Expr;
}

type EvaluateParams = BagUnpackParams | PivotParams | RowsNearParams | IpLookupParams | GeoLookupParams;

// ---- translation ----

function outputSchema(node: SyntaxNode, translator: Translator): OutputSchema | undefined {
  const clause = role(node, 'Schema');
  if (!clause) return undefined;
  const rowSchema = role(clause, 'Schema');
  return {
    columns: translator.outputColumns(node),
    star: Boolean(rowSchema && role(rowSchema, 'AsteriskToken')),
  };
}

/** Positional arguments in order, named ones (`columnsConflict='…'`) by lower-case name. */
function splitArguments(args: SyntaxNode[]): { positional: SyntaxNode[]; named: Map<string, SyntaxNode> } {
  const positional: SyntaxNode[] = [];
  const named = new Map<string, SyntaxNode>();
  for (const arg of args) {
    if (arg.kind === 'SimpleNamedExpression') {
      named.set(nameOf(role(arg, 'Name')).toLowerCase(), role(arg, 'Expression')!);
    } else {
      positional.push(arg);
    }
  }
  return { positional, named };
}

function translateBagUnpack(call: SyntaxNode, node: SyntaxNode, translator: Translator): BagUnpackParams {
  const { positional, named } = splitArguments(translator.argumentNodes(call));
  const optional = (position: number, name: string): Expr | undefined => {
    const arg = named.get(name) ?? positional[position];
    return arg ? translator.expr(arg) : undefined;
  };
  const columnNode = positional[0];
  if (!columnNode) return translator.unsupported('bag_unpack() without a column', call);
  const column = translator.expr(columnNode);
  return {
    plugin: 'bag_unpack',
    column,
    columnName: column.e === 'column' ? column.name : undefined,
    prefix: optional(1, 'outputcolumnprefix'),
    conflict: optional(2, 'columnsconflict'),
    ignored: optional(3, 'ignoredproperties'),
    schema: outputSchema(node, translator),
  };
}

function translatePivot(call: SyntaxNode, node: SyntaxNode, translator: Translator): PivotParams {
  const args = translator.argumentNodes(call);
  if (!args[0]) return translator.unsupported('pivot() without a column', call);
  const second = args[1];
  const aggregateNode = second?.kind === 'FunctionCallExpression' && second.symbol?.kind === 'Aggregate';
  const aggregate = aggregateNode
    ? {
        fn: nameOf(role(second, 'Name')),
        args: translator.argumentNodes(second).map((a) => translator.expr(a)),
        type: scalarType(second),
        span: span(second),
      }
    : { fn: 'count', args: [], type: 'long' as KType, span: span(call) };
  return {
    plugin: 'pivot',
    pivot: translator.expr(args[0]),
    aggregate,
    // The analyser types the call as the grouping columns (given, or all but the pivot/aggregated ones).
    by: columnsOf(call.type),
    schema: outputSchema(node, translator),
  };
}

function translateRowsNear(call: SyntaxNode, translator: Translator): RowsNearParams {
  const [condition, before, after] = translator.argumentNodes(call);
  if (!condition || !before)
    return translator.unsupported('rows_near() without a condition and a row count', call);
  return {
    plugin: 'rows_near',
    condition: translator.expr(condition),
    before: translator.expr(before),
    ...(after ? { after: translator.expr(after) } : {}),
  };
}

function translateIpLookup(
  plugin: 'ipv4_lookup' | 'ipv6_lookup',
  call: SyntaxNode,
  translator: Translator,
): IpLookupParams {
  const { positional, named } = splitArguments(translator.argumentNodes(call));
  const [table, source, lookupKey, ...rest] = positional;
  if (!table || !source || !lookupKey) return translator.unsupported('ipv4_lookup() arguments', call);
  const extraKeys: string[] = [];
  let returnUnmatched = named.get('return_unmatched');
  for (const arg of rest) {
    if (arg.symbol?.kind === 'Column') extraKeys.push(nameOf(arg));
    else returnUnmatched = arg;
  }
  return {
    plugin,
    table: translator.tabular(table),
    source: translator.expr(source),
    lookupKey: nameOf(lookupKey),
    extraKeys,
    ...(returnUnmatched ? { returnUnmatched: translator.expr(returnUnmatched) } : {}),
  };
}

function translateEvaluate(input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular {
  const call = role(node, 'FunctionCall');
  if (call?.kind !== 'FunctionCallExpression') return translator.unsupported('evaluate', node);
  const plugin = nameOf(role(call, 'Name'));
  if (!input) return translator.unsupported(`evaluate ${plugin} without input`, node);
  if (list(node, 'Parameters').length > 0) return translator.unsupported('evaluate parameters', node);
  let params: EvaluateParams;
  switch (plugin) {
    case 'bag_unpack':
      params = translateBagUnpack(call, node, translator);
      break;
    case 'pivot':
      params = translatePivot(call, node, translator);
      break;
    case 'rows_near':
      params = translateRowsNear(call, translator);
      break;
    case 'ipv4_lookup':
    case 'ipv6_lookup':
      params = translateIpLookup(plugin, call, translator);
      break;
    case 'geo_polygon_lookup':
    case 'geo_line_lookup':
      params = translateGeoLookup(plugin, call, translator);
      break;
    default:
      return translator.unsupported(`evaluate ${plugin}()`, call);
  }
  return {
    op: 'generic',
    name: 'evaluate',
    input,
    node: params,
    columns: translator.outputColumns(node),
    span: span(node),
  };
}

// ---- bag_unpack ----

function slotValue(value: Dynamic | undefined, type: KType): Value {
  if (value === undefined || value === null) return nullOf(type);
  if (type === 'dynamic') return value;
  return coerce(value, 'dynamic', type);
}

/** Slot names in ordinal order with the type of their non-null values (dynamic when they differ). */
function slotColumns(bags: ({ [key: string]: Dynamic } | null)[], ignored: Set<string>): ColumnDef[] {
  const types = new Map<string, KType>();
  for (const bag of bags) {
    if (!bag) continue;
    for (const [key, value] of Object.entries(bag)) {
      // Null slot values are ignored: they neither make a column nor decide its type.
      if (value === null || ignored.has(key)) continue;
      const type = dynamicScalarType(value);
      const seen = types.get(key);
      types.set(key, seen === undefined || seen === type ? type : 'dynamic');
    }
  }
  return [...types.keys()].sort().map((name) => ({ name, type: types.get(name)! }));
}

function constantText(expr: Expr | undefined, executor: Executor, scope: Scope): string | undefined {
  if (!expr) return undefined;
  const value = executor.scalar(expr, scope);
  return value === null ? undefined : String(value);
}

function ignoredSlots(expr: Expr | undefined, executor: Executor, scope: Scope): Set<string> {
  if (!expr) return new Set();
  const value = executor.scalar(expr, scope);
  if (value === null) return new Set();
  if (!Array.isArray(value)) throw new KqlError('bag_unpack(): ignoredProperties must be a dynamic array');
  return new Set(value.map((v) => String(v)));
}

interface UnpackPlan {
  /** Input columns carried over (by index). */
  kept: number[];
  /** Output columns made from slots: column name and slot key. */
  slots: { column: ColumnDef; key: string }[];
}

function planWithoutSchema(
  input: Table,
  params: BagUnpackParams,
  bags: ({ [key: string]: Dynamic } | null)[],
  executor: Executor,
  scope: Scope,
): UnpackPlan {
  const prefix = constantText(params.prefix, executor, scope) ?? '';
  const conflict = (constantText(params.conflict, executor, scope) ?? 'error').toLowerCase();
  if (!['error', 'replace_source', 'keep_source'].includes(conflict)) {
    throw new KqlError(`bag_unpack(): columnsConflict must be error, replace_source or keep_source`);
  }
  const keptNames = new Set(input.columns.map((c) => c.name).filter((name) => name !== params.columnName));
  const slots = slotColumns(bags, ignoredSlots(params.ignored, executor, scope))
    .map((slot) => ({ column: { name: prefix + slot.name, type: slot.type }, key: slot.name }))
    .filter((slot) => {
      if (!keptNames.has(slot.column.name)) return true;
      if (conflict === 'error') {
        throw new KqlError(`bag_unpack(): column '${slot.column.name}' already exists in the input`);
      }
      if (conflict === 'replace_source') keptNames.delete(slot.column.name);
      return conflict === 'replace_source';
    });
  const kept = input.columns.map((_, i) => i).filter((i) => keptNames.has(input.columns[i].name));
  return { kept, slots };
}

/** With an output schema: `*` stands for the input's columns (less the unpacked one), the rest are slots. */
function planWithSchema(
  input: Table,
  params: BagUnpackParams,
  schema: OutputSchema,
  prefix: string,
): UnpackPlan {
  const kept = schema.star
    ? input.columns.map((_, i) => i).filter((i) => input.columns[i].name !== params.columnName)
    : [];
  const slots = schema.columns.slice(kept.length).map((column) => ({
    column,
    key: prefix && column.name.startsWith(prefix) ? column.name.slice(prefix.length) : column.name,
  }));
  return { kept, slots };
}

function executeBagUnpack(input: Table, params: BagUnpackParams, executor: Executor, scope: Scope): Table {
  const compiled = executor.compile(params.column, input, scope);
  const bags = executor
    .evaluate(compiled, input.rowCount)
    .map((value) => (isPlainObject(value) ? value : null));
  const plan = params.schema
    ? planWithSchema(input, params, params.schema, constantText(params.prefix, executor, scope) ?? '')
    : planWithoutSchema(input, params, bags, executor, scope);
  const columns = [...plan.kept.map((i) => input.columns[i]), ...plan.slots.map((s) => s.column)];
  const data = [
    ...plan.kept.map((i) => input.data[i]),
    ...plan.slots.map(({ column, key }) => bags.map((bag) => slotValue(bag?.[key], column.type))),
  ];
  return new Table(columns, data, input.rowCount);
}

// ---- pivot ----

/** What a cell holds when no input row has its pivot value (documented for count and sum). */
const EMPTY_CELL: Record<string, (type: KType) => Value> = {
  count: () => 0,
  countif: () => 0,
  dcount: () => 0,
  sum: (type) => (type === 'long' || type === 'int' || type === 'real' || type === 'decimal' ? 0 : null),
};

interface PivotColumn {
  column: ColumnDef;
  values: Value[];
}

/** One row per grouping key and one column per pivot value, both in first-seen order. */
interface PivotGrid {
  rowCount: number;
  /** Per summarize group: its output row and its pivot column. */
  rowOf: number[];
  columnOf: number[];
  names: string[];
  /** The first summarize group of each output row (to read the grouping values from). */
  firstGroup: number[];
}

function pivotGrid(grouped: Table, byCount: number, executor: Executor, at: Span): PivotGrid {
  const pivotValues = grouped.data[byCount];
  const pivotType = grouped.columns[byCount].type;
  const rows = new Map<string, number>();
  const columns = new Map<string, number>();
  const grid: PivotGrid = { rowCount: 0, rowOf: [], columnOf: [], names: [], firstGroup: [] };
  for (let g = 0; g < grouped.rowCount; g++) {
    let key = '';
    for (let b = 0; b < byCount; b++) key += `${keyOf(grouped.data[b][g])}\u0001`;
    let row = rows.get(key);
    if (row === undefined) {
      row = rows.size;
      rows.set(key, row);
      grid.firstGroup.push(g);
    }
    const name = toText(pivotValues[g], pivotType);
    if (name === '')
      throw new NotSupportedError('pivot() over an empty or null value', executor.text, at.start);
    let column = columns.get(name);
    if (column === undefined) {
      column = columns.size;
      columns.set(name, column);
      grid.names.push(name);
    }
    grid.rowOf.push(row);
    grid.columnOf.push(column);
  }
  grid.rowCount = rows.size;
  return grid;
}

function emptyCell(params: PivotParams, executor: Executor, at: Span): (type: KType) => Value {
  const empty = EMPTY_CELL[params.aggregate.fn];
  if (empty) return empty;
  return () => {
    throw new NotSupportedError(
      `pivot() with ${params.aggregate.fn}() and empty cells`,
      executor.text,
      at.start,
    );
  };
}

function pivotColumns(grouped: Table, params: PivotParams, grid: PivotGrid, empty: (type: KType) => Value) {
  const byCount = params.by.length;
  const cells = grouped.data[byCount + 1];
  const cellType = grouped.columns[byCount + 1].type;
  const values = grid.names.map(() => new Array<Value | undefined>(grid.rowCount).fill(undefined));
  for (let g = 0; g < grouped.rowCount; g++) values[grid.columnOf[g]][grid.rowOf[g]] = cells[g];
  const out: PivotColumn[] = params.by.map((column, b) => ({
    column,
    values: grid.firstGroup.map((g) => grouped.data[b][g]),
  }));
  grid.names.forEach((name, i) => {
    out.push({
      column: { name, type: cellType },
      values: values[i].map((v) => (v === undefined ? empty(cellType) : v)),
    });
  });
  return out;
}

function executePivot(
  input: Table,
  params: PivotParams,
  node: Extract<Tabular, { op: 'generic' }>,
  executor: Executor,
  scope: Scope,
): Table {
  const by = params.by.map((c) => ({
    name: c.name,
    expr: { e: 'column', name: c.name, type: c.type } as Expr,
  }));
  const grouped = summarizeTable(
    input,
    {
      op: 'summarize',
      input: { op: 'variable', name: '$pivot-input' },
      by: [...by, { name: '$pivot', expr: params.pivot }],
      aggregates: [{ name: '$value', ...params.aggregate }],
    },
    scope,
    executor,
  );
  const grid = pivotGrid(grouped, by.length, executor, node.span);
  const byNames = new Set(params.by.map((c) => c.name));
  const clash = grid.names.find((name) => byNames.has(name));
  if (clash !== undefined) {
    throw new NotSupportedError(
      `pivot() value '${clash}' naming a grouping column`,
      executor.text,
      node.span.start,
    );
  }
  const empty = emptyCell(params, executor, node.span);
  const computed = pivotColumns(grouped, params, grid, empty);
  if (!params.schema) return toTable(computed, grid.rowCount);
  return fitSchema(computed, params.schema.columns, grid.rowCount, empty);
}

function toTable(columns: PivotColumn[], rowCount: number): Table {
  return new Table(
    columns.map((c) => c.column),
    columns.map((c) => c.values),
    rowCount,
  );
}

/** With an output schema, columns go by name: pivot values it does not name are left out. */
function fitSchema(
  computed: PivotColumn[],
  schema: ColumnDef[],
  rowCount: number,
  empty: (type: KType) => Value,
): Table {
  const byName = new Map(computed.map((c) => [c.column.name, c]));
  const columns = schema.map((column) => {
    const found = byName.get(column.name);
    if (found) return { column, values: found.values.map((v) => coerce(v, found.column.type, column.type)) };
    return { column, values: Array.from({ length: rowCount }, () => empty(column.type)) };
  });
  return toTable(columns, rowCount);
}

// ---- rows_near ----

/** The rows within `before` rows before or `after` rows after a row where the condition holds. */
function executeRowsNear(input: Table, params: RowsNearParams, executor: Executor, scope: Scope): Table {
  const before = executor.constantNumber(params.before, scope);
  const after = params.after ? executor.constantNumber(params.after, scope) : before;
  if (before < 0 || after < 0) throw new KqlError('rows_near(): the row counts must not be negative');
  const matches = executor.evaluate(executor.compile(params.condition, input, scope), input.rowCount);
  const keep = new Array<boolean>(input.rowCount).fill(false);
  matches.forEach((match, row) => {
    if (match !== true) return;
    const last = Math.min(input.rowCount - 1, row + after);
    for (let r = Math.max(0, row - before); r <= last; r++) keep[r] = true;
  });
  return input.select(keep.flatMap((k, row) => (k ? [row] : [])));
}

// ---- ipv4_lookup / ipv6_lookup ----

interface IpRange {
  address: bigint;
  prefix: number;
  width: number;
}

/** An IPv4 address or `address/prefix` as a 32-bit number and prefix length; null if not IPv4. */
function ipv4Range(text: Value): IpRange | null {
  if (typeof text !== 'string') return null;
  const match = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  return { address: octets.reduce((a, o) => a * 256n + BigInt(o), 0n), prefix, width: 32 };
}

/** The 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 as two groups). */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (/^[0-9a-f]{1,4}$/i.test(group)) out.push(Number.parseInt(group, 16));
      else if (group.includes('.')) {
        const v4 = ipv4Range(group);
        if (v4?.prefix !== 32) return null;
        out.push(Number(v4.address >> 16n), Number(v4.address & 0xffffn));
      } else return null;
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

/** An IPv6 (or IPv4, as ::ffff:a.b.c.d) address or range as a 128-bit number and prefix length. */
function ipv6Range(text: Value): IpRange | null {
  if (typeof text !== 'string') return null;
  const v4 = ipv4Range(text);
  if (v4) return { address: 0xffff00000000n + v4.address, prefix: v4.prefix + 96, width: 128 };
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) return null;
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  const groups = ipv6Groups(address);
  if (!groups || prefix > 128) return null;
  return { address: groups.reduce((a, g) => (a << 16n) + BigInt(g), 0n), prefix, width: 128 };
}

/** Whether two ranges agree on the bits of the shorter prefix (one contains the other). */
function ipOverlaps(a: IpRange, b: IpRange): boolean {
  const shift = BigInt(a.width - Math.min(a.prefix, b.prefix));
  return a.address >> shift === b.address >> shift;
}

function executeIpLookup(
  input: Table,
  params: IpLookupParams,
  node: Extract<Tabular, { op: 'generic' }>,
  executor: Executor,
  scope: Scope,
): Table {
  const lookup = executor.tabular(params.table, scope);
  const keyIndex = lookup.indexOf(params.lookupKey);
  if (keyIndex < 0)
    throw new KqlError(`ipv4_lookup/ipv6_lookup: no column '${params.lookupKey}' in the lookup table`);
  for (const column of lookup.columns) {
    if (input.indexOf(column.name) >= 0 && !params.extraKeys.includes(column.name)) {
      throw new NotSupportedError(
        `${params.plugin}() with column '${column.name}' on both sides`,
        executor.text,
        node.span.start,
      );
    }
  }
  const unmatched = params.returnUnmatched ? executor.scalar(params.returnUnmatched, scope) === true : false;
  const parse = params.plugin === 'ipv4_lookup' ? ipv4Range : ipv6Range;
  const sources = executor.evaluate(executor.compile(params.source, input, scope), input.rowCount).map(parse);
  const networks = lookup.data[keyIndex].map(parse);
  const extra = params.extraKeys.map((name) => ({
    left: input.data[input.indexOf(name)],
    right: lookup.data[lookup.indexOf(name)],
  }));
  const pairs: { left: number; right: number }[] = [];
  sources.forEach((source, left) => {
    let found = false;
    networks.forEach((network, right) => {
      if (!source || !network || !ipOverlaps(source, network)) return;
      if (extra.some((k) => keyOf(k.left[left]) !== keyOf(k.right[right]))) return;
      pairs.push({ left, right });
      found = true;
    });
    if (!found && unmatched) pairs.push({ left, right: -1 });
  });
  const data = node.columns.map((column) => {
    const fromInput = input.indexOf(column.name);
    if (fromInput >= 0) return pairs.map((p) => input.data[fromInput][p.left]);
    const fromLookup = lookup.indexOf(column.name);
    return pairs.map((p) =>
      p.right < 0 || fromLookup < 0 ? nullOf(column.type) : lookup.data[fromLookup][p.right],
    );
  });
  return new Table(node.columns, data, pairs.length);
}

function executeEvaluate(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const params = node.node as EvaluateParams;
  switch (params.plugin) {
    case 'bag_unpack':
      return executeBagUnpack(input!, params, executor, scope);
    case 'pivot':
      return executePivot(input!, params, node, executor, scope);
    case 'rows_near':
      return executeRowsNear(input!, params, executor, scope);
    case 'ipv4_lookup':
    case 'ipv6_lookup':
      return executeIpLookup(input!, params, node, executor, scope);
    case 'geo_polygon_lookup':
    case 'geo_line_lookup':
      return executeGeoLookup(input!, params as GeoLookupParams, node, executor, scope);
  }
}

registerOperator('evaluate', {
  kinds: ['EvaluateOperator'],
  translate: translateEvaluate,
  execute: executeEvaluate,
});
