/**
 * The `scan` operator: a state machine over the serialized input. Each step keeps a state (one record
 * per step up to it); records are checked against the steps from last to first, either advancing the
 * previous step's sequence (check 1) or continuing the step's own sequence (check 2), as Kusto's
 * documented matching logic describes.
 *
 * Conditions and assignments reference state values as `step.column`; these are rewritten into
 * synthetic columns of a one-row context table whose cells are refilled before each evaluation.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import type { Compiled } from '../expr.js';
import { coerce } from '../functions/coerce.js';
import type { ColumnDef, Expr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import {
  columnReference,
  list,
  nameOf,
  role,
  scalarType,
  span,
  type Translator,
  textOf,
} from '../translate.js';
import { type KType, nullOf, toKType, type Value } from '../values.js';
import { namedParameters } from './parse.js';
import { registerOperator } from './plugins.js';

interface Declared {
  name: string;
  type: KType;
  defaultValue?: Expr;
}

interface StateReference {
  column: string;
  step: number;
  name: string;
}

interface ScanStep {
  name: string;
  output: 'all' | 'none';
  condition: Expr;
  assignments: { name: string; expr: Expr }[];
}

interface ScanNode {
  matchId?: string;
  declared: Declared[];
  steps: ScanStep[];
  references: StateReference[];
  inputColumns: ColumnDef[];
}

/** Rewrites `step.column` references into synthetic columns. */
function rewriteReferences(
  node: SyntaxNode,
  stepIndex: Map<string, number>,
  references: StateReference[],
): SyntaxNode {
  if (node.kind === 'PathExpression') {
    const target = role(node, 'Expression');
    const step = target?.kind === 'NameReference' ? stepIndex.get(nameOf(target)) : undefined;
    if (step !== undefined && target?.symbol?.kind === 'Variable') {
      const name = nameOf(role(node, 'Selector'));
      let reference = references.find((r) => r.step === step && r.name === name);
      if (!reference) {
        reference = { column: `$scan${references.length}`, step, name };
        references.push(reference);
      }
      return columnReference(reference.column, scalarType(node), node);
    }
  }
  const roles: SyntaxNode['roles'] = {};
  for (const [key, child] of Object.entries(node.roles)) {
    roles[key] = Array.isArray(child)
      ? child.map((c) => rewriteReferences(c, stepIndex, references))
      : child
        ? rewriteReferences(child, stepIndex, references)
        : child;
  }
  return { ...node, roles };
}

function declaration(node: SyntaxNode, translator: Translator): Declared {
  const nameAndType = role(node, 'NameAndType')!;
  const name = nameOf(role(nameAndType, 'Name'));
  const type = toKType(textOf(role(nameAndType, 'Type')).trim());
  const defaultNode = role(node, 'DefaultValue');
  const value = defaultNode ? role(defaultNode, 'Value') : null;
  return value ? { name, type, defaultValue: translator.expr(value) } : { name, type };
}

function stepOutput(step: SyntaxNode, translator: Translator): ScanStep['output'] {
  const output = role(step, 'ScanStepOutput');
  if (!output) return 'all';
  const text = textOf(output).replace(/\s+/g, '').toLowerCase();
  if (text === 'output=all') return 'all';
  if (text === 'output=none') return 'none';
  return translator.unsupported(`scan step ${text}`, step);
}

function translateScan(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
  inputColumns: ColumnDef[],
): Tabular {
  if (!input) return translator.unsupported('scan without input', node);
  if (role(node, 'OrderByClause') || role(node, 'PartitionByClause'))
    return translator.unsupported('scan order by / partition by', node);
  const parameters = namedParameters(node);
  const matchIdNode = parameters.get('with_match_id');
  for (const key of parameters.keys())
    if (key !== 'with_match_id') return translator.unsupported(`scan parameter ${key}`, node);
  const declareClause = role(node, 'DeclareClause');
  const declared = declareClause
    ? list(declareClause, 'Declarations').map((d) => declaration(d, translator))
    : [];
  const stepNodes = list(node, 'Steps');
  const stepIndex = new Map(stepNodes.map((s, i) => [nameOf(role(s, 'Name')), i]));
  const references: StateReference[] = [];
  const steps = stepNodes.map((step): ScanStep => {
    if (role(step, 'OptionalKeyword')) return translator.unsupported('optional scan steps', step);
    const computation = role(step, 'ComputationClause');
    return {
      name: nameOf(role(step, 'Name')),
      output: stepOutput(step, translator),
      condition: translator.expr(rewriteReferences(role(step, 'Condition')!, stepIndex, references)),
      assignments: (computation ? list(computation, 'Assignments') : []).map((a) => ({
        name: nameOf(role(a, 'Name')),
        expr: translator.expr(rewriteReferences(role(a, 'Expression')!, stepIndex, references)),
      })),
    };
  });
  const scan: ScanNode = {
    ...(matchIdNode ? { matchId: nameOf(matchIdNode) } : {}),
    declared,
    steps,
    references,
    inputColumns,
  };
  return {
    op: 'generic',
    name: 'scan',
    input,
    node: scan,
    columns: translator.outputColumns(node),
    span: span(node),
  };
}

