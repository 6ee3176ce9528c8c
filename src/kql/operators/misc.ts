/**
 * Smaller operator plug-ins: `project-by-names` (columns picked by names, wildcards or dynamic
 * arrays of names computed at run time), `partition ... by Column (subquery)` (the subquery runs
 * on each partition's rows; the results are stacked) and `invoke f(args)` (calls a tabular function
 * with the input as its first argument).
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError } from '../errors.js';
import { type Executor, Scope } from '../exec.js';
import type { ColumnDef, Expr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { columnsOf, list, nameOf, role, span, type Translator } from '../translate.js';
import { keyOf, type Value } from '../values.js';
import { namedParameters } from './parse.js';
import { registerOperator } from './plugins.js';
import { unionTables } from './union.js';

// ---- project-by-names ----

/** An argument: a scalar (string or dynamic array), or `column_names_of(T)` (T's column names). */
type NamesArgument = { scalar: Expr } | { columnsOf: Tabular };

function namesArgument(node: SyntaxNode, translator: Translator): NamesArgument {
  if (
    node.kind === 'FunctionCallExpression' &&
    node.symbol?.builtin &&
    nameOf(role(node, 'Name')) === 'column_names_of'
  ) {
    const [table] = translator.argumentNodes(node);
    if (table) return { columnsOf: translator.tabular(table) };
  }
  return { scalar: translator.expr(node) };
}

function translateProjectByNames(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
): Tabular {
  if (!input) return translator.unsupported('project-by-names without input', node);
  const args = list(node, 'Expressions').map((e) => namesArgument(e, translator));
  return { op: 'generic', name: 'project-by-names', input, node: args, columns: [], span: span(node) };
}

function wildcardPattern(name: string): RegExp {
  const escaped = name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** The column names one argument asks for: a string, or a dynamic array of strings (others ignored). */
function requestedNames(value: Value): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Column indexes in argument order; wildcards take matching columns in table order; unknown names drop. */
export function columnsByNames(columns: readonly ColumnDef[], names: readonly string[]): number[] {
  const picked: number[] = [];
  const taken = new Set<number>();
  const take = (index: number): void => {
    if (index < 0 || taken.has(index)) return;
    taken.add(index);
    picked.push(index);
  };
  for (const name of names) {
    if (name.includes('*')) {
      const pattern = wildcardPattern(name);
      columns.forEach((c, i) => {
        if (pattern.test(c.name)) take(i);
      });
    } else {
      take(columns.findIndex((c) => c.name === name));
    }
  }
  return picked;
}

function executeProjectByNames(
  ir: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const table = input!;
  const names = (ir.node as NamesArgument[]).flatMap((arg) =>
    'scalar' in arg
      ? requestedNames(executor.scalar(arg.scalar, scope))
      : executor.tabular(arg.columnsOf, scope).columns.map((c) => c.name),
  );
  const indexes = columnsByNames(table.columns, names);
  return new Table(
    indexes.map((i) => table.columns[i]),
    indexes.map((i) => table.data[i]),
    table.rowCount,
  );
}

registerOperator('project-by-names', {
  kinds: ['ProjectByNamesOperator'],
  translate: (input, node, translator) => translateProjectByNames(input, node, translator),
  execute: executeProjectByNames,
});

// ---- partition ----

const PARTITION_INPUT = '$partition-input';

interface PartitionNode {
  by: Expr;
  subquery: Tabular;
}

/** Translates a subquery whose first operator reads the partition (an implicit input). */
export function translateSubquery(
  node: SyntaxNode,
  input: Tabular,
  inputColumns: ColumnDef[],
  translator: Translator,
): Tabular {
  if (node.kind === 'PipeExpression') {
    const left = role(node, 'Expression')!;
    const inner = translateSubquery(left, input, inputColumns, translator);
    return translator.operator(inner, role(node, 'Operator')!, columnsOf(left.type));
  }
  if (node.kind === 'ParenthesizedExpression')
    return translateSubquery(role(node, 'Expression')!, input, inputColumns, translator);
  if (!node.kind.endsWith('Operator')) return translator.unsupported(`partition subquery ${node.kind}`, node);
  return translator.operator(input, node, inputColumns);
}

function translatePartition(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
  inputColumns: ColumnDef[],
): Tabular {
  if (!input) return translator.unsupported('partition without input', node);
  for (const key of namedParameters(node).keys())
    if (!key.startsWith('hint.')) return translator.unsupported(`partition parameter ${key}`, node);
  const operand = role(node, 'Operand');
  if (operand?.kind !== 'PartitionSubquery' || role(node, 'Scope'))
    return translator.unsupported('partition with a legacy { } subquery', node);
  const placeholder: Tabular = { op: 'variable', name: PARTITION_INPUT };
  const partition: PartitionNode = {
    by: translator.expr(role(node, 'ByExpression')!),
    subquery: translateSubquery(role(operand, 'Subquery')!, placeholder, inputColumns, translator),
  };
  return {
    op: 'generic',
    name: 'partition',
    input,
    node: partition,
    columns: translator.outputColumns(node),
    span: span(node),
  };
}

function executePartition(
  ir: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const table = input!;
  const { by, subquery } = ir.node as PartitionNode;
  const keys = executor.evaluate(executor.compile(by, table, scope), table.rowCount);
  const groups = new Map<string, number[]>();
  keys.forEach((key, row) => {
    const k = keyOf(key);
    const rows = groups.get(k);
    if (rows) rows.push(row);
    else groups.set(k, [row]);
  });
  const results = [...groups.values()].map((rows) => {
    const part = table.select(rows);
    const inner = new Scope(scope);
    inner.set(PARTITION_INPUT, { kind: 'tabular', table: () => part });
    return executor.tabular(subquery, inner);
  });
  if (results.length === 0 && ir.columns.length === 0) throw new KqlError('partition: no output schema');
  return unionTables(results, {
    op: 'union',
    inputs: [],
    kind: 'outer',
    sourceNames: [],
    columns: ir.columns.length ? ir.columns : results[0].columns,
  });
}

registerOperator('partition', {
  kinds: ['PartitionOperator'],
  translate: translatePartition,
  execute: executePartition,
});

// ---- invoke ----

const INVOKE_INPUT = '$invoke-input';

interface InvokeNode {
  name: string;
  args: Expr[];
}

function translateInvoke(input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular {
  if (!input) return translator.unsupported('invoke without input', node);
  const call = role(node, 'Function');
  if (call?.kind !== 'FunctionCallExpression' || call.symbol?.kind !== 'Function' || call.symbol.builtin)
    return translator.unsupported('invoke of something other than a user function', node);
  const invoke: InvokeNode = { name: nameOf(role(call, 'Name')), args: translator.arguments(call) };
  return {
    op: 'generic',
    name: 'invoke',
    input,
    node: invoke,
    columns: translator.outputColumns(node),
    span: span(node),
  };
}

function executeInvoke(
  ir: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const { name, args } = ir.node as InvokeNode;
  const inner = new Scope(scope);
  const table = input!;
  inner.set(INVOKE_INPUT, { kind: 'tabular', table: () => table });
  const self: Expr = { e: 'tabular-list', query: { op: 'variable', name: INVOKE_INPUT } };
  return executor.callUserTabular(name, [self, ...args], inner);
}

registerOperator('invoke', {
  kinds: ['InvokeOperator'],
  translate: (input, node, translator) => translateInvoke(input, node, translator),
  execute: executeInvoke,
});
