/**
 * Runs IR: statements bind names in scopes, tabular operators turn tables into tables. Relational
 * operators with more machinery (summarize, join, union, sort) live in their own modules.
 */
import { lineAndColumn } from './analyzer.js';
import { KqlError, NotSupportedError } from './errors.js';
import { type Compiled, compileExpr, constantOf } from './expr.js';
import { coerce } from './functions/coerce.js';
import { windowFunction } from './functions/registry.js';
import type { ColumnDef, Expr, FunctionBody, FunctionParam, Program, Tabular } from './ir.js';
import { joinTables } from './operators/join.js';
import { pluginByName } from './operators/plugins.js';
import { sortTable, topTable } from './operators/sort.js';
import { summarizeTable } from './operators/summarize.js';
import { unionTables } from './operators/union.js';
import { appendColumns, defineLazyColumn, pickColumns, Table } from './table.js';
import { asNumber, type KType, nullOf, type Value } from './values.js';

export type Binding =
  | { kind: 'scalar'; value: Value; type: KType }
  | { kind: 'tabular'; table: () => Table }
  | { kind: 'function'; params: FunctionParam[]; body: FunctionBody; scope: Scope };

export class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}

  set(name: string, binding: Binding): void {
    this.names.set(name, binding);
  }

  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}

/** Where the engine gets the database's tables from (the local workspace, or test data). */
/** A time window on a table's TimeGenerated, in ticks: from inclusive, to exclusive. */
export interface TimeRange {
  from?: bigint;
  to?: bigint;
}

export interface TableSource {
  /**
   * A table by name. With a range, the source may leave out stored rows outside it (whole partitions);
   * the query still filters every row itself.
   */
  table(name: string, range?: TimeRange): Table | undefined;
  /** Column names the query refers to, told before it runs (a source may load them together). */
  prefetch?(columns: Iterable<string>): void;
}

/**
 * Results of parameterless functions kept across the queries of one run (a report): the queries call
 * the same parser, and its lazily computed columns are then computed once. Only for functions whose
 * definition is the same in every query (`names`), with the same clock and source.
 */
export interface SharedFunctionResults {
  names: ReadonlySet<string>;
  /** By the stored table the function reads, then by function name. */
  byTable: WeakMap<Table, Map<string, Table>>;
  /** Functions that read no single stored table, by name and time window. */
  byRange: Map<string, Table>;
}

export interface RenderInfo {
  visualization: string;
  properties: Record<string, Value>;
}

export interface QueryOutput {
  tables: { name: string; table: Table }[];
  render?: RenderInfo;
}

export class Executor {
  render: RenderInfo | undefined;
  private readonly materialized = new Map<number, Table>();
  /** A time window for one stored-table node, set while a `where` evaluates its input. */
  private timeHint: { node: Tabular; range: TimeRange } | undefined;

  constructor(
    readonly text: string,
    readonly source: TableSource,
    readonly now: bigint,
    private readonly sharedFunctions?: SharedFunctionResults,
  ) {}

  /** Adds the query position to an error thrown by a function. */
  located(error: unknown, start: number): Error {
    if (error instanceof KqlError && !/ at \d+:\d+$/.test(error.message)) {
      const { line, column } = lineAndColumn(this.text, start);
      const located = new KqlError(`${error.message} at ${line}:${column}`, error.code);
      return located;
    }
    return error as Error;
  }

  run(program: Program): QueryOutput {
    this.source.prefetch?.(referencedColumns(program));
    const scope = new Scope();
    const tables: QueryOutput['tables'] = [];
    for (const statement of program.statements) {
      switch (statement.s) {
        case 'let-scalar':
          scope.set(statement.name, this.scalarBinding(statement.expr, scope));
          break;
        case 'let-tabular': {
          const query = statement.query;
          let cached: Table | undefined;
          const captured = scope;
          scope.set(statement.name, {
            kind: 'tabular',
            table: () => (cached ??= this.tabular(query, captured)),
          });
          break;
        }
        case 'let-function':
          scope.set(statement.name, {
            kind: 'function',
            params: statement.params,
            body: statement.body,
            scope,
          });
          break;
        case 'query': {
          this.render = undefined;
          const table = this.tabular(statement.query, scope);
          tables.push({ name: tables.length === 0 ? 'PrimaryResult' : `Table_${tables.length}`, table });
          break;
        }
      }
    }
    return { tables, render: this.render };
  }

