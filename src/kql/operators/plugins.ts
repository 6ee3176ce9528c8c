/**
 * Operators beyond the core relational set register here by syntax kind: each translates its syntax
 * node into a `generic` IR node and executes it. Keeps the translator and executor small and lets each
 * operator live in its own module.
 */
import type { SyntaxNode } from '../analyzer.js';
import type { Executor, Scope } from '../exec.js';
import type { ColumnDef, Tabular } from '../ir.js';
import type { Table } from '../table.js';
import type { Translator } from '../translate.js';

export interface OperatorPlugin {
  /** Syntax kinds handled, e.g. `MvExpandOperator`. */
  kinds: string[];
  translate(
    input: Tabular | undefined,
    node: SyntaxNode,
    translator: Translator,
    inputColumns: ColumnDef[],
  ): Tabular;
  /** Runs the `generic` node this plugin made. */
  execute(
    node: Extract<Tabular, { op: 'generic' }>,
    input: Table | undefined,
    executor: Executor,
    scope: Scope,
  ): Table;
}

const byKind = new Map<string, OperatorPlugin>();
const byName = new Map<string, OperatorPlugin>();

export function registerOperator(name: string, plugin: OperatorPlugin): void {
  for (const kind of plugin.kinds) byKind.set(kind, plugin);
  byName.set(name, plugin);
}

export function pluginOperator(kind: string): OperatorPlugin | undefined {
  return byKind.get(kind);
}

export function pluginByName(name: string): OperatorPlugin | undefined {
  return byName.get(name);
}
