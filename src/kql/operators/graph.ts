/**
 * Graph operators: `make-graph` builds a graph from edge rows (and node tables), `graph-mark-components`
 * labels weakly connected components, `graph-to-table` turns nodes or edges back into rows, and
 * `graph-match` / `graph-shortest-paths` find pattern matches and project one row per match.
 *
 * A graph travels between operators as a column-less `GraphTable`. Pattern expressions (`a.name`,
 * `map(e, x)`, `all(e, p)`, `node_degree_in(a)`, …) are rewritten before translation into references to
 * synthetic columns of a per-match table, so where/project run through the ordinary executor.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError } from '../errors.js';
import { type Executor, Scope } from '../exec.js';
import { coerce } from '../functions/coerce.js';
import { scalarFunction } from '../functions/registry.js';
import type { ColumnDef, Expr, NamedExpr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { toDynamic } from '../text.js';
import {
  columnReference,
  list,
  mapChildren,
  nameOf,
  role,
  scalarType,
  span,
  type Translator,
  textOf,
} from '../translate.js';
import { type Dynamic, type KType, keyOf, nullOf, type Value } from '../values.js';
import { translateSubquery } from './misc.js';
import { namedParameters } from './parse.js';
import { registerOperator } from './plugins.js';
import { unionTables } from './union.js';

// ---- the graph ----

export interface Graph {
  /** Node properties, column-major; the key column holds the node id for edge-only nodes. */
  nodes: Table;
  /** Node ids by node index, and the id's type. */
  ids: Value[];
  idType: KType;
  /** The edge rows as they came in. */
  edges: Table;
  source: number[];
  target: number[];
  /** Edge indexes leaving / entering each node, in edge order. */
  outgoing: number[][];
  incoming: number[][];
}

/** The value passed between graph operators: a table with no columns that carries a graph. */
export class GraphTable extends Table {
  constructor(readonly graph: Graph) {
    super([], [], 0);
    // A graph is not a table: anything but a graph operator reading it as one is an error.
    for (const property of ['columns', 'data', 'rowCount']) {
      Object.defineProperty(this, property, {
        get: () => {
          throw new KqlError('a graph (make-graph) must be followed by a graph operator');
        },
      });
    }
  }
}

function graphOf(input: Table | undefined, operator: string): Graph {
  if (input instanceof GraphTable) return input.graph;
  throw new KqlError(`${operator} needs a graph input (make-graph)`);
}

// ---- make-graph ----

interface MakeGraphNode {
  source: string;
  target: string;
  /** with T1 on key1 [, T2 on key2] */
  nodeTables: { query: Tabular; key: string }[];
  /** with_node_id=name */
  idName?: string;
  /** partitioned-by column (subquery): one graph per value, the subquery run on each. */
  partition?: { column: string; subquery: Tabular };
}

const PARTITION_GRAPH = '$graph-partition';

function translateMakeGraph(input: Tabular | undefined, node: SyntaxNode, translator: Translator): Tabular {
  if (!input) return translator.unsupported('make-graph without input', node);
  if (list(node, 'Parameters').length) return translator.unsupported('make-graph parameters', node);
  const params: MakeGraphNode = {
    source: nameOf(role(node, 'SourceColumn')),
    target: nameOf(role(node, 'TargetColumn')),
    nodeTables: [],
  };
  const withClause = role(node, 'WithClause');
  if (withClause?.kind === 'MakeGraphWithTablesAndKeysClause') {
    params.nodeTables = list(withClause, 'TablesAndKeys').map((t) => ({
      query: translator.tabular(role(t, 'Table')!),
      key: nameOf(role(t, 'Column')),
    }));
    // Nodes only the edges name get their id in the key column, which must then be one column.
    if (new Set(params.nodeTables.map((t) => t.key)).size > 1)
      return translator.unsupported('make-graph node tables keyed on differently named columns', node);
  } else if (withClause?.kind === 'MakeGraphWithImplicitIdClause') {
    params.idName = nameOf(role(withClause, 'Name'));
  } else if (withClause) {
    return translator.unsupported(`make-graph ${withClause.kind}`, node);
  }
  const partitioned = role(node, 'PartitionedByClause');
  if (partitioned) {
    const placeholder: Tabular = { op: 'variable', name: PARTITION_GRAPH };
    params.partition = {
      column: nameOf(role(partitioned, 'Entity')),
      subquery: translateSubquery(role(partitioned, 'Subquery')!, placeholder, [], translator),
    };
  }
  const columns = partitioned ? translator.outputColumns(node) : [];
  return { op: 'generic', name: 'make-graph', input, node: params, columns, span: span(node) };
}

