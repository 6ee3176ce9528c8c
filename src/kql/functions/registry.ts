/**
 * Scalar functions, operators (`$Add`, `$Has`, …) and aggregates register here. A function is a
 * factory: given the argument types (and constant arguments, to precompile a regex once), it returns
 * the per-row implementation. Factories throw `KqlError` for bad constant arguments.
 */
import type { ColumnDef, Expr } from '../ir.js';
import type { Table } from '../table.js';
import type { KType, Value } from '../values.js';

export interface FunctionContext {
  name: string;
  argTypes: KType[];
  resultType: KType;
  /** Whether each argument is a constant, and its value when it is. */
  isConstant: boolean[];
  constants: Value[];
  /** The query's `now()`, in ticks. */
  now: bigint;
}

export type ScalarImpl = (...args: Value[]) => Value;

export interface ScalarFunction {
  factory(context: FunctionContext): ScalarImpl;
  /** False for rand(), new_guid(): never folded into a constant. */
  deterministic: boolean;
}

const scalars = new Map<string, ScalarFunction>();

export function registerScalar(
  names: string | string[],
  factory: (context: FunctionContext) => ScalarImpl,
  options: { deterministic?: boolean } = {},
): void {
  for (const name of Array.isArray(names) ? names : [names]) {
    scalars.set(name, { factory, deterministic: options.deterministic ?? true });
  }
}

/** Registers a function whose implementation does not depend on argument types. */
export function registerSimple(names: string | string[], impl: ScalarImpl): void {
  registerScalar(names, () => impl);
}

export function scalarFunction(name: string): ScalarFunction | undefined {
  return scalars.get(name);
}

export function scalarFunctionNames(): string[] {
  return [...scalars.keys()];
}

export interface Accumulator {
  add(args: Value[], row: number): void;
  /** One value, or one per output column for multi-column aggregates (arg_max(x, *)). */
  result(): Value | Value[];
}

export interface AggregateContext extends FunctionContext {
  /** The table rows come from (for aggregates that copy whole rows). */
  input: Table;
  args: Expr[];
  /** Output columns of multi-column aggregates. */
  outputs?: ColumnDef[];
}

export type AggregateFactory = (context: AggregateContext) => () => Accumulator;

const aggregates = new Map<string, AggregateFactory>();

export function registerAggregate(names: string | string[], factory: AggregateFactory): void {
  for (const name of Array.isArray(names) ? names : [names]) aggregates.set(name, factory);
}

export function aggregateFunction(name: string): AggregateFactory | undefined {
  return aggregates.get(name);
}

export function aggregateFunctionNames(): string[] {
  return [...aggregates.keys()];
}

/**
 * Window functions (prev, next, row_number, row_cumsum, row_rank_*): they see whole argument columns
 * in the order of the serialized rows, and give the whole result column.
 */
export type WindowImpl = (args: Value[][], rowCount: number) => Value[];

const windows = new Map<string, (context: FunctionContext) => WindowImpl>();

export function registerWindow(
  names: string | string[],
  factory: (context: FunctionContext) => WindowImpl,
): void {
  for (const name of Array.isArray(names) ? names : [names]) windows.set(name, factory);
}

export function windowFunction(name: string): ((context: FunctionContext) => WindowImpl) | undefined {
  return windows.get(name);
}
