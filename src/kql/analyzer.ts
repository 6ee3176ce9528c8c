/**
 * The only module that touches `@kusto/language-service-next` (Kusto.Language compiled to JS by
 * Bridge.NET). It parses and binds a query against table schemas and hands back a plain, serialisable
 * syntax tree with each node's bound type and symbol, plus diagnostics with line:col. The library is
 * loaded on first use: it costs ~1 s, so commands that never analyse a query never pay for it.
 */
import { createRequire } from 'node:module';

export interface TableColumns {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

/** A bound type: a scalar type name (`long`, `dynamic`, …) or a table's columns. */
export type BoundType = string | { columns: { name: string; type: string }[]; tuple?: boolean };

export interface BoundSymbol {
  /** Symbol class without the `Symbol` suffix: Column, Table, Function, Variable, Parameter, … */
  kind: string;
  name: string;
  /** For functions: true when it is one of Kusto's built-in functions or aggregates. */
  builtin?: boolean;
  /** For column symbols: the column's type. */
  type?: string;
}

export interface SyntaxNode {
  /** SyntaxKind name, e.g. `FilterOperator`, `AddExpression`, `IdentifierToken`. */
  kind: string;
  /** Token text, for tokens. */
  token?: string;
  start: number;
  end: number;
  type?: BoundType;
  symbol?: BoundSymbol;
  /** Decoded literal: string, number, boolean, `{ticks}` for timespans, text for datetimes. */
  literal?: unknown;
  /** Children by role (`Expression`, `Condition`, …); syntax lists become arrays of their elements. */
  roles: Record<string, SyntaxNode | SyntaxNode[] | null>;
}

export interface Diagnostic {
  code: string;
  severity: string;
  message: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface Analysis {
  syntax: SyntaxNode;
  diagnostics: Diagnostic[];
  /** The result schema of the query's last tabular statement, when it has one. */
  columns: { name: string; type: string }[] | null;
}

// biome-ignore lint/suspicious/noExplicitAny: the library is untyped at this boundary
type Any = any;

let library: { KL: Any; kinds: Map<number, string>; builtins: Set<Any>; aggregates: Set<Any> } | undefined;

function load(): NonNullable<typeof library> {
  if (library) return library;
  const require = createRequire(import.meta.url);
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const KL = (globalThis as Any).Kusto.Language;
  const kinds = new Map<number, string>();
  for (const [name, value] of Object.entries(KL.Syntax.SyntaxKind)) {
    if (typeof value === 'number') kinds.set(value, name);
  }
  const builtins = new Set<Any>();
  const defaults = KL.GlobalState.Default;
  for (const list of [defaults.Functions, defaults.Aggregates, defaults.PlugIns]) {
    for (const symbol of items(list)) builtins.add(symbol);
  }
  const aggregates = new Set<Any>(items(defaults.Aggregates));
  library = { KL, kinds, builtins, aggregates };
  return library;
}

function items(list: Any): Any[] {
  if (!list) return [];
  if (Array.isArray(list)) return list;
  const out: Any[] = [];
  const count = list.Count ?? 0;
  for (let i = 0; i < count; i++) out.push(list.getItem(i));
  return out;
}

const globalsCache = new Map<string, Any>();

function globalsFor(tables: readonly TableColumns[]): Any {
  const key = JSON.stringify(tables);
  const cached = globalsCache.get(key);
  if (cached) return cached;
  const { KL } = load();
  const symbols = tables.map((table) =>
    KL.Symbols.TableSymbol.From(
      `(${table.columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`,
    ).WithName(table.name),
  );
  const database = new KL.Symbols.DatabaseSymbol.$ctor1('provlog', symbols, false);
  const globals = KL.GlobalState.Default.WithDatabase(database);
  globalsCache.set(key, globals);
  return globals;
}

function typeOf(type: Any): BoundType | undefined {
  if (!type) return undefined;
  if (type.Columns) {
    const columns = items(type.Columns).map((c: Any) => ({
      name: String(c.Name),
      type: String(c.Type?.Name),
    }));
    return String(type.constructor?.$$name ?? '').endsWith('TupleSymbol')
      ? { columns, tuple: true }
      : { columns };
  }
  return typeof type.Name === 'string' ? type.Name : undefined;
}

function symbolOf(symbol: Any, lib: NonNullable<typeof library>): BoundSymbol | undefined {
  if (!symbol) return undefined;
  const builtins = lib.builtins;
  let kind = String(symbol.constructor?.$$name ?? '')
    .split('.')
    .pop()!
    .replace(/Symbol$/, '');
  if (kind === 'Function' && lib.aggregates.has(symbol)) kind = 'Aggregate';
  const out: BoundSymbol = { kind, name: String(symbol.Name ?? '') };
  if (kind === 'Function' || kind === 'Aggregate' || kind === 'Pattern') out.builtin = builtins.has(symbol);
  if (kind === 'Column' && symbol.Type) out.type = String(symbol.Type.Name);
  return out;
}

function literalOf(node: Any): unknown {
  if (!node.IsLiteral) return undefined;
  const value = node.LiteralValue;
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object' && value.ticks !== undefined) return { ticks: String(value.ticks) };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

function convert(node: Any, lib: NonNullable<typeof library>): SyntaxNode {
  const result: SyntaxNode = {
    kind: lib.kinds.get(node.Kind) ?? 'Unknown',
    start: node.TextStart,
    end: node.End,
    roles: {},
  };
  if (node.IsToken) {
    result.token = String(node.Text);
    return result;
  }
  const type = typeOf(node.ResultType);
  if (type !== undefined) result.type = type;
  const symbol = symbolOf(node.ReferencedSymbol, lib);
  if (symbol) result.symbol = symbol;
  const literal = literalOf(node);
  if (literal !== undefined) result.literal = literal;
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    const role = String(node.GetName(i) || `child${i}`);
    if (!child) {
      result.roles[role] = null;
    } else if (lib.kinds.get(child.Kind) === 'List') {
      result.roles[role] = listElements(child, lib);
    } else {
      result.roles[role] = convert(child, lib);
    }
  }
  return result;
}

/** A syntax list's elements, with separated elements unwrapped to the element itself. */
function listElements(list: Any, lib: NonNullable<typeof library>): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < list.ChildCount; i++) {
    const child = list.GetChild(i);
    if (!child) continue;
    if (lib.kinds.get(child.Kind) === 'SeparatedElement') {
      if (child.Element) out.push(convert(child.Element, lib));
    } else {
      out.push(convert(child, lib));
    }
  }
  return out;
}

