/**
 * Bound syntax tree → IR. Output column names and types come from the analyser (it knows Kusto's
 * naming rules: `count_`, `Column1`, `print_0`, `JobId1`); the translator lowers sugar and resolves
 * what each name refers to. Operators it does not know are handed to the operator plug-ins by kind.
 */
import type { BoundType, SyntaxNode } from './analyzer.js';
import { NotSupportedError } from './errors.js';
import type {
  Aggregate,
  ColumnDef,
  Expr,
  FunctionBody,
  FunctionParam,
  NamedExpr,
  Program,
  SortKey,
  Statement,
  Tabular,
} from './ir.js';
import { pluginOperator } from './operators/plugins.js';
import { parseDatetime, parseTimespan, ticksFromParts, toDynamic } from './text.js';
import { type Dynamic, type KType, normLong, toKType, type Value } from './values.js';

export function columnsOf(type: BoundType | undefined): ColumnDef[] {
  if (!type || typeof type === 'string') return [];
  return type.columns.map((c) => ({ name: c.name, type: toKType(c.type) }));
}

export function scalarType(node: SyntaxNode): KType {
  return typeof node.type === 'string' ? toKType(node.type) : 'dynamic';
}

export function role(node: SyntaxNode, name: string): SyntaxNode | null {
  const value = node.roles[name];
  return value && !Array.isArray(value) ? value : null;
}

export function list(node: SyntaxNode, name: string): SyntaxNode[] {
  const value = node.roles[name];
  return Array.isArray(value) ? value : [];
}