  private scalarBinding(expr: Expr, scope: Scope): Binding {
    const compiled = compileExpr(expr, undefined, scope, this);
    const value = compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
    return { kind: 'scalar', value, type: compiled.type };
  }

  tabular(node: Tabular, scope: Scope): Table {
    switch (node.op) {
      case 'table': {
        const bound = scope.lookup(node.name);
        if (bound?.kind === 'tabular') return bound.table();
        const range = this.timeHint?.node === node ? this.timeHint.range : undefined;
        const table = this.source.table(node.name, range);
        if (!table) throw new KqlError(`table '${node.name}' is not in the workspace`);
        return table;
      }
      case 'variable': {
        const bound = scope.lookup(node.name);
        if (bound?.kind === 'tabular') return bound.table();
        if (bound?.kind === 'function') return this.callUserTabular(node.name, [], scope);
        const table = this.source.table(node.name);
        if (table) return table;
        throw new KqlError(`'${node.name}' is not a table`);
      }
      case 'user-call':
        return this.callUserTabular(node.name, node.args, scope);
      case 'materialize': {
        let table = this.materialized.get(node.id);
        if (!table) {
          table = this.tabular(node.input, scope);
          this.materialized.set(node.id, table);
        }
        return table;
      }
      case 'print':
        return this.project(new Table([], [], 1), node.items, scope);
      case 'datatable':
        return this.datatable(node.columns, node.values, scope);
      case 'range':
        return this.range(node, scope);
      case 'where': {
        const input = this.pushIntoInnerUnique(node);
        const pruned = input.op === 'table' ? this.prunedTable(input.name, node.predicate, scope) : undefined;
        return this.where(
          pruned ?? this.tabularWithinTime(input, node.predicate, scope),
          node.predicate,
          scope,
        );
      }
      case 'extend':
        return this.extend(this.tabular(node.input, scope), node.items, scope);
      case 'project':
        return this.project(this.tabular(node.input, scope), node.items, scope);
      case 'serialize': {
        const input = this.tabular(node.input, scope);
        return node.items.length ? this.extend(input, node.items, scope) : input;
      }
      case 'project-away': {
        const input = this.tabular(node.input, scope);
        const drop = namePredicate(node.names);
        return pick(
          input,
          input.columns.map((_, i) => i).filter((i) => !drop(input.columns[i].name)),
        );
      }
      case 'project-keep': {
        const input = this.tabular(node.input, scope);
        const keep = namePredicate(node.names);
        return pick(
          input,
          input.columns.map((_, i) => i).filter((i) => keep(input.columns[i].name)),
        );
      }
      case 'project-rename': {
        const input = this.tabular(node.input, scope);
        const columns = input.columns.map((c) => ({ ...c }));
        for (const { name, from } of node.renames) {
          const index = input.indexOf(from);
          if (index < 0) throw new KqlError(`project-rename: no column '${from}'`);
          columns[index].name = name;
        }
        return new Table(columns, input.data, input.rowCount);
      }
      case 'project-reorder':
        return this.reorder(this.tabular(node.input, scope), node.order);
      case 'summarize':
        return summarizeTable(this.tabular(node.input, scope), node, scope, this);
      case 'sort':
        return sortTable(this.tabular(node.input, scope), node.keys, scope, this);
      case 'take': {
        const input = this.tabular(node.input, scope);
        const count = this.constantNumber(node.count, scope);
        const n = Math.max(0, Math.min(input.rowCount, count));
        return input.select(Array.from({ length: n }, (_, i) => i));
      }
      case 'top':
        return topTable(
          this.tabular(node.input, scope),
          node.keys,
          this.constantNumber(node.count, scope),
          scope,
          this,
        );
      case 'join':
        return joinTables(this.tabular(node.left, scope), this.tabular(node.right, scope), node, scope, this);
      case 'union':
        return this.union(node, scope);
      case 'render': {
        const input = this.tabular(node.input, scope);
        this.render = { visualization: node.visualization, properties: node.properties };
        return input;
      }
      case 'getschema': {
        const input = this.tabular(node.input, scope);
        const columns: ColumnDef[] = [
          { name: 'ColumnName', type: 'string' },
          { name: 'ColumnOrdinal', type: 'int' },
          { name: 'DataType', type: 'string' },
          { name: 'ColumnType', type: 'string' },
        ];
        return new Table(
          columns,
          [
            input.columns.map((c) => c.name),
            input.columns.map((_, i) => i),
            input.columns.map((c) => DOTNET_TYPES[c.type]),
            input.columns.map((c) => c.type),
          ],
          input.columns.length,
        );
      }
      case 'as': {
        const input = this.tabular(node.input, scope);
        scope.set(node.name, { kind: 'tabular', table: () => input });
        return input;
      }
      case 'generic': {
        const plugin = pluginByName(node.name);
        if (!plugin) throw new NotSupportedError(node.name, this.text, node.span.start);
        const input = node.input ? this.tabular(node.input, scope) : undefined;
        return plugin.execute(node, input, this, scope);
      }
      default:
        throw new KqlError(`cannot run operator ${(node as { op: string }).op}`);
    }
  }