function executeMakeGraph(
  ir: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const params = ir.node as MakeGraphNode;
  const edges = input!;
  const nodeTables = params.nodeTables.map((t) => ({ table: executor.tabular(t.query, scope), key: t.key }));
  if (!params.partition) return new GraphTable(buildGraph(params, edges, nodeTables));
  const { column, subquery } = params.partition;
  const edgeParts = partitionRows(edges, column);
  const nodeParts = nodeTables.map((t) => partitionRows(t.table, column));
  const keys = new Set([...edgeParts.keys(), ...nodeParts.flatMap((parts) => [...parts.keys()])]);
  const results = [...keys].map((key) => {
    const graph = buildGraph(
      params,
      edges.select(edgeParts.get(key) ?? []),
      nodeTables.map((t, i) => ({ table: t.table.select(nodeParts[i].get(key) ?? []), key: t.key })),
    );
    const inner = new Scope(scope);
    inner.set(PARTITION_GRAPH, { kind: 'tabular', table: () => new GraphTable(graph) });
    return executor.tabular(subquery, inner);
  });
  return unionTables(results, {
    op: 'union',
    inputs: [],
    kind: 'outer',
    sourceNames: [],
    columns: ir.columns.length ? ir.columns : (results[0]?.columns ?? []),
  });
}

/** Row indexes per value of a column, in order of first appearance. */
function partitionRows(table: Table, column: string): Map<string, number[]> {
  const index = table.indexOf(column);
  if (index < 0) throw new KqlError(`make-graph partitioned-by: no column '${column}' in every input`);
  const parts = new Map<string, number[]>();
  table.data[index].forEach((value, row) => {
    const key = keyOf(value);
    const rows = parts.get(key);
    if (rows) rows.push(row);
    else parts.set(key, [row]);
  });
  return parts;
}

/** Node columns: every node table's columns, by name, in order of first appearance. */
function mergedColumns(tables: { table: Table }[]): ColumnDef[] {
  const columns: ColumnDef[] = [];
  for (const { table } of tables)
    for (const column of table.columns)
      if (!columns.some((c) => c.name === column.name)) columns.push(column);
  return columns;
}

function buildGraph(params: MakeGraphNode, edges: Table, nodeTables: { table: Table; key: string }[]): Graph {
  const sourceIndex = edges.indexOf(params.source);
  const targetIndex = edges.indexOf(params.target);
  if (sourceIndex < 0 || targetIndex < 0) throw new KqlError('make-graph: no such source or target column');
  const idType = edges.columns[sourceIndex].type;
  const nodeColumns = nodeTables.length
    ? mergedColumns(nodeTables)
    : [{ name: params.idName ?? 'NodeId', type: idType }];
  const builder = new NodeBuilder(nodeColumns);
  for (const { table, key } of nodeTables) {
    const keyIndex = table.indexOf(key);
    if (keyIndex < 0) throw new KqlError(`make-graph: no column '${key}' in a nodes table`);
    const positions = table.columns.map((c) => nodeColumns.findIndex((n) => n.name === c.name));
    for (let row = 0; row < table.rowCount; row++) {
      const props = builder.blank();
      positions.forEach((to, from) => {
        props[to] = table.data[from][row];
      });
      builder.add(table.data[keyIndex][row], props);
    }
  }
  const keyColumn = nodeColumns.findIndex((c) => c.name === (nodeTables[0]?.key ?? nodeColumns[0].name));
  const nodeFor = (id: Value): number => {
    const found = builder.index(id);
    if (found !== undefined) return found;
    const props = builder.blank();
    props[keyColumn] = id;
    return builder.add(id, props);
  };
  const source: number[] = [];
  const target: number[] = [];
  for (let row = 0; row < edges.rowCount; row++) {
    source.push(nodeFor(edges.data[sourceIndex][row]));
    target.push(nodeFor(edges.data[targetIndex][row]));
  }
  const nodes = new Table(
    nodeColumns,
    nodeColumns.map((_, c) => builder.rows.map((r) => r[c])),
    builder.rows.length,
  );
  return linkGraph({ nodes, ids: builder.ids, idType, edges, source, target });
}

class NodeBuilder {
  readonly ids: Value[] = [];
  readonly rows: Value[][] = [];
  private readonly byKey = new Map<string, number>();

  constructor(private readonly columns: ColumnDef[]) {}

  blank(): Value[] {
    return this.columns.map((c) => nullOf(c.type));
  }

  index(id: Value): number | undefined {
    return this.byKey.get(keyOf(id));
  }

  /**
   * Adds a node. A repeated id merges: properties it lacks so far are taken from the new row (Kusto
   * takes an arbitrary one of conflicting values; this keeps the first).
   */
  add(id: Value, props: Value[]): number {
    const key = keyOf(id);
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      const row = this.rows[existing];
      props.forEach((value, c) => {
        if (row[c] === nullOf(this.columns[c].type) && value !== row[c]) row[c] = value;
      });
      return existing;
    }
    this.byKey.set(key, this.ids.length);
    this.ids.push(id);
    this.rows.push(props);
    return this.ids.length - 1;
  }
}