/** Thrown when Kusto.Language itself fails on a query (it can, rarely). */
export class AnalyzerError extends Error {
  override name = 'AnalyzerError';
}

/** Parses and binds `text` against the tables; never throws for bad queries (see diagnostics). */
export function analyze(text: string, tables: readonly TableColumns[] = []): Analysis {
  const lib = load();
  const globals = globalsFor(tables);
  let code: Any;
  try {
    code = lib.KL.KustoCode.ParseAndAnalyze(text, globals);
  } catch (error) {
    throw new AnalyzerError(`the KQL analyser failed on this query: ${(error as Error).message}`);
  }
  const diagnostics = items(code.GetDiagnostics()).map((d: Any): Diagnostic => {
    const line = { v: 0 };
    const column = { v: 0 };
    code.TryGetLineAndOffset(d.Start, line, column);
    return {
      code: String(d.Code),
      severity: String(d.Severity),
      message: String(d.Message),
      start: d.Start,
      end: d.End,
      line: line.v,
      column: column.v,
    };
  });
  const resultType = typeOf(code.ResultType);
  return {
    syntax: convert(code.Syntax, lib),
    diagnostics,
    columns: resultType && typeof resultType === 'object' ? resultType.columns : null,
  };
}

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** `line:col: message` followed by the source line and a caret under the span. */
export function formatDiagnostic(text: string, d: { start: number; end: number; message: string }): string {
  const { line, column } = lineAndColumn(text, d.start);
  const source = text.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
  const width = Math.max(1, Math.min(d.end - d.start, source.length - column + 1));
  return `${line}:${column}: ${d.message}\n  ${source}\n  ${' '.repeat(column - 1)}${'^'.repeat(width)}`;
}