  private union(node: Extract<Tabular, { op: 'union' }>, scope: Scope): Table {
    if (!node.fuzzy)
      return unionTables(
        node.inputs.map((input) => this.tabular(input, scope)),
        node,
      );
    const legs: Table[] = [];
    const sourceNames: string[] = [];
    node.inputs.forEach((input, i) => {
      try {
        legs.push(this.tabular(input, scope));
        sourceNames.push(node.sourceNames[i]);
      } catch (error) {
        if (!(error instanceof KqlError)) throw error;
      }
    });
    return unionTables(legs, { ...node, sourceNames });
  }

  /**
   * Kusto pushes a filter on left-side columns below an innerunique join, so the filter decides which
   * duplicate left row survives; do the same to give the same rows.
   */
  private pushIntoInnerUnique(node: Extract<Tabular, { op: 'where' }>): Tabular {
    const join = node.input;
    if (join.op !== 'join' || join.kind !== 'innerunique' || !join.leftColumns) return join;
    const left = new Set(join.leftColumns);
    const referenced = columnNames(node.predicate);
    if (referenced.length === 0 || !referenced.every((name) => left.has(name))) return join;
    return { ...join, left: { op: 'where', input: join.left, predicate: node.predicate } };
  }

  /**
   * `Table | where TimeGenerated >= ago(7d) and …`: asks the source for the partitions the time
   * conditions can match, so months of stored data are not all read for a one-week query.
   */
  private prunedTable(name: string, predicate: Expr, scope: Scope): Table | undefined {
    if (scope.lookup(name)) return undefined;
    const range = this.timeRangeOf(predicate, scope);
    return range ? this.source.table(name, range) : undefined;
  }

  /**
   * `Parser() | where TimeGenerated > ago(7d)`, where the input reaches a stored table only through
   * operators that keep each row's TimeGenerated (extend, where, a user function made of those): the
   * table is read for the time window only, as if the condition were written right after it.
   */
  private tabularWithinTime(input: Tabular, predicate: Expr, scope: Scope): Table {
    const target = this.timeKeepingSource(input, scope, 0);
    const range = target ? this.timeRangeOf(predicate, scope) : undefined;
    if (!target || !range) return this.tabular(input, scope);
    const saved = this.timeHint;
    this.timeHint = { node: target, range };
    try {
      return this.tabular(input, scope);
    } finally {
      this.timeHint = saved;
    }
  }

  /** The stored-table node `node` reads through time-keeping operators only, if it does. */
  private timeKeepingSource(node: Tabular, scope: Scope, depth: number): Tabular | undefined {
    if (depth > 16) return undefined;
    const keepsTime = (names: string[]) => !names.includes('TimeGenerated');
    switch (node.op) {
      case 'table': {
        const bound = scope.lookup(node.name);
        if (!bound) return node;
        return bound.kind === 'function' && bound.params.length === 0
          ? this.functionSource(bound, depth)
          : undefined;
      }
      case 'user-call': {
        const bound = scope.lookup(node.name);
        return bound?.kind === 'function' && node.args.length === 0 && bound.params.length === 0
          ? this.functionSource(bound, depth)
          : undefined;
      }
      case 'where':
        return this.timeKeepingSource(node.input, scope, depth + 1);
      case 'extend':
        return keepsTime(node.items.map((item) => item.name))
          ? this.timeKeepingSource(node.input, scope, depth + 1)
          : undefined;
      case 'project-away':
        return this.timeKeepingSource(node.input, scope, depth + 1);
      case 'project-rename':
        return keepsTime(node.renames.flatMap((r) => [r.name, r.from]))
          ? this.timeKeepingSource(node.input, scope, depth + 1)
          : undefined;
      default:
        return undefined;
    }
  }