function linkGraph(parts: Omit<Graph, 'outgoing' | 'incoming'>): Graph {
  const outgoing: number[][] = parts.ids.map(() => []);
  const incoming: number[][] = parts.ids.map(() => []);
  parts.source.forEach((s, edge) => {
    outgoing[s].push(edge);
    incoming[parts.target[edge]].push(edge);
  });
  return { ...parts, outgoing, incoming };
}

// ---- graph-mark-components ----

interface MarkComponentsNode {
  column: string;
}

function translateMarkComponents(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
): Tabular {
  if (!input) return translator.unsupported('graph-mark-components without input', node);
  const params = namedParameters(node);
  const kind = params.get('kind');
  const kindText = kind ? String(kind.literal ?? nameOf(kind)) : 'weak';
  if (kindText !== 'weak') return translator.unsupported(`graph-mark-components kind=${kindText}`, node);
  const column = params.get('with_component_id');
  const marks: MarkComponentsNode = { column: column ? nameOf(column) : 'ComponentId' };
  return { op: 'generic', name: 'graph-mark-components', input, node: marks, columns: [], span: span(node) };
}

/** Weak components, numbered from 0 in the order of each component's first node. */
export function weakComponents(graph: Graph): number[] {
  const parent = graph.ids.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root];
    while (parent[i] !== root) [i, parent[i]] = [parent[i], root];
    return root;
  };
  graph.source.forEach((s, edge) => {
    const a = find(s);
    const b = find(graph.target[edge]);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  });
  const numbers = new Map<number, number>();
  return graph.ids.map((_, i) => {
    const root = find(i);
    let n = numbers.get(root);
    if (n === undefined) {
      n = numbers.size;
      numbers.set(root, n);
    }
    return n;
  });
}

function executeMarkComponents(ir: Extract<Tabular, { op: 'generic' }>, input: Table | undefined): Table {
  const graph = graphOf(input, 'graph-mark-components');
  const { column } = ir.node as MarkComponentsNode;
  const ids: Value[] = weakComponents(graph);
  const columns = graph.nodes.columns.slice();
  const data = graph.nodes.data.slice();
  const existing = graph.nodes.indexOf(column);
  if (existing >= 0) {
    columns[existing] = { name: column, type: 'long' };
    data[existing] = ids;
  } else {
    columns.push({ name: column, type: 'long' });
    data.push(ids);
  }
  return new GraphTable({ ...graph, nodes: new Table(columns, data, graph.nodes.rowCount) });
}

// ---- graph-to-table ----

interface GraphToTableNode {
  entity: 'nodes' | 'edges';
  nodeId?: string;
  sourceId?: string;
  targetId?: string;
}

function translateGraphToTable(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
): Tabular {
  if (!input) return translator.unsupported('graph-to-table without input', node);
  const clauses = list(node, 'OutputClause');
  if (clauses.length !== 1) return translator.unsupported('graph-to-table with several outputs', node);
  const clause = clauses[0];
  if (role(clause, 'AsClause')) return translator.unsupported('graph-to-table as', node);
  const keyword = role(clause, 'EntityKeyword')?.token;
  const params = namedParameters(clause);
  const named = (key: string): string | undefined => {
    const value = params.get(key);
    return value ? nameOf(value) : undefined;
  };
  const out: GraphToTableNode = {
    entity: keyword === 'edges' ? 'edges' : 'nodes',
    nodeId: named('with_node_id'),
    sourceId: named('with_source_id'),
    targetId: named('with_target_id'),
  };
  return {
    op: 'generic',
    name: 'graph-to-table',
    input,
    node: out,
    columns: translator.outputColumns(node),
    span: span(node),
  };
}

/** A node id's hash as graph-to-table exports it: Kusto's hash() of the id. */
function nodeHashes(graph: Graph): Value[] {
  const hash = scalarFunction('hash');
  if (!hash) throw new KqlError('graph-to-table: hash() is not available');
  const impl = hash.factory({
    name: 'hash',
    argTypes: [graph.idType],
    resultType: 'long',
    isConstant: [false],
    constants: [null],
    now: 0n,
  });
  return graph.ids.map((id) => impl(id));
}