/** The token text of a node's first token (for keywords and names). */
export function firstToken(node: SyntaxNode | null): string | undefined {
  if (!node) return undefined;
  if (node.token !== undefined) return node.token;
  for (const child of Object.values(node.roles)) {
    if (!child) continue;
    const first = Array.isArray(child) ? child[0] : child;
    const text = firstToken(first ?? null);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** A declared or referenced name (NameDeclaration, NameReference, TokenName, brackets). */
export function nameOf(node: SyntaxNode | null): string {
  if (!node) return '';
  if (node.symbol && (node.kind === 'NameDeclaration' || node.kind === 'NameReference')) {
    const nameNode = role(node, 'Name');
    if (nameNode?.kind === 'BracketedName') return literalString(role(nameNode, 'Name'));
    if (nameNode?.kind === 'WildcardedName') return textOf(nameNode);
  }
  const inner = role(node, 'Name');
  if (inner) return nameOf(inner);
  if (node.kind === 'BracketedName') return literalString(role(node, 'Name'));
  if (node.token !== undefined) return node.token;
  return textOf(node);
}

/** All token text under a node, concatenated. */
export function textOf(node: SyntaxNode | null): string {
  if (!node) return '';
  if (node.token !== undefined) return node.token;
  let out = '';
  for (const child of Object.values(node.roles)) {
    if (!child) continue;
    for (const c of Array.isArray(child) ? child : [child]) out += textOf(c);
  }
  return out;
}

function literalString(node: SyntaxNode | null): string {
  if (!node) return '';
  if (typeof node.literal === 'string') return node.literal;
  return decodeStringToken(node.token ?? textOf(node));
}

/** Decodes a KQL string literal token: '…', "…", @'…', h'…', ```…```. */
export function decodeStringToken(token: string): string {
  let t = token.trim();
  if (/^[hH]/.test(t) && /^[hH]@?['"]/.test(t)) t = t.slice(1);
  if (t.startsWith('```') || t.startsWith('~~~')) return t.slice(3, -3);
  if (t.startsWith('@')) {
    const q = t[1];
    return t
      .slice(2, -1)
      .split(q + q)
      .join(q);
  }
  const quote = t[0];
  if (quote !== '"' && quote !== "'") return t;
  const body = t.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    switch (next) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case 'u': {
        out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
        break;
      }
      case 'x': {
        out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
        break;
      }
      default:
        out += next ?? '';
    }
  }
  return out;
}

const BINARY_OPERATORS = new Set([
  'AddExpression',
  'SubtractExpression',
  'MultiplyExpression',
  'DivideExpression',
  'ModuloExpression',
  'LessThanExpression',
  'LessThanOrEqualExpression',
  'GreaterThanExpression',
  'GreaterThanOrEqualExpression',
  'EqualExpression',
  'NotEqualExpression',
  'AndExpression',
  'OrExpression',
  'EqualTildeExpression',
  'BangTildeExpression',
  'HasExpression',
  'HasCsExpression',
  'NotHasExpression',
  'NotHasCsExpression',
  'HasPrefixExpression',
  'HasPrefixCsExpression',
  'NotHasPrefixExpression',
  'NotHasPrefixCsExpression',
  'HasSuffixExpression',
  'HasSuffixCsExpression',
  'NotHasSuffixExpression',
  'NotHasSuffixCsExpression',
  'LikeExpression',
  'LikeCsExpression',
  'NotLikeExpression',
  'NotLikeCsExpression',
  'ContainsExpression',
  'ContainsCsExpression',
  'NotContainsExpression',
  'NotContainsCsExpression',
  'StartsWithExpression',
  'StartsWithCsExpression',
  'NotStartsWithExpression',
  'NotStartsWithCsExpression',
  'EndsWithExpression',
  'EndsWithCsExpression',
  'NotEndsWithExpression',
  'NotEndsWithCsExpression',
  'MatchesRegexExpression',
]);

const LIST_OPERATORS = new Set([
  'InExpression',
  'InCsExpression',
  'NotInExpression',
  'NotInCsExpression',
  'HasAnyExpression',
  'HasAllExpression',
]);

/** `$Add`, `$HasCs`, … : the registry name of an operator expression kind. */
export function operatorName(kind: string): string {
  return `$${kind.replace(/Expression$/, '')}`;
}

export class Translator {
  constructor(readonly text: string) {}

  unsupported(what: string, node: SyntaxNode): never {
    throw new NotSupportedError(what, this.text, node.start);
  }

  program(root: SyntaxNode): Program {
    return { statements: this.statements(list(root, 'Statements')) };
  }

  statements(nodes: SyntaxNode[]): Statement[] {
    const out: Statement[] = [];
    for (const node of nodes) {
      const statement = this.statement(node);
      if (statement) out.push(statement);
    }
    return out;
  }

  statement(node: SyntaxNode): Statement | undefined {
    switch (node.kind) {
      case 'LetStatement': {
        const name = nameOf(role(node, 'Name'));
        const value = role(node, 'Expression')!;
        if (value.kind === 'FunctionDeclaration') {
          return { s: 'let-function', name, ...this.functionDeclaration(value) };
        }
        if (isTabular(value)) return { s: 'let-tabular', name, query: this.tabular(value) };
        return { s: 'let-scalar', name, expr: this.expr(value) };
      }
      case 'ExpressionStatement': {
        const expression = role(node, 'Expression')!;
        if (!isTabular(expression)) {
          return {
            s: 'query',
            query: { op: 'print', items: [{ name: 'print_0', expr: this.expr(expression) }] },
          };
        }
        return { s: 'query', query: this.tabular(expression) };
      }
      case 'SetOptionStatement':
      case 'QueryParametersStatement':
        return undefined;
      default:
        return this.unsupported(`statement ${node.kind}`, node);
    }
  }

  functionDeclaration(node: SyntaxNode): { params: FunctionParam[]; body: FunctionBody } {
    const parameters = role(node, 'Parameters');
    const params: FunctionParam[] = list(parameters ?? node, 'Parameters').map((p) => {
      const nameAndType = role(p, 'NameAndType')!;
      const typeNode = role(nameAndType, 'Type');
      const tabular = typeNode?.kind === 'SchemaTypeExpression';
      const defaultNode = role(p, 'DefaultValue');
      const defaultValue = defaultNode ? role(defaultNode, 'Value') : null;
      return {
        name: nameOf(role(nameAndType, 'Name')),
        tabular,
        type: tabular ? undefined : toKType(typeNode ? textOf(typeNode).trim() : 'dynamic'),
        ...(defaultValue ? { defaultValue: this.expr(defaultValue) } : {}),
      };
    });
    return { params, body: this.functionBody(role(node, 'Body')!) };
  }

  functionBody(body: SyntaxNode): FunctionBody {
    const statements = this.statements(list(body, 'Statements'));
    const expression = role(body, 'Expression')!;
    return {
      statements,
      result: isTabular(expression)
        ? { kind: 'tabular', query: this.tabular(expression) }
        : { kind: 'scalar', expr: this.expr(expression) },
    };
  }

  // ---- tabular expressions ----

  tabular(node: SyntaxNode): Tabular {
    switch (node.kind) {
      case 'PipeExpression': {
        const left = role(node, 'Expression')!;
        return this.operator(this.tabular(left), role(node, 'Operator')!, columnsOf(left.type));
      }
      case 'ParenthesizedExpression':
        return this.tabular(role(node, 'Expression')!);
      case 'NameReference': {
        const symbol = node.symbol;
        if (symbol?.kind === 'Table' && symbol.name === nameOf(node) && !this.isVariable(node))
          return { op: 'table', name: symbol.name };
        return { op: 'variable', name: nameOf(node) };
      }
      case 'MaterializeExpression':
        return { op: 'materialize', input: this.tabular(role(node, 'Expression')!), id: node.start };
      case 'FunctionCallExpression':
        return this.tabularCall(node);
      case 'DataTableExpression':
        return this.datatable(node);
      case 'PrintOperator':
      case 'RangeOperator':
      case 'UnionOperator':
        return this.operator(undefined, node);
      case 'ContextualDataTableExpression':
        return this.unsupported('contextual datatable', node);
      default:
        if (node.kind.endsWith('Operator')) return this.operator(undefined, node);
        return this.unsupported(`tabular expression ${node.kind}`, node);
    }
  }

  private isVariable(node: SyntaxNode): boolean {
    return node.symbol?.kind === 'Variable' || node.symbol?.kind === 'Parameter';
  }

  private tabularCall(node: SyntaxNode): Tabular {
    const name = nameOf(role(node, 'Name'));
    const args = this.arguments(node);
    const symbol = node.symbol;
    if (symbol?.builtin) {
      if (name === 'materialize')
        return { op: 'materialize', input: this.tabular(this.argumentNodes(node)[0]), id: node.start };
      if (name === 'table' || name === 'view') {
        const arg = args[0];
        if (arg?.e === 'literal' && typeof arg.value === 'string') return { op: 'table', name: arg.value };
      }
      return this.unsupported(`${name}()`, node);
    }
    return { op: 'user-call', name, args, span: span(node) };
  }

  argumentNodes(node: SyntaxNode): SyntaxNode[] {
    const argumentList = role(node, 'ArgumentList');
    return argumentList ? list(argumentList, 'Expressions') : [];
  }

  arguments(node: SyntaxNode): Expr[] {
    return this.argumentNodes(node).map((a) => {
      if (a.kind === 'SimpleNamedExpression') {
        return {
          e: 'named-argument',
          name: nameOf(role(a, 'Name')),
          expr: this.argument(role(a, 'Expression')!),
        };
      }
      return this.argument(a);
    });
  }

  private argument(a: SyntaxNode): Expr {
    return isTabular(a) ? { e: 'tabular-list', query: this.tabular(a) } : this.expr(a);
  }

  private datatable(node: SyntaxNode): Tabular {
    const columns = columnsOf(node.type);
    const values = list(node, 'Values').map((v) => this.expr(v));
    return { op: 'datatable', columns, values };
  }

  /** Output columns of an operator node, per the analyser. */
  outputColumns(node: SyntaxNode): ColumnDef[] {
    return columnsOf(node.type);
  }

  /** The columns of the row the expressions being translated see (for pack_all()). */
  private rowColumns: ColumnDef[] = [];

  operator(input: Tabular | undefined, node: SyntaxNode, inputColumns: ColumnDef[] = []): Tabular {
    const saved = this.rowColumns;
    this.rowColumns = inputColumns;
    try {
      return this.operatorWithRow(input, node, inputColumns);
    } finally {
      this.rowColumns = saved;
    }
  }

  private operatorWithRow(input: Tabular | undefined, node: SyntaxNode, inputColumns: ColumnDef[]): Tabular {
    const need = (): Tabular => input ?? this.unsupported(`${node.kind} without input`, node);
    switch (node.kind) {
      case 'FilterOperator':
        return { op: 'where', input: need(), predicate: this.expr(role(node, 'Condition')!) };
      case 'ExtendOperator':
        return this.extend(need(), node, inputColumns);
      case 'ProjectOperator':
        return {
          op: 'project',
          input: need(),
          items: this.namedItems(list(node, 'Expressions'), this.outputColumns(node)),
        };
      case 'PrintOperator':
        return { op: 'print', items: this.namedItems(list(node, 'Expressions'), this.outputColumns(node)) };
      case 'ProjectAwayOperator':
        return { op: 'project-away', input: need(), names: list(node, 'Expressions').map((n) => nameOf(n)) };
      case 'ProjectKeepOperator':
        return { op: 'project-keep', input: need(), names: list(node, 'Expressions').map((n) => nameOf(n)) };
      case 'ProjectRenameOperator':
        return {
          op: 'project-rename',
          input: need(),
          renames: list(node, 'Expressions').map((n) => ({
            name: nameOf(role(n, 'Name')),
            from: nameOf(role(n, 'Expression')),
          })),
        };
      case 'ProjectReorderOperator':
        return {
          op: 'project-reorder',
          input: need(),
          order: list(node, 'Expressions').map((n) => {
            if (n.kind === 'OrderedExpression') {
              const ordering = role(n, 'Ordering');
              const keyword = firstToken(ordering ? role(ordering, 'AscOrDescKeyword') : null);
              return {
                name: nameOf(role(n, 'Expression')),
                descending: keyword === 'desc',
                byName: true,
              };
            }
            return { name: nameOf(n) };
          }),
        };
      case 'SummarizeOperator':
        return this.summarize(need(), node);
      case 'CountOperator': {
        const columns = this.outputColumns(node);
        return {
          op: 'summarize',
          input: need(),
          by: [],
          aggregates: [
            { name: columns[0]?.name ?? 'Count', fn: 'count', args: [], type: 'long', span: span(node) },
          ],
        };
      }
      case 'DistinctOperator': {
        const columns = this.outputColumns(node);
        const items = list(node, 'Expressions');
        if (items.length === 1 && items[0].kind === 'StarExpression') {
          return {
            op: 'summarize',
            input: need(),
            aggregates: [],
            by: columns.map((c) => ({ name: c.name, expr: { e: 'column', name: c.name, type: c.type } })),
          };
        }
        return { op: 'summarize', input: need(), aggregates: [], by: this.namedItems(items, columns) };
      }
      case 'SortOperator':
        return { op: 'sort', input: need(), keys: list(node, 'Expressions').map((e) => this.sortKey(e)) };
      case 'TakeOperator':
        return { op: 'take', input: need(), count: this.expr(role(node, 'Expression')!) };
      case 'TopOperator':
        return {
          op: 'top',
          input: need(),
          count: this.expr(role(node, 'Expression')!),
          keys: [this.sortKey(role(node, 'ByExpression')!)],
        };
      case 'SerializeOperator':
        return {
          op: 'serialize',
          input: need(),
          items: this.namedItems(list(node, 'Expressions'), this.outputColumns(node)),
        };
      case 'JoinOperator':
        return this.join(need(), node, inputColumns);
      case 'LookupOperator':
        return this.lookup(need(), node);
      case 'UnionOperator':
        return this.union(input, node);
      case 'RangeOperator':
        return {
          op: 'range',
          name: nameOf(role(node, 'Name')),
          type: this.outputColumns(node)[0]?.type ?? 'long',
          from: this.expr(role(node, 'From')!),
          to: this.expr(role(node, 'To')!),
          step: this.expr(role(node, 'Step')!),
        };
      case 'RenderOperator':
        return this.render(need(), node);
      case 'GetSchemaOperator':
        return { op: 'getschema', input: need() };
      case 'AsOperator':
        return { op: 'as', input: need(), name: nameOf(role(node, 'Name')) };
      case 'ExecuteAndCacheOperator':
        return need();
      default: {
        const plugin = pluginOperator(node.kind);
        if (plugin) return plugin.translate(input, node, this, inputColumns);
        return this.unsupported(operatorDisplayName(node), node);
      }
    }
  }

  private extend(input: Tabular, node: SyntaxNode, inputColumns: ColumnDef[]): Tabular {
    const output = this.outputColumns(node);
    const existing = new Set(inputColumns.map((c) => c.name));
    const appended = output.filter((c) => !existing.has(c.name));
    const items: NamedExpr[] = [];
    let next = 0;
    for (const item of list(node, 'Expressions')) {
      if (item.kind === 'SimpleNamedExpression') {
        const name = nameOf(role(item, 'Name'));
        if (!existing.has(name)) {
          existing.add(name);
          next++;
        }
        items.push({ name, expr: this.expr(role(item, 'Expression')!) });
      } else if (item.kind === 'CompoundNamedExpression') {
        const parts = this.compoundNamed(item);
        for (const part of parts) {
          if (!existing.has(part.name)) {
            existing.add(part.name);
            next++;
          }
        }
        items.push(...parts);
      } else if (isTuple(item)) {
        const width = (item.type as { columns: unknown[] }).columns.length;
        const expr = this.expr(item);
        for (let i = 0; i < width; i++) {
          const column = appended[next++];
          const name = column?.name ?? `Column${next}`;
          existing.add(name);
          items.push({
            name,
            expr: {
              e: 'call',
              fn: '$index',
              args: [expr, { e: 'literal', type: 'long', value: i }],
              type: column?.type ?? 'dynamic',
              span: span(item),
            },
          });
        }
      } else {
        const name = appended[next++]?.name ?? `Column${next}`;
        existing.add(name);
        items.push({ name, expr: this.expr(item) });
      }
    }
    return { op: 'extend', input, items };
  }

  /** `(a, b) = expr`: the expression must give an array or tuple; each name takes one element. */
  private compoundNamed(item: SyntaxNode): NamedExpr[] {
    const names = list(role(item, 'Names')!, 'Names').map((n) => nameOf(n));
    const value = role(item, 'Expression')!;
    const expr = this.expr(value);
    // A tuple result (series_fit_line) gives all its columns; the names given rename the first ones.
    const tuple = isTuple(value)
      ? (value.type as { columns: { name: string; type: string }[] }).columns
      : undefined;
    const parts = tuple ?? names.map((name) => ({ name, type: 'dynamic' }));
    return parts.map((part, i) => ({
      name: names[i] ?? part.name,
      expr: {
        e: 'call',
        fn: '$index',
        args: [expr, { e: 'literal', type: 'long', value: i }],
        type: toKType(part.type),
        span: span(item),
      },
    }));
  }

  /** Items of project/print/distinct/serialize: explicit names, else the analyser's names by position. */
  namedItems(items: SyntaxNode[], output: ColumnDef[]): NamedExpr[] {
    const out: NamedExpr[] = [];
    let position = 0;
    for (const item of items) {
      if (item.kind === 'SimpleNamedExpression') {
        out.push({ name: nameOf(role(item, 'Name')), expr: this.expr(role(item, 'Expression')!) });
        position++;
      } else if (item.kind === 'CompoundNamedExpression') {
        const parts = this.compoundNamed(item);
        out.push(...parts);
        position += parts.length;
      } else if (isTuple(item)) {
        // A function returning several values (array_sort_asc(a, b)): one column per value.
        const width = (item.type as { columns: unknown[] }).columns.length;
        const expr = this.expr(item);
        for (let i = 0; i < width; i++) {
          out.push({
            name: output[position]?.name ?? `Column${position + 1}`,
            expr: {
              e: 'call',
              fn: '$index',
              args: [expr, { e: 'literal', type: 'long', value: i }],
              type: output[position]?.type ?? 'dynamic',
              span: span(item),
            },
          });
          position++;
        }
      } else {
        out.push({ name: output[position]?.name ?? `Column${position + 1}`, expr: this.expr(item) });
        position++;
      }
    }
    return out;
  }

  sortKey(node: SyntaxNode): SortKey {
    if (node.kind !== 'OrderedExpression') {
      return { expr: this.expr(node), descending: true, nullsFirst: false };
    }
    const ordering = role(node, 'Ordering');
    const direction = ordering ? firstToken(role(ordering, 'AscOrDescKeyword')) : undefined;
    const descending = direction !== 'asc';
    const nullsClause = ordering ? role(ordering, 'NullsClause') : null;
    const nulls = nullsClause ? firstToken(role(nullsClause, 'FirstOrLastKeyword')) : undefined;
    // Kusto: descending puts nulls last, ascending puts them first, unless told otherwise.
    const nullsFirst = nulls ? nulls === 'first' : !descending;
    return { expr: this.expr(role(node, 'Expression')!), descending, nullsFirst };
  }

  private summarize(input: Tabular, node: SyntaxNode): Tabular {
    const output = this.outputColumns(node);
    const byClause = role(node, 'ByClause');
    const byNodes = byClause ? list(byClause, 'Expressions') : [];
    const by = this.namedItems(byNodes, output);
    const aggregateNodes = list(node, 'Aggregates');
    let position = by.length;
    const aggregates: Aggregate[] = [];
    aggregateNodes.forEach((item, index) => {
      const remainingAfter = aggregateNodes.length - index - 1;
      let names: string[] | undefined;
      let call = item;
      let explicit: string | undefined;
      if (item.kind === 'SimpleNamedExpression') {
        explicit = nameOf(role(item, 'Name'));
        call = role(item, 'Expression')!;
      } else if (item.kind === 'CompoundNamedExpression') {
        names = list(role(item, 'Names')!, 'Names').map((n) => nameOf(n));
        call = role(item, 'Expression')!;
      }
      while (call.kind === 'ParenthesizedExpression') call = role(call, 'Expression')!;
      if (call.kind !== 'FunctionCallExpression' || call.symbol?.kind !== 'Aggregate') {
        // An expression over aggregates (`sum(x) / count()`) : evaluated per group after aggregation.
        aggregates.push({
          name: explicit ?? output[position]?.name ?? `Column${position}`,
          fn: '$expression',
          args: [this.expr(call)],
          type: scalarType(call),
          span: span(call),
        });
        position++;
        return;
      }
      const fn = nameOf(role(call, 'Name'));
      const argNodes = this.argumentNodes(call);
      const args = argNodes.map((a) =>
        a.kind === 'StarExpression' ? ({ e: 'star' } as Expr) : this.expr(a),
      );
      const tupleWidth = isTuple(call) ? (call.type as { columns: unknown[] }).columns.length : 0;
      const multi =
        tupleWidth > 1 ||
        /^arg_(max|min)$/.test(fn) ||
        fn === 'take_anyif' ||
        (fn === 'take_any' && argNodes.length !== 1) ||
        (fn === 'any' && argNodes.length !== 1);
      if (multi) {
        const width =
          names?.length ?? (tupleWidth > 1 ? tupleWidth : output.length - position - remainingAfter);
        const outputs = output.slice(position, position + Math.max(width, 1));
        aggregates.push({
          name: outputs[0]?.name ?? fn,
          fn,
          args,
          type: outputs[0]?.type ?? 'dynamic',
          span: span(call),
          outputs,
        });
        position += outputs.length;
        return;
      }
      const column = output[position];
      aggregates.push({
        name: explicit ?? names?.[0] ?? column?.name ?? fn,
        fn,
        args,
        type: column?.type ?? scalarType(call),
        span: span(call),
      });
      position++;
    });
    return { op: 'summarize', input, aggregates, by };
  }

  joinKind(node: SyntaxNode, fallback: string): string {
    for (const parameter of list(node, 'Parameters')) {
      if (nameOf(role(parameter, 'Name')) === 'kind') {
        const value = role(parameter, 'Expression');
        return String(value?.literal ?? textOf(value)).toLowerCase();
      }
    }
    return fallback;
  }

  private joinConditions(node: SyntaxNode): { left: Expr; right: Expr }[] {
    const clause = role(node, 'ConditionClause') ?? role(node, 'LookupClause');
    if (!clause) return this.unsupported('join without on', node);
    if (clause.kind === 'JoinWhereClause') return this.unsupported('join where', clause);
    return list(clause, 'Expressions').map((e) => {
      if (e.kind === 'NameReference') {
        const name = nameOf(e);
        const type = scalarType(e);
        return { left: { e: 'column', name, type }, right: { e: 'column', name, type } };
      }
      if (e.kind === 'EqualExpression') {
        const l = role(e, 'Left')!;
        const r = role(e, 'Right')!;
        const sideOf = (p: SyntaxNode) => textOf(role(p, 'Expression')).trim();
        const a = { side: sideOf(l), expr: this.joinSide(l) };
        const b = { side: sideOf(r), expr: this.joinSide(r) };
        return a.side === '$right' ? { left: b.expr, right: a.expr } : { left: a.expr, right: b.expr };
      }
      return this.unsupported(`join condition ${e.kind}`, e);
    });
  }

  private joinSide(node: SyntaxNode): Expr {
    if (node.kind === 'PathExpression') {
      const selector = role(node, 'Selector')!;
      return { e: 'column', name: nameOf(selector), type: scalarType(selector) };
    }
    return this.expr(node);
  }

  private join(left: Tabular, node: SyntaxNode, inputColumns: ColumnDef[]): Tabular {
    const right = this.tabular(role(node, 'Expression')!);
    return {
      op: 'join',
      left,
      right,
      kind: this.joinKind(node, 'innerunique'),
      on: this.joinConditions(node),
      columns: this.outputColumns(node),
      ...(inputColumns.length ? { leftColumns: inputColumns.map((c) => c.name) } : {}),
    };
  }

  private lookup(left: Tabular, node: SyntaxNode): Tabular {
    const right = this.tabular(role(node, 'Expression')!);
    const kind = this.joinKind(node, 'leftouter');
    return {
      op: 'join',
      left,
      right,
      kind: `lookup-${kind}`,
      on: this.joinConditions(node),
      columns: this.outputColumns(node),
    };
  }

  private union(input: Tabular | undefined, node: SyntaxNode): Tabular {
    let kind: 'inner' | 'outer' = 'outer';
    let withSource: string | undefined;
    let fuzzy = false;
    for (const parameter of list(node, 'Parameters')) {
      const name = nameOf(role(parameter, 'Name')).toLowerCase();
      const value = role(parameter, 'Expression');
      if (name === 'kind')
        kind = String(value?.literal ?? textOf(value)).toLowerCase() === 'inner' ? 'inner' : 'outer';
      else if (name === 'withsource') withSource = nameOf(value);
      else if (name === 'isfuzzy') fuzzy = String(value?.literal ?? textOf(value)).toLowerCase() === 'true';
      else this.unsupported(`union ${name}`, parameter);
    }
    const expressions = list(node, 'Expressions');
    const inputs: Tabular[] = input ? [input] : [];
    const sourceNames: string[] = input ? ['union_arg0'] : [];
    for (const e of expressions) {
      inputs.push(this.tabular(e));
      sourceNames.push(unionSourceName(e) ?? `union_arg${sourceNames.length}`);
    }
    return { op: 'union', inputs, kind, withSource, sourceNames, columns: this.outputColumns(node), fuzzy };
  }

  private render(input: Tabular, node: SyntaxNode): Tabular {
    const visualization = nameOf(role(node, 'ChartType')) || firstToken(role(node, 'ChartType')) || '';
    const properties: Record<string, Value> = {};
    const withClause = role(node, 'WithClause');
    if (withClause) {
      for (const p of list(withClause, 'Properties')) {
        const name = nameOf(role(p, 'Name'));
        const valueNode = role(p, 'Expression');
        if (!valueNode) continue;
        if (valueNode.kind === 'ParenthesizedExpression' || valueNode.kind === 'ExpressionList') {
          properties[name] = textOf(valueNode)
            .replace(/[()]/g, '')
            .split(',')
            .map((s) => s.trim()) as Dynamic;
        } else {
          const expr = this.expr(valueNode);
          properties[name] = expr.e === 'literal' ? expr.value : textOf(valueNode).trim();
        }
      }
    }
    return { op: 'render', input, visualization, properties };
  }

  // ---- scalar expressions ----

  expr(node: SyntaxNode): Expr {
    const type = scalarType(node);
    switch (node.kind) {
      case 'ParenthesizedExpression':
        return this.expr(role(node, 'Expression')!);
      case 'NameReference':
        return this.nameReference(node);
      case 'BooleanLiteralExpression':
      case 'IntLiteralExpression':
      case 'LongLiteralExpression':
      case 'RealLiteralExpression':
      case 'DecimalLiteralExpression':
      case 'DateTimeLiteralExpression':
      case 'TimespanLiteralExpression':
      case 'GuidLiteralExpression':
      case 'StringLiteralExpression':
      case 'CompoundStringLiteralExpression':
      case 'NullLiteralExpression':
      case 'TokenLiteralExpression':
        return { e: 'literal', type, value: this.literal(node, type) };
      case 'DynamicExpression':
        return { e: 'literal', type: 'dynamic', value: this.dynamicLiteral(role(node, 'Expression')!) };
      case 'TypeOfLiteralExpression':
        return { e: 'literal', type: 'string', value: textOf(node) };
      case 'UnaryMinusExpression':
      case 'UnaryPlusExpression': {
        const operand = this.expr(role(node, 'Expression')!);
        if (node.kind === 'UnaryPlusExpression') return operand;
        return { e: 'call', fn: '$Negate', args: [operand], type, span: span(node) };
      }
      case 'FunctionCallExpression':
        return this.call(node);
      case 'ToScalarExpression': {
        const inner = role(node, 'Expression')!;
        if (!isTabular(inner)) return this.expr(inner);
        return { e: 'to-scalar', query: this.tabular(inner), type };
      }
      case 'PathExpression': {
        const target = role(node, 'Expression')!;
        const selector = role(node, 'Selector')!;
        if (node.symbol?.kind === 'Column' && target.type && typeof target.type !== 'string') {
          return { e: 'column', name: nameOf(selector), type };
        }
        if (selector.kind === 'BracketedExpression') {
          return {
            e: 'call',
            fn: '$index',
            args: [this.expr(target), this.expr(role(selector, 'Expression')!)],
            type,
            span: span(node),
          };
        }
        return {
          e: 'call',
          fn: '$member',
          args: [this.expr(target), { e: 'literal', type: 'string', value: nameOf(selector) }],
          type,
          span: span(node),
        };
      }
      case 'ElementExpression': {
        const target = role(node, 'Expression')!;
        const selector = role(node, 'Selector')!;
        const index = selector.kind === 'BracketedExpression' ? role(selector, 'Expression')! : selector;
        return {
          e: 'call',
          fn: '$index',
          args: [this.expr(target), this.expr(index)],
          type,
          span: span(node),
        };
      }
      case 'BetweenExpression':
      case 'NotBetweenExpression': {
        const range = role(node, 'Right')!;
        return {
          e: 'call',
          fn: operatorName(node.kind),
          args: [
            this.expr(role(node, 'Left')!),
            this.expr(role(range, 'First')!),
            this.expr(role(range, 'Second')!),
          ],
          type,
          span: span(node),
        };
      }
      case 'StarExpression':
        return { e: 'star' };
      case 'MaterializeExpression':
        return this.unsupported('materialize in a scalar context', node);
      default:
        if (BINARY_OPERATORS.has(node.kind)) {
          return {
            e: 'call',
            fn: operatorName(node.kind),
            args: [this.expr(role(node, 'Left')!), this.expr(role(node, 'Right')!)],
            type,
            span: span(node),
          };
        }
        if (LIST_OPERATORS.has(node.kind)) {
          const right = role(node, 'Right')!;
          const items = list(right, 'Expressions').map((e) =>
            isTabular(e) ? ({ e: 'tabular-list', query: this.tabular(e) } as Expr) : this.expr(e),
          );
          return {
            e: 'call',
            fn: operatorName(node.kind),
            args: [this.expr(role(node, 'Left')!), ...items],
            type,
            span: span(node),
          };
        }
        return this.unsupported(`expression ${node.kind}`, node);
    }
  }

  private nameReference(node: SyntaxNode): Expr {
    const symbol = node.symbol;
    const type = scalarType(node);
    const name = nameOf(node);
    switch (symbol?.kind) {
      case 'Column':
        return { e: 'column', name, type };
      case 'Variable':
      case 'Parameter':
        return { e: 'variable', name, type };
      case 'Function':
        // A function called without parentheses (`now`, a let function with no parameters).
        if (symbol.builtin) return { e: 'call', fn: name, args: [], type, span: span(node) };
        return { e: 'user-call', name, args: [], type, span: span(node) };
      default:
        return this.unsupported(`name ${name}`, node);
    }
  }

  private call(node: SyntaxNode): Expr {
    const name = nameOf(role(node, 'Name'));
    const type = scalarType(node);
    const symbol = node.symbol;
    if (symbol?.kind === 'Function' && !symbol.builtin) {
      return { e: 'user-call', name, args: this.arguments(node), type, span: span(node) };
    }
    if (symbol?.kind === 'Aggregate') {
      // Aggregates outside summarize (in make-series, or nested in expressions): the operator decides.
      return {
        e: 'call',
        fn: `$aggregate:${name}`,
        args: this.argumentNodes(node).map((a) =>
          a.kind === 'StarExpression' ? ({ e: 'star' } as Expr) : this.expr(a),
        ),
        type,
        span: span(node),
      };
    }
    const rewritten = this.rowFunction(name, node, type);
    if (rewritten) return rewritten;
    return { e: 'call', fn: name, args: this.arguments(node), type, span: span(node) };
  }

  /** Functions over the whole row, rewritten to take the row's columns as arguments. */
  private rowFunction(name: string, node: SyntaxNode, type: KType): Expr | undefined {
    const args = this.argumentNodes(node);
    const column = (c: ColumnDef): Expr => ({ e: 'column', name: c.name, type: c.type });
    const text = (value: string): Expr => ({ e: 'literal', type: 'string', value });
    const call = (fn: string, callArgs: Expr[]): Expr => ({
      e: 'call',
      fn,
      args: callArgs,
      type,
      span: span(node),
    });
    if (name === 'pack_all') {
      const flag: Expr = args[0] ? this.expr(args[0]) : { e: 'literal', type: 'bool', value: false };
      return call('$pack_all', [flag, ...this.rowColumns.flatMap((c) => [text(c.name), column(c)])]);
    }
    if (name === 'column_names_of' && args[0]) {
      return { e: 'tabular-list', query: { op: 'getschema', input: this.tabular(args[0]) } };
    }
    if (name === 'bag_pack_columns') {
      return call(
        'bag_pack',
        args.flatMap((a) => [text(nameOf(a)), this.expr(a)]),
      );
    }
    if (name === 'pack_array' && args.some((a) => a.kind === 'StarExpression')) {
      return call(
        'pack_array',
        args.flatMap((a) => (a.kind === 'StarExpression' ? this.rowColumns.map(column) : [this.expr(a)])),
      );
    }
    return undefined;
  }

  literal(node: SyntaxNode, type: KType): Value {
    const tokenNode = role(node, 'Token');
    const token = (tokenNode?.token ?? textOf(node)).trim();
    if (node.kind === 'NullLiteralExpression') return null;
    if (node.kind === 'CompoundStringLiteralExpression') {
      return list(node, 'Tokens')
        .map((t) => decodeStringToken(t.token ?? ''))
        .join('');
    }
    if (/^\w+\(\s*null\s*\)$/i.test(token)) return type === 'string' ? '' : null;
    switch (type) {
      case 'string':
        return typeof node.literal === 'string' ? node.literal : decodeStringToken(token);
      case 'bool':
        return /true/i.test(token);
      case 'long':
      case 'int': {
        const inner = token.replace(/^(long|int)\(\s*|\s*\)$/gi, '');
        if (/^[+-]?\d+$/.test(inner)) return normLong(BigInt(inner));
        if (/^0x[0-9a-f]+$/i.test(inner)) return normLong(BigInt(inner));
        return typeof node.literal === 'number' ? node.literal : Number(inner);
      }
      case 'real':
      case 'decimal': {
        const inner = token.replace(/^(real|double|decimal)\(\s*|\s*\)$/gi, '').toLowerCase();
        if (inner === 'nan') return Number.NaN;
        if (inner === '+inf' || inner === 'inf') return Number.POSITIVE_INFINITY;
        if (inner === '-inf') return Number.NEGATIVE_INFINITY;
        return typeof node.literal === 'number' ? node.literal : Number(inner);
      }
      case 'timespan': {
        // time(2), time(00:01:00): the analyser decodes only the bare forms (2d, 1.5h).
        const wrapped = /^(time|timespan)\(\s*(.*?)\s*\)$/is.exec(token);
        if (wrapped) {
          const ticks = parseTimespan(wrapped[2].replace(/^(['"])(.*)\1$/s, '$2'));
          if (ticks === null) return this.unsupported(`timespan literal ${token}`, node);
          return ticks;
        }
        const literal = node.literal as { ticks?: string } | undefined;
        if (literal?.ticks !== undefined) return BigInt(literal.ticks);
        return this.unsupported(`timespan literal ${token}`, node);
      }
      case 'datetime': {
        const inner = token
          .replace(/^(datetime|date)\(\s*|\s*\)$/gi, '')
          .replace(/^(['"])(.*)\1$/s, '$2')
          .replace(/\s*-\s*/g, '-');
        const ticks = /^\d+(\s*,\s*\d+){2,5}$/.test(inner)
          ? datetimeFromParts(inner.split(',').map((p) => Number(p.trim())))
          : parseDatetime(inner);
        if (ticks === null) return this.unsupported(`datetime literal ${token}`, node);
        return ticks;
      }
      case 'guid': {
        const inner = token.replace(/^guid\(\s*|\s*\)$/gi, '');
        return inner.toLowerCase();
      }
      default:
        return (node.literal as Value) ?? token;
    }
  }

  /** The value of a `dynamic(...)` literal, built from the JSON syntax (KQL literals allowed inside). */
  dynamicLiteral(node: SyntaxNode): Dynamic {
    switch (node.kind) {
      case 'JsonObjectExpression': {
        const out: { [key: string]: Dynamic } = {};
        for (const pair of list(node, 'Pairs')) {
          const nameToken = role(pair, 'Name');
          out[decodeStringToken(nameToken?.token ?? '')] = this.dynamicLiteral(role(pair, 'Value')!);
        }
        return out;
      }
      case 'JsonArrayExpression':
        return list(node, 'Values').map((v) => this.dynamicLiteral(v));
      case 'UnaryMinusExpression': {
        const value = this.dynamicLiteral(role(node, 'Expression')!);
        return typeof value === 'number' ? -value : typeof value === 'bigint' ? -value : value;
      }
      case 'NullLiteralExpression':
        return null;
      default: {
        const expr = this.expr(node);
        if (expr.e !== 'literal') return this.unsupported('non-literal in dynamic()', node);
        return toDynamic(expr.value, expr.type);
      }
    }
  }
}

/** `datetime(2017, 1, 1[, h, m, s])`. */
function datetimeFromParts([year, month, day, hour = 0, minute = 0, second = 0]: number[]): bigint | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  return ticksFromParts(year, month, day, hour, minute, second);
}

/** The name `withsource` reports for a union leg: a table or let name, or the name given by `as`. */
function unionSourceName(node: SyntaxNode): string | undefined {
  if (node.kind === 'NameReference') return nameOf(node);
  if (node.kind === 'ParenthesizedExpression') return unionSourceName(role(node, 'Expression')!);
  if (node.kind === 'PipeExpression') {
    const operator = role(node, 'Operator');
    if (operator?.kind === 'AsOperator') return nameOf(role(operator, 'Name'));
    return unionSourceName(role(node, 'Expression')!);
  }
  if (node.kind === 'FunctionCallExpression') return nameOf(role(node, 'Name'));
  return undefined;
}

/** A copy of a node with each child replaced by `map(child)` (for plug-ins that rewrite expressions). */
export function mapChildren(node: SyntaxNode, map: (child: SyntaxNode) => SyntaxNode): SyntaxNode {
  const roles: SyntaxNode['roles'] = {};
  for (const [key, child] of Object.entries(node.roles)) {
    roles[key] = Array.isArray(child) ? child.map(map) : child ? map(child) : child;
  }
  return { ...node, roles };
}

/** A bound column reference made up by an operator plug-in (graph and scan state variables). */
export function columnReference(name: string, type: KType, at: SyntaxNode): SyntaxNode {
  return {
    kind: 'NameReference',
    start: at.start,
    end: at.end,
    type,
    symbol: { kind: 'Column', name, type },
    roles: { Name: { kind: 'IdentifierToken', token: name, start: at.start, end: at.end, roles: {} } },
  };
}

export function span(node: SyntaxNode): { start: number; end: number } {
  return { start: node.start, end: node.end };
}

function isTuple(node: SyntaxNode): boolean {
  return typeof node.type === 'object' && node.type !== null && node.type.tuple === true;
}

export function isTabular(node: SyntaxNode): boolean {
  if (typeof node.type === 'object' && node.type !== null) return node.type.tuple !== true;
  return node.kind === 'PipeExpression' || (node.kind.endsWith('Operator') && node.kind !== 'Operator');
}

function operatorDisplayName(node: SyntaxNode): string {
  return node.kind
    .replace(/Operator$/, '')
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase();
}