  private functionSource(fn: Extract<Binding, { kind: 'function' }>, depth: number): Tabular | undefined {
    const body = fn.body;
    if (body.statements.length > 0 || body.result.kind !== 'tabular') return undefined;
    return this.timeKeepingSource(body.result.query, fn.scope, depth + 1);
  }

  /** The TimeGenerated window a predicate's top-level conditions imply, if any. */
  private timeRangeOf(predicate: Expr, scope: Scope): TimeRange | undefined {
    const range: TimeRange = {};
    const bound = (expr: Expr): bigint | undefined => {
      if (expr.e === 'column' || columnNames(expr).length > 0) return undefined;
      try {
        const compiled = this.compile(expr, undefined, scope);
        return compiled.constant && compiled.type === 'datetime' && typeof compiled.value === 'bigint'
          ? compiled.value
          : undefined;
      } catch {
        return undefined;
      }
    };
    const isTime = (expr: Expr) => expr.e === 'column' && expr.name === 'TimeGenerated';
    const visit = (expr: Expr): void => {
      if (expr.e !== 'call') return;
      if (expr.fn === '$And') {
        expr.args.forEach(visit);
        return;
      }
      const [a, b, c] = expr.args;
      const lower = (t: bigint | undefined) => {
        if (t !== undefined && (range.from === undefined || t > range.from)) range.from = t;
      };
      const upper = (t: bigint | undefined) => {
        if (t !== undefined && (range.to === undefined || t < range.to)) range.to = t;
      };
      switch (expr.fn) {
        case '$GreaterThan':
        case '$GreaterThanOrEqual': {
          const inclusive = expr.fn === '$GreaterThanOrEqual';
          if (isTime(a)) lower(bound(b));
          else if (isTime(b)) upper(inclusive ? plusTick(bound(a)) : bound(a));
          break;
        }
        case '$LessThan':
        case '$LessThanOrEqual': {
          const inclusive = expr.fn === '$LessThanOrEqual';
          if (isTime(a)) upper(inclusive ? plusTick(bound(b)) : bound(b));
          else if (isTime(b)) lower(bound(a));
          break;
        }
        case '$Between':
          if (isTime(a)) {
            const from = bound(b);
            lower(from);
            const to = bound(c);
            upper(plusTick(to));
          }
          break;
      }
    };
    visit(predicate);
    if (range.from === undefined && range.to === undefined) return undefined;
    return range;
  }

  compile(expr: Expr, table: Table | undefined, scope: Scope): Compiled {
    return compileExpr(expr, table, scope, this);
  }

  constantNumber(expr: Expr, scope: Scope): number {
    const compiled = this.compile(expr, undefined, scope);
    const value = compiled.constant ? compiled.value : compiled.fn(0);
    const n = asNumber(value ?? null);
    if (n === null) throw new KqlError('expected a constant number');
    return n;
  }

  where(input: Table, predicate: Expr, scope: Scope): Table {
    const compiled = this.compile(predicate, input, scope);
    if (compiled.constant) return compiled.value === true ? input : input.select([]);
    const fn = compiled.fn;
    const selected: number[] = [];
    for (let row = 0; row < input.rowCount; row++) if (fn(row) === true) selected.push(row);
    return selected.length === input.rowCount ? input : input.select(selected);
  }

  /** Evaluates an expression for every row of a table into a column array. */
  evaluate(compiled: Compiled, rows: number): Value[] {
    const out = new Array<Value>(rows);
    if (compiled.constant) {
      out.fill(compiled.value ?? null);
      return out;
    }
    const fn = compiled.fn;
    for (let row = 0; row < rows; row++) out[row] = fn(row);
    return out;
  }