function executeGraphToTable(ir: Extract<Tabular, { op: 'generic' }>, input: Table | undefined): Table {
  const graph = graphOf(input, 'graph-to-table');
  const params = ir.node as GraphToTableNode;
  const needsHash = params.nodeId ?? params.sourceId ?? params.targetId;
  const hashes = needsHash ? nodeHashes(graph) : [];
  const base = params.entity === 'nodes' ? graph.nodes : graph.edges;
  const extra = new Map<string, Value[]>();
  if (params.entity === 'nodes' && params.nodeId) extra.set(params.nodeId, hashes);
  if (params.entity === 'edges' && params.sourceId)
    extra.set(
      params.sourceId,
      graph.source.map((n) => hashes[n]),
    );
  if (params.entity === 'edges' && params.targetId)
    extra.set(
      params.targetId,
      graph.target.map((n) => hashes[n]),
    );
  const data = ir.columns.map((column) => {
    const ids = extra.get(column.name);
    if (ids) return ids;
    const index = base.indexOf(column.name);
    if (index < 0) throw new KqlError(`graph-to-table: no property '${column.name}'`);
    return base.data[index];
  });
  return new Table(ir.columns, data, base.rowCount);
}

// ---- patterns ----

type Direction = 'forward' | 'backward' | 'any';

interface PatternEdge {
  /** Variable name, or a generated one for anonymous edges. */
  name: string;
  direction: Direction;
  /** Hop range for variable-length edges. */
  range?: { min: number; max: number };
}

interface Sequence {
  nodes: string[];
  edges: PatternEdge[];
}

/** A graph expression rewritten to a column of the per-match table. */
type Slot =
  | {
      slot: 'property';
      column: string;
      variable: string;
      owner: 'node' | 'edge' | 'path';
      property: string;
      type: KType;
    }
  | { slot: 'degree'; column: string; variable: string; direction: 'in' | 'out' }
  | { slot: 'node-id'; column: string; variable: string }
  | {
      slot: 'list';
      column: string;
      fn: 'map' | 'any' | 'all';
      variable: string;
      innerNodes: boolean;
      expr: Expr;
      type: KType;
      /** Per-element synthetic columns the inner expression uses (node_degree_in() etc.). */
      elementSlots: ElementSlot[];
    };

interface ElementSlot {
  column: string;
  kind: 'degree-in' | 'degree-out' | 'node-id';
}

interface MatchNode {
  mode: 'match' | 'shortest';
  cycles: 'all' | 'none' | 'unique_edges';
  output: 'any' | 'all';
  sequences: Sequence[];
  variables: string[];
  slots: Slot[];
  where?: Expr;
  project: NamedExpr[];
}

function edgeDirection(edge: SyntaxNode): Direction {
  const first = role(edge, 'FirstToken')?.token ?? '';
  const last = role(edge, 'LastToken')?.token ?? '';
  if (first.startsWith('<')) return 'backward';
  if (first === '-->' || last === ']->') return 'forward';
  return 'any';
}

function rangeBound(node: SyntaxNode | null, translator: Translator, at: SyntaxNode): number {
  const text = textOf(node).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value))
    return translator.unsupported('a variable-length edge bound that is not a whole-number literal', at);
  return value;
}

function sequences(node: SyntaxNode, translator: Translator): Sequence[] {
  let anonymous = 0;
  return list(node, 'Patterns').map((pattern) => {
    const sequence: Sequence = { nodes: [], edges: [] };
    for (const element of list(pattern, 'PatternElements')) {
      const nameNode = role(element, 'Name');
      const name = nameNode ? nameOf(nameNode) : `$anonymous${anonymous++}`;
      if (element.kind === 'GraphMatchPatternNode') {
        sequence.nodes.push(name);
      } else if (element.kind === 'GraphMatchPatternEdge') {
        const rangeNode = role(element, 'Range');
        const edge: PatternEdge = { name, direction: edgeDirection(element) };
        if (rangeNode) {
          edge.range = {
            min: rangeBound(role(rangeNode, 'RangeStart'), translator, element),
            max: rangeBound(role(rangeNode, 'RangeEnd'), translator, element),
          };
        }
        sequence.edges.push(edge);
      } else {
        return translator.unsupported(`graph pattern element ${element.kind}`, element);
      }
    }
    if (sequence.nodes.length !== sequence.edges.length + 1)
      return translator.unsupported('graph pattern shape', pattern);
    return sequence;
  });
}

function callName(node: SyntaxNode): string | undefined {
  if (node.kind !== 'FunctionCallExpression' || !node.symbol?.builtin) return undefined;
  return nameOf(role(node, 'Name'));
}

/** Rewrites pattern references in match-level expressions into synthetic slot columns. */
class PatternRewriter {
  readonly slots: Slot[] = [];

  constructor(
    private readonly translator: Translator,
    private readonly variables: Map<string, 'node' | 'edge' | 'path'>,
  ) {}

  private slot<T extends Slot>(make: (column: string) => T): T {
    const made = make(`$graph${this.slots.length}`);
    this.slots.push(made);
    return made;
  }

  private variableOf(node: SyntaxNode | null | undefined): string | undefined {
    if (node?.kind !== 'NameReference') return undefined;
    const name = nameOf(node);
    return this.variables.has(name) && node.symbol?.kind === 'Variable' ? name : undefined;
  }

