/**
 * The engine's intermediate representation: what the translator makes of a bound syntax tree and the
 * executor runs. Sugar is lowered (`count` → `summarize count()`, `distinct` → `summarize by`, operators
 * → named calls), names and types are resolved, and positions are kept for error messages.
 */
import type { KType, Value } from './values.js';

export interface Span {
  start: number;
  end: number;
}

export interface ColumnDef {
  name: string;
  type: KType;
}

export type Expr =
  | { e: 'column'; name: string; type: KType }
  | { e: 'literal'; type: KType; value: Value }
  | { e: 'call'; fn: string; args: Expr[]; type: KType; span: Span }
  | { e: 'variable'; name: string; type: KType }
  | { e: 'user-call'; name: string; args: Expr[]; type: KType; span: Span }
  | { e: 'to-scalar'; query: Tabular; type: KType }
  | { e: 'tabular-list'; query: Tabular } // `x in (T | project y)`
  | { e: 'star' }
  | { e: 'named-argument'; name: string; expr: Expr }; // f(len = 3) for user functions

export interface NamedExpr {
  name: string;
  expr: Expr;
}

export interface Aggregate {
  name: string;
  fn: string;
  args: Expr[];
  type: KType;
  span: Span;
  /** For `arg_max(x, *)`-style aggregates: extra output columns taken from the chosen row. */
  outputs?: ColumnDef[];
}

export interface SortKey {
  expr: Expr;
  descending: boolean;
  nullsFirst: boolean;
}

export type Tabular =
  | { op: 'table'; name: string }
  | { op: 'variable'; name: string }
  | { op: 'user-call'; name: string; args: Expr[]; span: Span }
  | { op: 'print'; items: NamedExpr[] }
  | { op: 'datatable'; columns: ColumnDef[]; values: Expr[] }
  | { op: 'range'; name: string; type: KType; from: Expr; to: Expr; step: Expr }
  | { op: 'materialize'; input: Tabular; id: number }
  | { op: 'where'; input: Tabular; predicate: Expr }
  | { op: 'extend'; input: Tabular; items: NamedExpr[] }
  | { op: 'project'; input: Tabular; items: NamedExpr[] }
  | { op: 'project-away'; input: Tabular; names: string[] }
  | { op: 'project-keep'; input: Tabular; names: string[] }
  | { op: 'project-rename'; input: Tabular; renames: { name: string; from: string }[] }
  | {
      op: 'project-reorder';
      input: Tabular;
      order: { name: string; descending?: boolean; byName?: boolean }[];
    }
  | { op: 'summarize'; input: Tabular; aggregates: Aggregate[]; by: NamedExpr[] }
  | { op: 'sort'; input: Tabular; keys: SortKey[] }
  | { op: 'take'; input: Tabular; count: Expr }
  | { op: 'top'; input: Tabular; count: Expr; keys: SortKey[] }
  | {
      op: 'join';
      left: Tabular;
      right: Tabular;
      kind: string;
      on: { left: Expr; right: Expr }[];
      /** Result columns as the analyser names them (duplicates renamed `x1`). */
      columns: ColumnDef[];
      /** The left input's column names, when known. */
      leftColumns?: string[];
    }
  | {
      op: 'union';
      inputs: Tabular[];
      kind: 'inner' | 'outer';
      withSource?: string;
      sourceNames: string[];
      columns: ColumnDef[];
      /** isfuzzy=true: legs that fail to resolve are left out. */
      fuzzy?: boolean;
    }
  | { op: 'serialize'; input: Tabular; items: NamedExpr[] }
  | { op: 'render'; input: Tabular; visualization: string; properties: Record<string, Value> }
  | { op: 'getschema'; input: Tabular }
  | { op: 'as'; input: Tabular; name: string }
  | { op: 'generic'; name: string; input?: Tabular; node: unknown; columns: ColumnDef[]; span: Span };

export type Statement =
  | { s: 'let-scalar'; name: string; expr: Expr }
  | { s: 'let-tabular'; name: string; query: Tabular }
  | { s: 'let-function'; name: string; params: FunctionParam[]; body: FunctionBody }
  | { s: 'query'; query: Tabular };

export interface FunctionParam {
  name: string;
  tabular: boolean;
  type?: KType;
  defaultValue?: Expr;
}

export interface FunctionBody {
  statements: Statement[];
  /** The last expression: a scalar or a tabular query. */
  result: { kind: 'scalar'; expr: Expr } | { kind: 'tabular'; query: Tabular };
}

export interface Program {
  statements: Statement[];
}