  extend(input: Table, items: { name: string; expr: Expr }[], scope: Scope): Table {
    let table = input;
    // Each item sees the columns the items before it made (`extend a = 1, b = a + 1`).
    for (const item of items) {
      const input = table;
      const rows = input.rowCount;
      // Compiled and computed when first read: a shared parser function extends many columns a query
      // may not use (compiling reads the columns an expression names, so it waits too when it can).
      const known = declaredType(item.expr) ?? columnType(item.expr, input);
      const compiled = known === undefined ? this.compile(item.expr, input, scope) : undefined;
      const type = known ?? resultType(compiled!, item.expr);
      const index = input.indexOf(item.name);
      const columns = input.columns.slice();
      const data = pickColumns(input.data);
      const at = index >= 0 ? index : columns.length;
      if (index >= 0) columns[index] = { name: item.name, type };
      else columns.push({ name: item.name, type });
      defineLazyColumn(
        data,
        at,
        () => this.column(compiled ?? this.compile(item.expr, input, scope), item.expr, rows),
        rowLocal(item.expr)
          ? (indexes) => {
              // A large selection computes the whole column once (later queries share it).
              if (indexes.length * SUBSET_FRACTION > rows) return gather(data[at], indexes);
              const selected = input.select(indexes);
              return this.column(this.compile(item.expr, selected, scope), item.expr, selected.rowCount);
            }
          : undefined,
      );
      table = new Table(columns, data, rows);
    }
    return table;
  }

  project(input: Table, items: { name: string; expr: Expr }[], scope: Scope): Table {
    const columns: ColumnDef[] = [];
    const data: Value[][] = [];
    let current = input;
    for (const item of items) {
      const compiled = this.compile(item.expr, current, scope);
      const values = this.column(compiled, item.expr, input.rowCount);
      columns.push({ name: item.name, type: resultType(compiled, item.expr) });
      data.push(values);
      // project a = 1, b = a + 1 works in Kusto: later items see earlier ones.
      if (current.indexOf(item.name) < 0) {
        current = new Table(
          [...current.columns, { name: item.name, type: columns[columns.length - 1].type }],
          appendColumns(pickColumns(current.data), [values]),
          current.rowCount,
        );
      }
    }
    return new Table(columns, data, input.rowCount);
  }

  /** A column of values, converted to the analyser's declared type when the function gave another. */
  private column(compiled: Compiled, expr: Expr, rows: number): Value[] {
    const values = this.evaluate(compiled, rows);
    const declared = declaredType(expr);
    if (declared && declared !== compiled.type) {
      for (let i = 0; i < values.length; i++) values[i] = coerce(values[i], compiled.type, declared);
    }
    return values;
  }

  private datatable(columns: ColumnDef[], values: Expr[], scope: Scope): Table {
    const width = columns.length;
    const rows = width ? Math.floor(values.length / width) : 0;
    const data: Value[][] = columns.map(() => new Array<Value>(rows));
    values.forEach((expr, i) => {
      const compiled = this.compile(expr, undefined, scope);
      const column = columns[i % width];
      const value = compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
      data[i % width][Math.floor(i / width)] = coerce(value, compiled.type, column.type);
    });
    return new Table(columns, data, rows);
  }

  private range(node: Extract<Tabular, { op: 'range' }>, scope: Scope): Table {
    const from = this.scalar(node.from, scope);
    const to = this.scalar(node.to, scope);
    const step = this.scalar(node.step, scope);
    const values: Value[] = [];
    const limit = 10_000_000;
    if (
      typeof from === 'bigint' ||
      typeof to === 'bigint' ||
      node.type === 'datetime' ||
      node.type === 'timespan'
    ) {
      const a = BigInt(from as bigint);
      const b = BigInt(to as bigint);
      const s = BigInt(step as bigint);
      if (s === 0n) throw new KqlError('range: step must not be zero');
      for (let v = a; s > 0n ? v <= b : v >= b; v += s) {
        values.push(v);
        if (values.length > limit) throw new KqlError('range: too many rows');
      }
    } else {
      const a = asNumber(from);
      const b = asNumber(to);
      const s = asNumber(step);
      if (a === null || b === null || s === null) return Table.empty([{ name: node.name, type: node.type }]);
      if (s === 0) throw new KqlError('range: step must not be zero');
      for (let i = 0; ; i++) {
        const v = a + i * s;
        if (s > 0 ? v > b : v < b) break;
        values.push(v);
        if (values.length > limit) throw new KqlError('range: too many rows');
      }
    }
    return new Table([{ name: node.name, type: node.type }], [values], values.length);
  }

  scalar(expr: Expr, scope: Scope): Value {
    const compiled = this.compile(expr, undefined, scope);
    return compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
  }