  rewrite(node: SyntaxNode): SyntaxNode {
    if (node.kind === 'PathExpression') {
      const variable = this.variableOf(role(node, 'Expression'));
      if (variable) {
        const property = nameOf(role(node, 'Selector'));
        const type = scalarType(node);
        const owner = this.variables.get(variable)!;
        const made = this.slot((column) => ({ slot: 'property', column, variable, owner, property, type }));
        return columnReference(made.column, type, node);
      }
    }
    const fn = callName(node);
    if (fn) {
      const replaced = this.rewriteCall(fn, node);
      if (replaced) return replaced;
    }
    if (this.variableOf(node))
      return this.translator.unsupported('a graph variable outside a property reference', node);
    return mapChildren(node, (child) => this.rewrite(child));
  }

  private rewriteCall(fn: string, node: SyntaxNode): SyntaxNode | undefined {
    const args = this.translator.argumentNodes(node);
    if (fn === 'node_degree_in' || fn === 'node_degree_out' || fn === 'node_id') {
      const variable = this.variableOf(args[0]);
      if (!variable) return undefined;
      if (this.variables.get(variable) !== 'node')
        return this.translator.unsupported(`${fn}() of an edge`, node);
      const type = scalarType(node);
      const made =
        fn === 'node_id'
          ? this.slot((column) => ({ slot: 'node-id' as const, column, variable }))
          : this.slot((column) => ({
              slot: 'degree' as const,
              column,
              variable,
              direction: fn === 'node_degree_in' ? ('in' as const) : ('out' as const),
            }));
      return columnReference(made.column, type, node);
    }
    if (fn === 'map' || fn === 'any' || fn === 'all') {
      if (args.length !== 2)
        return this.translator.unsupported(`${fn}() with ${args.length} arguments`, node);
      let source = args[0];
      let innerNodes = false;
      if (callName(source) === 'inner_nodes') {
        innerNodes = true;
        source = this.translator.argumentNodes(source)[0];
      }
      const variable = this.variableOf(source);
      if (!variable)
        return this.translator.unsupported(`${fn}() over something other than a graph edge`, node);
      if (this.variables.get(variable) === 'node')
        return this.translator.unsupported(`${fn}() over a node variable`, node);
      const elements = new ElementRewriter(this.translator, innerNodes, this.variables);
      const body = elements.rewrite(args[1]);
      const type = scalarType(args[1]);
      const made = this.slot((column) => ({
        slot: 'list' as const,
        column,
        fn: fn as 'map' | 'any' | 'all',
        variable,
        innerNodes,
        expr: this.translator.expr(body),
        type,
        elementSlots: elements.slots,
      }));
      return columnReference(made.column, scalarType(node), node);
    }
    if (fn === 'inner_nodes') return this.translator.unsupported('inner_nodes() outside map/any/all', node);
    return undefined;
  }
}

/** Rewrites element-level calls inside map/any/all: node_degree_in(), node_degree_out(), node_id(). */
class ElementRewriter {
  readonly slots: ElementSlot[] = [];

  constructor(
    private readonly translator: Translator,
    private readonly overNodes: boolean,
    private readonly variables: Map<string, unknown>,
  ) {}

  rewrite(node: SyntaxNode): SyntaxNode {
    // Inside the body, bare names are the element's properties; pattern variables are not in reach.
    if (node.kind === 'NameReference' && node.symbol?.kind === 'Variable' && this.variables.has(nameOf(node)))
      return this.translator.unsupported('a graph variable inside map/any/all', node);
    const fn = callName(node);
    const kinds: Record<string, ElementSlot['kind']> = {
      node_degree_in: 'degree-in',
      node_degree_out: 'degree-out',
      node_id: 'node-id',
    };
    if (fn && kinds[fn]) {
      if (this.translator.argumentNodes(node).length || !this.overNodes)
        return this.translator.unsupported(`${fn}() here`, node);
      const column = `$element${this.slots.length}`;
      this.slots.push({ column, kind: kinds[fn] });
      return columnReference(column, scalarType(node), node);
    }
    return mapChildren(node, (child) => this.rewrite(child));
  }
}

/** Whether the sequences share node variables so that the pattern is one connected piece. */
function patternConnected(patterns: Sequence[]): boolean {
  const reached = new Set(patterns[0]?.nodes ?? []);
  const rest = patterns.slice(1);
  for (let grew = true; grew && rest.length; ) {
    grew = false;
    for (let i = rest.length - 1; i >= 0; i--) {
      if (!rest[i].nodes.some((n) => reached.has(n))) continue;
      for (const n of rest[i].nodes) reached.add(n);
      rest.splice(i, 1);
      grew = true;
    }
  }
  return rest.length === 0;
}

/** Whether the pattern, as a graph of its node variables, closes a cycle (it then has as many edges as nodes). */
function patternHasCycle(patterns: Sequence[]): boolean {
  const nodes = new Set(patterns.flatMap((p) => p.nodes));
  const edges = patterns.reduce((n, p) => n + p.edges.length, 0);
  return edges >= nodes.size;
}

