/**
 * Compiles scalar IR into per-row closures over a table's column arrays, once per operator. Calls
 * with constant arguments are folded; functions get their argument types up front so the per-row
 * code has no type dispatch.
 */
import { KqlError, NotSupportedError } from './errors.js';
import type { Executor, Scope } from './exec.js';
import {
  type FunctionContext,
  scalarFunction,
  type WindowImpl,
  windowFunction,
} from './functions/registry.js';
import type { Expr } from './ir.js';
import type { Table } from './table.js';
import type { KType, Value } from './values.js';

export type RowFn = (row: number) => Value;

export interface Compiled {
  fn: RowFn;
  type: KType;
  constant: boolean;
  /** The value, when constant. */
  value?: Value;
  /** The column array, when the expression is a plain column reference. */
  column?: Value[];
}

export function constantOf(value: Value, type: KType): Compiled {
  return { fn: () => value, type, constant: true, value };
}

export function compileExpr(
  expr: Expr,
  table: Table | undefined,
  scope: Scope,
  executor: Executor,
): Compiled {
  switch (expr.e) {
    case 'literal':
      return constantOf(expr.value, expr.type);
    case 'column': {
      const index = table ? table.indexOf(expr.name) : -1;
      if (index < 0 || !table) {
        const variable = scope.lookup(expr.name);
        if (variable?.kind === 'scalar') return constantOf(variable.value, variable.type);
        throw new KqlError(`column '${expr.name}' is not in the input`);
      }
      const data = table.data[index];
      return { fn: (row) => data[row], type: table.columns[index].type, constant: false, column: data };
    }
    case 'variable': {
      const variable = scope.lookup(expr.name);
      if (variable?.kind === 'scalar') return constantOf(variable.value, variable.type);
      if (table) {
        const index = table.indexOf(expr.name);
        if (index >= 0) {
          const data = table.data[index];
          return { fn: (row) => data[row], type: table.columns[index].type, constant: false };
        }
      }
      if (variable?.kind === 'function') {
        return compileExpr(
          { e: 'user-call', name: expr.name, args: [], type: expr.type, span: { start: 0, end: 0 } },
          table,
          scope,
          executor,
        );
      }
      throw new KqlError(`'${expr.name}' is not a scalar value here`);
    }
    case 'to-scalar': {
      const result = executor.tabular(expr.query, scope);
      const value = result.rowCount > 0 && result.data.length > 0 ? result.data[0][0] : null;
      const type = result.columns[0]?.type ?? expr.type;
      return constantOf(value ?? (type === 'string' ? '' : null), type);
    }
    case 'user-call':
      return executor.callUserScalar(expr, table, scope);
    case 'call':
      return compileCall(expr, table, scope, executor);
    case 'star':
      return constantOf(null, 'dynamic');
    case 'named-argument':
      return compileExpr(expr.expr, table, scope, executor);
    case 'tabular-list': {
      const result = executor.tabular(expr.query, scope);
      const column = result.data[0] ?? [];
      return constantOf(column.slice(), 'dynamic');
    }
    default:
      throw new KqlError(`cannot compile expression ${(expr as { e: string }).e}`);
  }
}

/**
 * `App in ('*') or '*' in ('*')` (the workbooks' "All" idiom): a side without columns that decides an
 * `or` (true) or an `and` (false) decides it without compiling, or reading, the other side's columns.
 */
function shortCircuit(
  expr: Extract<Expr, { e: 'call' }>,
  table: Table | undefined,
  scope: Scope,
  executor: Executor,
): Compiled | undefined {
  if (expr.fn !== '$Or' && expr.fn !== '$And') return undefined;
  const decisive = expr.fn === '$Or';
  for (const arg of expr.args) {
    if (readsColumns(arg)) continue;
    const compiled = compileArgument(arg, table, scope, executor);
    if (compiled.constant && compiled.value === decisive) return constantOf(decisive, 'bool');
  }
  return undefined;
}

function readsColumns(expr: Expr): boolean {
  switch (expr.e) {
    case 'literal':
    case 'to-scalar':
    case 'tabular-list':
    case 'star':
      return false;
    case 'call':
      return expr.args.some(readsColumns);
    case 'named-argument':
      return readsColumns(expr.expr);
    default:
      return true;
  }
}