  private reorder(input: Table, order: { name: string; descending?: boolean; byName?: boolean }[]): Table {
    const taken = new Set<number>();
    const first: number[] = [];
    for (const item of order) {
      const matches = namePredicate([item.name]);
      const indexes = input.columns
        .map((_, i) => i)
        .filter((i) => !taken.has(i) && matches(input.columns[i].name));
      if (item.byName) {
        indexes.sort((a, b) => {
          const x = input.columns[a].name;
          const y = input.columns[b].name;
          return (x < y ? -1 : x > y ? 1 : 0) * (item.descending ? -1 : 1);
        });
      }
      for (const i of indexes) {
        taken.add(i);
        first.push(i);
      }
    }
    const rest = input.columns.map((_, i) => i).filter((i) => !taken.has(i));
    return pick(input, [...first, ...rest]);
  }

  // ---- user functions ----

  private bindArguments(
    params: FunctionParam[],
    args: Expr[],
    table: Table | undefined,
    callerScope: Scope,
    functionScope: Scope,
  ): Scope {
    const scope = new Scope(functionScope);
    const ordered = orderArguments(params, args);
    params.forEach((param, i) => {
      const arg = ordered[i] ?? param.defaultValue;
      if (param.tabular) {
        if (!arg) throw new KqlError(`missing tabular argument '${param.name}'`);
        if (arg.e === 'tabular-list') {
          const query = arg.query;
          let cached: Table | undefined;
          scope.set(param.name, {
            kind: 'tabular',
            table: () => (cached ??= this.tabular(query, callerScope)),
          });
        } else if (arg.e === 'variable' || arg.e === 'column') {
          const bound = callerScope.lookup(arg.name);
          if (bound) scope.set(param.name, bound);
          else {
            const source = this.source.table(arg.name);
            if (!source) throw new KqlError(`'${arg.name}' is not a table`);
            scope.set(param.name, { kind: 'tabular', table: () => source });
          }
        } else {
          throw new KqlError(`argument '${param.name}' must be a table`);
        }
        return;
      }
      if (!arg) {
        scope.set(param.name, {
          kind: 'scalar',
          value: nullOf(param.type ?? 'dynamic'),
          type: param.type ?? 'dynamic',
        });
        return;
      }
      const compiled = compileExpr(arg, table, callerScope, this);
      if (!compiled.constant) throw new RowDependent();
      const type = param.type ?? compiled.type;
      scope.set(param.name, {
        kind: 'scalar',
        value: coerce(compiled.value ?? null, compiled.type, type),
        type,
      });
    });
    return scope;
  }

  callUserTabular(name: string, args: Expr[], scope: Scope): Table {
    const fn = scope.lookup(name);
    if (fn?.kind !== 'function') {
      if (fn?.kind === 'tabular' && args.length === 0) return fn.table();
      throw new KqlError(`'${name}' is not a function`);
    }
    const call = () => {
      const inner = this.bindArguments(fn.params, args, undefined, scope, fn.scope);
      const body = this.runBody(fn.body, inner);
      if (body.kind !== 'tabular') throw new KqlError(`function '${name}' does not return a table`);
      return this.tabular(body.query, body.scope);
    };
    const shared = this.sharedFunctions;
    if (!shared?.names.has(name) || args.length > 0 || fn.params.length > 0) return call();
    const hint = this.timeHint;
    const target = this.functionSource(fn, 0);
    const range = hint && target === hint.node ? hint.range : undefined;
    // Keyed by the stored table the function reads when it reads one: windows that select the same
    // partitions then share one result.
    const stored = target?.op === 'table' ? this.source.table(target.name, range) : undefined;
    let byName = stored ? shared.byTable.get(stored) : shared.byRange;
    if (!byName) {
      byName = new Map();
      if (stored) shared.byTable.set(stored, byName);
    }
    const key = stored ? name : `${name}/${range?.from ?? ''}/${range?.to ?? ''}`;
    let table = byName.get(key);
    if (!table) {
      table = call();
      byName.set(key, table);
    }
    return table;
  }