function parameterText(value: SyntaxNode | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value.literal === 'string' ? value.literal : nameOf(value);
}

function translateMatch(
  mode: MatchNode['mode'],
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
): Tabular {
  if (!input) return translator.unsupported(`${node.kind} without input`, node);
  const params = namedParameters(node);
  const cycles = parameterText(params.get('cycles')) ?? 'unique_edges';
  const output = parameterText(params.get('output')) ?? 'any';
  if (cycles !== 'all' && cycles !== 'none' && cycles !== 'unique_edges')
    return translator.unsupported(`cycles=${cycles}`, node);
  if (output !== 'any' && output !== 'all') return translator.unsupported(`output=${output}`, node);
  const patterns = sequences(node, translator);
  if (mode === 'shortest' && (patterns.length !== 1 || !patterns[0].edges.some((e) => e.range)))
    return translator.unsupported('graph-shortest-paths pattern shape', node);
  if (!patternConnected(patterns))
    return translator.unsupported('a pattern of several unconnected parts', node);
  if (cycles === 'none' && patternHasCycle(patterns))
    return translator.unsupported('cycles=none with a pattern that is itself a cycle', node);
  const variables = new Map<string, 'node' | 'edge' | 'path'>();
  for (const sequence of patterns) {
    for (const name of sequence.nodes) variables.set(name, 'node');
    for (const edge of sequence.edges) {
      if (variables.has(edge.name)) return translator.unsupported('a repeated edge variable', node);
      variables.set(edge.name, edge.range ? 'path' : 'edge');
    }
  }
  const rewriter = new PatternRewriter(translator, variables);
  const whereClause = role(node, 'WhereClause');
  const condition = whereClause ? role(whereClause, 'Condition') : null;
  const where = condition ? translator.expr(rewriter.rewrite(condition)) : undefined;
  const projectClause = role(node, 'ProjectClause');
  if (!projectClause) return translator.unsupported(`${node.kind} without project`, node);
  const items = list(projectClause, 'Expressions').map((item) => rewriter.rewrite(item));
  const columns = translator.outputColumns(node);
  const project = translator.namedItems(items, columns);
  const match: MatchNode = {
    mode,
    cycles,
    output,
    sequences: patterns,
    variables: [...variables.keys()],
    slots: rewriter.slots,
    ...(where ? { where } : {}),
    project,
  };
  return { op: 'generic', name: `graph-${mode}`, input, node: match, columns, span: span(node) };
}

// ---- matching ----

/** A match: a node index per node variable, edge indexes per edge variable (a list for paths). */
interface Binding {
  nodes: Map<string, number>;
  edges: Map<string, number[]>;
  /** The nodes strictly inside each path variable, in pattern order. */
  inner: Map<string, number[]>;
}

interface Step {
  edge: number;
  next: number;
}

function steps(graph: Graph, node: number, direction: Direction): Step[] {
  const out: Step[] = [];
  if (direction !== 'backward')
    for (const edge of graph.outgoing[node]) out.push({ edge, next: graph.target[edge] });
  if (direction !== 'forward')
    for (const edge of graph.incoming[node]) {
      // A self-loop is already in the outgoing list for either-direction edges.
      if (direction === 'any' && graph.source[edge] === node) continue;
      out.push({ edge, next: graph.source[edge] });
    }
  return out;
}

class Matcher {
  readonly found: Binding[] = [];
  /** Nodes the match so far goes through, for cycles=none. */
  private readonly visited: number[] = [];
  private readonly limit = 1_000_000;

  constructor(
    private readonly graph: Graph,
    private readonly match: MatchNode,
  ) {}

  run(): Binding[] {
    this.sequence(0, { nodes: new Map(), edges: new Map(), inner: new Map() });
    return this.found;
  }

  private sequence(index: number, binding: Binding): void {
    if (index === this.match.sequences.length) {
      if (this.found.length >= this.limit) throw new KqlError('graph-match: too many matches');
      this.found.push({
        nodes: new Map(binding.nodes),
        edges: new Map(binding.edges),
        inner: new Map(binding.inner),
      });
      return;
    }
    const sequence = this.match.sequences[index];
    const first = sequence.nodes[0];
    const bound = binding.nodes.get(first);
    const starts = bound !== undefined ? [bound] : this.graph.ids.map((_, i) => i);
    for (const start of starts) {
      // Without cycles a node appears once in the whole match, except where the pattern names it again.
      if (bound === undefined && this.match.cycles === 'none' && this.visited.includes(start)) continue;
      if (bound === undefined) binding.nodes.set(first, start);
      this.visited.push(start);
      this.element(index, sequence, 0, start, this.visited, binding);
      this.visited.pop();
      if (bound === undefined) binding.nodes.delete(first);
    }
  }