function compileCall(
  expr: Extract<Expr, { e: 'call' }>,
  table: Table | undefined,
  scope: Scope,
  executor: Executor,
): Compiled {
  const window = windowFunction(expr.fn);
  if (window) return compileWindowCall(expr, window, table, scope, executor);
  const fn = scalarFunction(expr.fn);
  if (!fn) {
    const name = expr.fn.startsWith('$aggregate:')
      ? `${expr.fn.slice(11)}() outside summarize`
      : displayName(expr.fn);
    throw new NotSupportedError(name, executor.text, expr.span.start);
  }
  const decided = shortCircuit(expr, table, scope, executor);
  if (decided) return decided;
  const args = expr.args.map((a) => compileArgument(a, table, scope, executor));
  let impl: (...values: Value[]) => Value;
  try {
    impl = fn.factory(functionContext(expr, args, executor));
  } catch (error) {
    throw executor.located(error, expr.span.start);
  }
  const type = expr.type;
  if (fn.deterministic && args.every((a) => a.constant)) {
    let value: Value;
    try {
      value = impl(...args.map((a) => a.value ?? null));
    } catch (error) {
      throw executor.located(error, expr.span.start);
    }
    return constantOf(value, type);
  }
  const fns = args.map((a) => a.fn);
  switch (fns.length) {
    case 0:
      return { fn: () => impl(), type, constant: false };
    case 1: {
      const column = args[0].column;
      if (column) return { fn: (row) => impl(column[row]), type, constant: false };
      const [a] = fns;
      return { fn: (row) => impl(a(row)), type, constant: false };
    }
    case 2:
      return { fn: binaryCall(impl, args[0], args[1]), type, constant: false };
    case 3: {
      const [a, b, c] = fns;
      return { fn: (row) => impl(a(row), b(row), c(row)), type, constant: false };
    }
    default:
      return { fn: (row) => impl(...fns.map((f) => f(row))), type, constant: false };
  }
}

/** What a function factory learns about its call: argument types, constant arguments, the clock. */
function functionContext(
  expr: Extract<Expr, { e: 'call' }>,
  args: Compiled[],
  executor: Executor,
): FunctionContext {
  return {
    name: expr.fn,
    argTypes: args.map((a) => a.type),
    resultType: expr.type,
    isConstant: args.map((a) => a.constant),
    constants: args.map((a) => (a.constant ? (a.value ?? null) : null)),
    now: executor.now,
  };
}

/** A window function: its arguments are evaluated over all rows and its column computed on first use. */
function compileWindowCall(
  expr: Extract<Expr, { e: 'call' }>,
  factory: (context: FunctionContext) => WindowImpl,
  table: Table | undefined,
  scope: Scope,
  executor: Executor,
): Compiled {
  const args = expr.args.map((a) => compileExpr(a, table, scope, executor));
  let impl: WindowImpl;
  try {
    impl = factory(functionContext(expr, args, executor));
  } catch (error) {
    throw executor.located(error, expr.span.start);
  }
  const rows = table?.rowCount ?? 1;
  let column: Value[] | undefined;
  const values = () =>
    (column ??= impl(
      args.map((a) => executor.evaluate(a, rows)),
      rows,
    ));
  return { fn: (row) => values()[row], type: expr.type, constant: false };
}

/** Two-argument calls specialised for the common shapes (column op constant, column op column). */
function binaryCall(impl: (...values: Value[]) => Value, a: Compiled, b: Compiled): RowFn {
  const left = a.column;
  const right = b.column;
  if (b.constant) {
    const value = b.value ?? null;
    if (left) return (row) => impl(left[row], value);
    const fa = a.fn;
    return (row) => impl(fa(row), value);
  }
  if (a.constant) {
    const value = a.value ?? null;
    if (right) return (row) => impl(value, right[row]);
    const fb = b.fn;
    return (row) => impl(value, fb(row));
  }
  if (left && right) return (row) => impl(left[row], right[row]);
  const fa = a.fn;
  const fb = b.fn;
  return (row) => impl(fa(row), fb(row));
}

function compileArgument(arg: Expr, table: Table | undefined, scope: Scope, executor: Executor): Compiled {
  return compileExpr(arg, table, scope, executor);
}

function displayName(fn: string): string {
  if (!fn.startsWith('$')) return `${fn}()`;
  return `operator ${fn
    .slice(1)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()}`;
}