/** A step's state: the extended record of each step up to it, and the sequence's match id. */
interface State {
  records: Value[][];
  matchId: number;
}

class ScanRun {
  private readonly width: number;
  private readonly defaults: Value[];
  private readonly context: Table;
  private readonly conditions: Compiled[];
  private readonly assignments: { index: number; compiled: Compiled }[][];
  private readonly states: (State | undefined)[];
  private nextMatchId = 0;
  readonly rows: Value[][] = [];
  readonly matchIds: number[] = [];

  constructor(
    private readonly scan: ScanNode,
    private readonly input: Table,
    executor: Executor,
    scope: Scope,
  ) {
    const columns: ColumnDef[] = [
      ...input.columns,
      ...scan.declared.map((d) => ({ name: d.name, type: d.type })),
    ];
    this.width = columns.length;
    this.defaults = [
      ...input.columns.map((c) => nullOf(c.type)),
      ...scan.declared.map((d) => {
        if (!d.defaultValue) return nullOf(d.type);
        const compiled = executor.compile(d.defaultValue, undefined, scope);
        const value = compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
        return coerce(value, compiled.type, d.type);
      }),
    ];
    const referenceColumns = scan.references.map((r) => {
      const index = columns.findIndex((c) => c.name === r.name);
      if (index < 0) throw new KqlError(`scan: no column '${r.name}'`);
      return { name: r.column, type: columns[index].type };
    });
    const all = [...columns, ...referenceColumns];
    this.context = new Table(
      all,
      all.map(() => [null]),
      1,
    );
    this.conditions = scan.steps.map((s) => executor.compile(s.condition, this.context, scope));
    this.assignments = scan.steps.map((s) =>
      s.assignments.map((a) => {
        const index = columns.findIndex((c) => c.name === a.name);
        if (index < input.columns.length) throw new KqlError(`scan: '${a.name}' is not a declared column`);
        return { index, compiled: executor.compile(a.expr, this.context, scope) };
      }),
    );
    this.states = scan.steps.map(() => undefined);
  }

  run(): void {
    for (let row = 0; row < this.input.rowCount; row++) {
      const record = this.defaults.slice();
      for (let c = 0; c < this.input.columns.length; c++) record[c] = this.input.data[c][row];
      for (let k = this.scan.steps.length - 1; k >= 0; k--) this.check(k, record);
    }
  }

  private check(k: number, record: Value[]): void {
    const previous = k > 0 ? this.states[k - 1] : undefined;
    if (previous && this.matches(k, record, previous.records)) {
      const extended = this.extend(k, record, previous.records);
      this.states[k] = { records: [...previous.records, extended], matchId: previous.matchId };
      this.states[k - 1] = undefined;
      this.emit(k, extended, previous.matchId);
      return;
    }
    const own = this.states[k];
    if (!own && k > 0) return;
    const records = own?.records ?? [];
    if (!this.matches(k, record, records)) return;
    const extended = this.extend(k, record, records);
    let matchId: number;
    if (own) {
      matchId = own.matchId;
      own.records = [...records.slice(0, k), extended];
    } else {
      matchId = this.nextMatchId++;
      this.states[k] = { records: [extended], matchId };
    }
    this.emit(k, extended, matchId);
  }

  /** Fills the context row: the record's values and the state values it references. */
  private load(record: Value[], state: Value[][]): void {
    const data = this.context.data;
    for (let c = 0; c < this.width; c++) data[c][0] = record[c];
    this.scan.references.forEach((reference, i) => {
      const source = state[reference.step];
      const index = this.context.indexOf(reference.name);
      data[this.width + i][0] = source ? source[index] : this.defaults[index];
    });
  }

  private matches(k: number, record: Value[], state: Value[][]): boolean {
    this.load(record, state);
    const condition = this.conditions[k];
    return (condition.constant ? condition.value : condition.fn(0)) === true;
  }

  private extend(k: number, record: Value[], state: Value[][]): Value[] {
    this.load(record, state);
    const extended = record.slice();
    for (const { index, compiled } of this.assignments[k]) {
      const value = compiled.constant ? (compiled.value ?? null) : compiled.fn(0);
      extended[index] = coerce(value, compiled.type, this.context.columns[index].type);
    }
    return extended;
  }

  private emit(k: number, extended: Value[], matchId: number): void {
    if (this.scan.steps[k].output === 'none') return;
    this.rows.push(extended);
    this.matchIds.push(matchId);
  }
}

function executeScan(
  ir: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  const scan = ir.node as ScanNode;
  const run = new ScanRun(scan, input!, executor, scope);
  run.run();
  const width = input!.columns.length + scan.declared.length;
  const data: Value[][] = [];
  for (let c = 0; c < width; c++) data.push(run.rows.map((r) => r[c]));
  if (scan.matchId) data.push(run.matchIds);
  const columns = ir.columns.length === data.length ? ir.columns : ir.columns.slice(0, data.length);
  return new Table(columns, data, run.rows.length);
}

registerOperator('scan', {
  kinds: ['ScanOperator'],
  translate: translateScan,
  execute: executeScan,
});