  /** Matches edge `position` of a sequence from `node`; `visited` are the match's nodes so far. */
  private element(
    index: number,
    sequence: Sequence,
    position: number,
    node: number,
    visited: number[],
    binding: Binding,
  ): void {
    if (position === sequence.edges.length) {
      this.sequence(index + 1, binding);
      return;
    }
    const edge = sequence.edges[position];
    const min = edge.range ? edge.range.min : 1;
    const max = edge.range ? edge.range.max : 1;
    const nextName = sequence.nodes[position + 1];
    const noCycles = this.match.cycles === 'none';
    const path: number[] = [];
    /** The node reached after each hop of `path`. */
    const trail: number[] = [];
    const arrive = (end: number): void => {
      const bound = binding.nodes.get(nextName);
      if (bound !== undefined && bound !== end) return;
      const inner = trail.slice(0, Math.max(0, path.length - 1));
      if (noCycles && bound === undefined && visited.includes(end)) return;
      if (bound === undefined) binding.nodes.set(nextName, end);
      binding.edges.set(edge.name, path.slice());
      binding.inner.set(edge.name, inner);
      visited.push(...inner, end);
      this.element(index, sequence, position + 1, end, visited, binding);
      visited.length -= inner.length + 1;
      binding.edges.delete(edge.name);
      binding.inner.delete(edge.name);
      if (bound === undefined) binding.nodes.delete(nextName);
    };
    const walk = (at: number): void => {
      if (path.length >= min) arrive(at);
      if (path.length === max) return;
      for (const step of steps(this.graph, at, edge.direction)) {
        if (this.match.cycles !== 'all' && this.edgeUsed(step.edge, binding, path)) continue;
        const revisits = noCycles && (visited.includes(step.next) || trail.includes(step.next));
        path.push(step.edge);
        trail.push(step.next);
        // Without cycles a path may come back to a node only where the pattern names it again.
        if (!revisits) walk(step.next);
        else if (path.length >= min && binding.nodes.get(nextName) === step.next) arrive(step.next);
        trail.pop();
        path.pop();
      }
    };
    walk(node);
  }

  private edgeUsed(edge: number, binding: Binding, path: number[]): boolean {
    if (path.includes(edge)) return true;
    for (const used of binding.edges.values()) if (used.includes(edge)) return true;
    return false;
  }
}

export function findMatches(graph: Graph, match: MatchNode): Binding[] {
  return new Matcher(graph, match).run();
}

function pathLength(binding: Binding): number {
  let total = 0;
  for (const edges of binding.edges.values()) total += edges.length;
  return total;
}

// ---- evaluation ----

function degree(graph: Graph, node: number, direction: 'in' | 'out'): number {
  return direction === 'in' ? graph.incoming[node].length : graph.outgoing[node].length;
}

function nodeProperty(graph: Graph, property: string): { values: Value[]; type: KType } {
  const index = graph.nodes.indexOf(property);
  if (index < 0) throw new KqlError(`graph node has no property '${property}'`);
  return { values: graph.nodes.data[index], type: graph.nodes.columns[index].type };
}

function edgeProperty(graph: Graph, property: string): { values: Value[]; type: KType } {
  const index = graph.edges.indexOf(property);
  if (index < 0) throw new KqlError(`graph edge has no property '${property}'`);
  return { values: graph.edges.data[index], type: graph.edges.columns[index].type };
}

/** The element table a map/any/all body runs over: all edges, or all nodes plus element slots. */
function elementTable(graph: Graph, slot: Extract<Slot, { slot: 'list' }>): Table {
  if (!slot.innerNodes) return graph.edges;
  const columns = graph.nodes.columns.slice();
  const data = graph.nodes.data.slice();
  for (const element of slot.elementSlots) {
    const type: KType = element.kind === 'node-id' ? graph.idType : 'long';
    columns.push({ name: element.column, type });
    data.push(
      graph.ids.map((id, i) =>
        element.kind === 'node-id' ? id : degree(graph, i, element.kind === 'degree-in' ? 'in' : 'out'),
      ),
    );
  }
  return new Table(columns, data, graph.nodes.rowCount);
}