  private runBody(
    body: FunctionBody,
    scope: Scope,
  ): { kind: 'tabular'; query: Tabular; scope: Scope } | { kind: 'scalar'; expr: Expr; scope: Scope } {
    const inner = new Scope(scope);
    for (const statement of body.statements) {
      if (statement.s === 'let-scalar') inner.set(statement.name, this.scalarBinding(statement.expr, inner));
      else if (statement.s === 'let-tabular') {
        const query = statement.query;
        let cached: Table | undefined;
        inner.set(statement.name, { kind: 'tabular', table: () => (cached ??= this.tabular(query, inner)) });
      } else if (statement.s === 'let-function') {
        inner.set(statement.name, {
          kind: 'function',
          params: statement.params,
          body: statement.body,
          scope: inner,
        });
      }
    }
    return body.result.kind === 'tabular'
      ? { kind: 'tabular', query: body.result.query, scope: inner }
      : { kind: 'scalar', expr: body.result.expr, scope: inner };
  }

  /** A user function in a scalar context: constant arguments bind once; row arguments bind per row. */
  callUserScalar(expr: Extract<Expr, { e: 'user-call' }>, table: Table | undefined, scope: Scope): Compiled {
    const fn = scope.lookup(expr.name);
    if (fn?.kind === 'scalar' && expr.args.length === 0) return constantOf(fn.value, fn.type);
    if (fn?.kind !== 'function') throw new KqlError(`'${expr.name}' is not a function`);
    try {
      const inner = this.bindArguments(fn.params, expr.args, table, scope, fn.scope);
      const body = this.runBody(fn.body, inner);
      if (body.kind === 'tabular') {
        const result = this.tabular(body.query, body.scope);
        return constantOf(result.rowCount ? result.data[0][0] : null, result.columns[0]?.type ?? 'dynamic');
      }
      return compileExpr(body.expr, table, body.scope, this);
    } catch (error) {
      if (!(error instanceof RowDependent)) throw error;
    }
    // Arguments that vary by row: compile the body with parameters read from per-row columns.
    const argCompiled = orderArguments(fn.params, expr.args).map((a) =>
      a ? compileExpr(a, table, scope, this) : undefined,
    );
    const rows = table?.rowCount ?? 1;
    const paramColumns: ColumnDef[] = [];
    const paramData: Value[][] = [];
    fn.params.forEach((param, i) => {
      if (param.tabular) return;
      const compiled =
        argCompiled[i] ??
        (param.defaultValue
          ? compileExpr(param.defaultValue, table, scope, this)
          : constantOf(null, param.type ?? 'dynamic'));
      const type = param.type ?? compiled.type;
      const values = this.evaluate(compiled, rows).map((v) => coerce(v, compiled.type, type));
      paramColumns.push({ name: param.name, type });
      paramData.push(values);
    });
    const base = table ?? new Table([], [], 1);
    const extended = new Table(
      [...paramColumns, ...base.columns],
      appendColumns(paramData, base.data),
      base.rowCount,
    );
    // The body's lets may read the parameters: inline them into the result expression.
    const inner = new Scope(fn.scope);
    const lets = new Map<string, Expr>();
    const params = new Set(fn.params.map((p) => p.name));
    const inline = (e: Expr): Expr => substituteVariables(e, lets, params);
    for (const statement of fn.body.statements) {
      if (statement.s === 'let-scalar') lets.set(statement.name, inline(statement.expr));
      else if (statement.s === 'let-function') {
        inner.set(statement.name, {
          kind: 'function',
          params: statement.params,
          body: statement.body,
          scope: inner,
        });
      } else if (statement.s === 'let-tabular') {
        const query = statement.query;
        let cached: Table | undefined;
        inner.set(statement.name, { kind: 'tabular', table: () => (cached ??= this.tabular(query, inner)) });
      }
    }
    if (fn.body.result.kind === 'tabular')
      throw new NotSupportedError(
        `tabular function ${expr.name} with row arguments`,
        this.text,
        expr.span.start,
      );
    // Parameters shadow the caller's columns: they come first in the extended table.
    return compileExpr(inline(fn.body.result.expr), extended, inner, this);
  }
}

class RowDependent extends Error {}

/** Every column name a program's expressions mention. */
/**
 * The columns a program reads, for prefetching. An extend item counts only when its output name is
 * read somewhere: a parser function extends many columns a query never reads, and their inputs (the
 * large JSON columns) need not be loaded ahead.
 */
export function referencedColumns(program: Program): Set<string> {
  const names = new Set<string>();
  const items: { name: string; expr: Expr }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.e === 'column' && typeof record.name === 'string') names.add(record.name);
      for (const [key, value] of Object.entries(record)) {
        if (typeof value !== 'object') continue;
        if (record.op === 'extend' && key === 'items')
          items.push(...(value as { name: string; expr: Expr }[]));
        else visit(value);
      }
    }
  };
  visit(program.statements);
  let pending = items;
  for (let changed = true; changed; ) {
    changed = false;
    const rest: typeof items = [];
    for (const item of pending) {
      if (names.has(item.name)) {
        visit(item.expr);
        changed = true;
      } else rest.push(item);
    }
    pending = rest;
  }
  return names;
}

function plusTick(ticks: bigint | undefined): bigint | undefined {
  return ticks === undefined ? undefined : ticks + 1n;
}

/** Arguments in parameter order: positional ones first, `name = value` ones where their name says. */
function orderArguments(params: FunctionParam[], args: Expr[]): (Expr | undefined)[] {
  const ordered: (Expr | undefined)[] = params.map(() => undefined);
  let next = 0;
  for (const arg of args) {
    if (arg.e === 'named-argument') {
      const index = params.findIndex((p) => p.name === arg.name);
      if (index < 0) throw new KqlError(`no parameter named '${arg.name}'`);
      ordered[index] = arg.expr;
    } else {
      while (ordered[next] !== undefined) next++;
      ordered[next++] = arg;
    }
  }
  return ordered;
}

/** Let names become their expressions and parameters become reads of the per-row parameter columns. */
function substituteVariables(expr: Expr, lets: Map<string, Expr>, params: Set<string>): Expr {
  switch (expr.e) {
    case 'variable': {
      const bound = lets.get(expr.name);
      if (bound) return bound;
      return params.has(expr.name) ? { e: 'column', name: expr.name, type: expr.type } : expr;
    }
    case 'column':
      return lets.get(expr.name) ?? expr;
    case 'call':
    case 'user-call':
      return { ...expr, args: expr.args.map((a) => substituteVariables(a, lets, params)) };
    case 'named-argument':
      return { ...expr, expr: substituteVariables(expr.expr, lets, params) };
    default:
      return expr;
  }
}

/** Column names an expression reads (not through sub-queries). */
function columnNames(expr: Expr): string[] {
  switch (expr.e) {
    case 'column':
      return [expr.name];
    case 'call':
    case 'user-call':
      return expr.args.flatMap(columnNames);
    default:
      return [];
  }
}

function declaredType(expr: Expr): KType | undefined {
  switch (expr.e) {
    case 'call':
    case 'user-call':
    case 'to-scalar':
      return expr.type;
    default:
      return undefined;
  }
}

/** A selection of fewer than 1/SUBSET_FRACTION of a table's rows computes lazy columns for those rows only. */
const SUBSET_FRACTION = 8;

function gather(column: Value[], indexes: ArrayLike<number>): Value[] {
  const out = new Array<Value>(indexes.length);
  for (let i = 0; i < indexes.length; i++) out[i] = column[indexes[i]];
  return out;
}

/** An expression whose value for a row depends on that row alone (no window function, no user function). */
function rowLocal(expr: Expr): boolean {
  switch (expr.e) {
    case 'call':
      return windowFunction(expr.fn) === undefined && expr.args.every(rowLocal);
    case 'user-call':
      return false;
    case 'named-argument':
      return rowLocal(expr.expr);
    default:
      return true;
  }
}

/** The type of a plain column reference, without reading the column. */
function columnType(expr: Expr, table: Table): KType | undefined {
  if (expr.e !== 'column') return undefined;
  const index = table.indexOf(expr.name);
  return index >= 0 ? table.columns[index].type : undefined;
}

function resultType(compiled: Compiled, expr: Expr): KType {
  return declaredType(expr) ?? compiled.type;
}

function pick(input: Table, indexes: number[]): Table {
  return new Table(
    indexes.map((i) => input.columns[i]),
    pickColumns(input.data, indexes),
    input.rowCount,
  );
}

/** Matches column names against names with `*` wildcards. */
export function namePredicate(patterns: string[]): (name: string) => boolean {
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('*')
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ),
  );
  return (name) => regexes.some((r) => r.test(name));
}

const DOTNET_TYPES: Record<KType, string> = {
  bool: 'System.Boolean',
  int: 'System.Int32',
  long: 'System.Int64',
  real: 'System.Double',
  decimal: 'System.Data.SqlTypes.SqlDecimal',
  datetime: 'System.DateTime',
  timespan: 'System.TimeSpan',
  string: 'System.String',
  guid: 'System.Guid',
  dynamic: 'System.Object',
};