function slotColumn(
  graph: Graph,
  slot: Slot,
  matches: Binding[],
  executor: Executor,
  scope: Scope,
): { values: Value[]; type: KType } {
  switch (slot.slot) {
    case 'property': {
      if (slot.owner === 'node') {
        const { values, type } = nodeProperty(graph, slot.property);
        return { values: matches.map((m) => values[m.nodes.get(slot.variable)!]), type };
      }
      const { values, type } = edgeProperty(graph, slot.property);
      if (slot.owner === 'edge')
        return { values: matches.map((m) => values[m.edges.get(slot.variable)![0]]), type };
      return {
        values: matches.map(
          (m) => m.edges.get(slot.variable)!.map((e) => toDynamic(values[e], type)) as Dynamic,
        ),
        type: 'dynamic',
      };
    }
    case 'degree':
      return {
        values: matches.map((m) => degree(graph, m.nodes.get(slot.variable)!, slot.direction)),
        type: 'long',
      };
    case 'node-id':
      return { values: matches.map((m) => graph.ids[m.nodes.get(slot.variable)!]), type: graph.idType };
    case 'list': {
      const table = elementTable(graph, slot);
      const compiled = executor.compile(slot.expr, table, scope);
      const cache = new Map<number, Value>();
      const valueAt = (i: number): Value => {
        if (compiled.constant) return compiled.value ?? null;
        let v = cache.get(i);
        if (v === undefined) {
          v = compiled.fn(i);
          cache.set(i, v);
        }
        return v;
      };
      const values = matches.map((m): Value => {
        const elements = (slot.innerNodes ? m.inner : m.edges).get(slot.variable) ?? [];
        if (slot.fn === 'all') return elements.every((e) => valueAt(e) === true);
        if (slot.fn === 'any') return elements.some((e) => valueAt(e) === true);
        return elements.map((e) => toDynamic(valueAt(e), compiled.type)) as Dynamic;
      });
      return { values, type: slot.fn === 'map' ? 'dynamic' : 'bool' };
    }
  }
}

function executeMatch(
  ir: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const match = ir.node as MatchNode;
  const graph = graphOf(input, ir.name);
  let matches = findMatches(graph, match.mode === 'shortest' ? { ...match, cycles: 'none' } : match);
  const filter = (bindings: Binding[]): Binding[] => {
    if (!match.where) return bindings;
    const table = matchTable(graph, match, bindings, executor, scope);
    const compiled = executor.compile(match.where, table, scope);
    return bindings.filter((_, row) => (compiled.constant ? compiled.value : compiled.fn(row)) === true);
  };
  matches = filter(matches);
  if (match.mode === 'shortest') matches = shortest(match, matches);
  const table = matchTable(graph, match, matches, executor, scope);
  const projected = executor.project(table, match.project, scope);
  if (ir.columns.length !== projected.columns.length) return projected;
  // The analyser types anything computed from a variable-length edge as dynamic.
  const data = projected.data.map((values, c) => {
    const from = projected.columns[c].type;
    const to = ir.columns[c].type;
    return from === to ? values : values.map((v) => coerce(v, from, to));
  });
  return new Table(ir.columns, data, projected.rowCount);
}

function matchTable(
  graph: Graph,
  match: MatchNode,
  matches: Binding[],
  executor: Executor,
  scope: Scope,
): Table {
  const columns: ColumnDef[] = [];
  const data: Value[][] = [];
  for (const slot of match.slots) {
    const { values, type } = slotColumn(graph, slot, matches, executor, scope);
    columns.push({ name: slot.column, type });
    data.push(values);
  }
  return new Table(columns, data, matches.length);
}

/** Per (first node, last node) pair, the matches of least total length: the first, or all of them. */
function shortest(match: MatchNode, matches: Binding[]): Binding[] {
  const sequence = match.sequences[0];
  const first = sequence.nodes[0];
  const last = sequence.nodes[sequence.nodes.length - 1];
  const best = new Map<string, { length: number; matches: Binding[] }>();
  for (const m of matches) {
    const key = `${m.nodes.get(first)}:${m.nodes.get(last)}`;
    const length = pathLength(m);
    const current = best.get(key);
    if (!current || length < current.length) best.set(key, { length, matches: [m] });
    else if (length === current.length && match.output === 'all') current.matches.push(m);
  }
  return [...best.values()].flatMap((b) => b.matches);
}

// ---- registration ----

registerOperator('make-graph', {
  kinds: ['MakeGraphOperator'],
  translate: (input, node, translator) => translateMakeGraph(input, node, translator),
  execute: executeMakeGraph,
});

registerOperator('graph-mark-components', {
  kinds: ['GraphMarkComponentsOperator'],
  translate: (input, node, translator) => translateMarkComponents(input, node, translator),
  execute: (ir, input) => executeMarkComponents(ir, input),
});

registerOperator('graph-to-table', {
  kinds: ['GraphToTableOperator'],
  translate: (input, node, translator) => translateGraphToTable(input, node, translator),
  execute: (ir, input) => executeGraphToTable(ir, input),
});

registerOperator('graph-match', {
  kinds: ['GraphMatchOperator'],
  translate: (input, node, translator) => translateMatch('match', input, node, translator),
  execute: executeMatch,
});

registerOperator('graph-shortest', {
  kinds: ['GraphShortestPathsOperator'],
  translate: (input, node, translator) => translateMatch('shortest', input, node, translator),
  execute: executeMatch,
});
