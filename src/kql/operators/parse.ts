/**
 * Operator plug-ins: `parse`, `parse-where` and `parse-kv`. A parse pattern becomes one anchored regex
 * with a named group per extracted column; typed columns are converted after the match.
 */
import type { SyntaxNode } from '../analyzer.js';
import { KqlError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import { coerce, toDynamicValue } from '../functions/coerce.js';
import { compileRegex } from '../functions/operators.js';
import type { ColumnDef, Expr, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { toText } from '../text.js';
import { list, nameOf, role, span, type Translator, textOf } from '../translate.js';
import { type KType, nullOf, type Value } from '../values.js';
import { registerOperator } from './plugins.js';

type ParseKind = 'simple' | 'relaxed' | 'regex';

type PatternPart =
  | { part: 'star' }
  | { part: 'text'; value: string }
  | { part: 'column'; name: string; type: KType };

interface ParseParams {
  kind: ParseKind;
  flags: string;
  source: Expr;
  parts: PatternPart[];
  /** parse-where: drop the rows that do not match. */
  filter: boolean;
}

// ---- translation ----

/** `kind=`/`flags=` style parameters of an operator node, lower-cased names → literal text. */
export function namedParameters(node: SyntaxNode, roleName = 'Parameters'): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const parameter of list(node, roleName)) {
    const value = role(parameter, 'Expression');
    if (value) out.set(nameOf(role(parameter, 'Name')).toLowerCase(), value);
  }
  return out;
}

function parameterText(value: SyntaxNode | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value.literal === 'string' ? value.literal : textOf(value).trim();
}

function patternParts(node: SyntaxNode, translator: Translator, output: ColumnDef[]): PatternPart[] {
  const typeOf = (name: string): KType => output.find((c) => c.name === name)?.type ?? 'string';
  return list(node, 'Patterns').map((item): PatternPart => {
    if (item.kind === 'StarExpression') return { part: 'star' };
    if (item.kind === 'NameDeclaration') {
      const name = nameOf(item);
      return { part: 'column', name, type: typeOf(name) };
    }
    if (item.kind === 'NameAndTypeDeclaration') {
      const name = nameOf(role(item, 'Name'));
      return { part: 'column', name, type: typeOf(name) };
    }
    const expr = translator.expr(item);
    if (expr.e !== 'literal' || typeof expr.value !== 'string')
      return translator.unsupported('parse pattern element', item);
    return { part: 'text', value: expr.value };
  });
}

/** Extracting into a column the input already has: how Kusto resolves the clash is unverified. */
function rejectExisting(
  names: string[],
  inputColumns: ColumnDef[],
  node: SyntaxNode,
  translator: Translator,
): void {
  const existing = new Set(inputColumns.map((c) => c.name));
  const clash = names.find((n) => existing.has(n));
  if (clash !== undefined)
    translator.unsupported(
      `${textOf(role(node, 'ParseKeyword') ?? role(node, 'ParseKvKeyword')) || 'parse'} into existing column ${clash}`,
      node,
    );
}

function translateParse(filter: boolean) {
  return (
    input: Tabular | undefined,
    node: SyntaxNode,
    translator: Translator,
    inputColumns: ColumnDef[],
  ): Tabular => {
    if (!input) return translator.unsupported('parse without input', node);
    const parameters = namedParameters(node);
    const kind = (parameterText(parameters.get('kind')) ?? 'simple').toLowerCase();
    if (kind !== 'simple' && kind !== 'relaxed' && kind !== 'regex')
      return translator.unsupported(`parse kind=${kind}`, node);
    const columns = translator.outputColumns(node);
    const params: ParseParams = {
      kind,
      flags: parameterText(parameters.get('flags')) ?? '',
      source: translator.expr(role(node, 'Expression')!),
      parts: patternParts(node, translator, columns),
      filter,
    };
    rejectExisting(
      params.parts.flatMap((p) => (p.part === 'column' ? [p.name] : [])),
      inputColumns,
      node,
      translator,
    );
    return {
      op: 'generic',
      name: filter ? 'parse-where' : 'parse',
      input,
      node: params,
      columns,
      span: span(node),
    };
  };
}

// ---- matching ----

const ANY_LAZY = '[\\s\\S]*?';
const ANY_GREEDY = '[\\s\\S]*';
const INTEGER = '[-+]?\\d+';
const REAL = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** RE2's `U` flag (ungreedy) has no JS equivalent: swap the greediness of every quantifier. */
export function swapGreediness(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      out += ch + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    const isQuantifier =
      ch === '*' || ch === '+' || (ch === '?' && out.length > 0 && !out.endsWith('(')) || ch === '}';
    if (ch === '{' || !isQuantifier || (ch === '}' && !/\{\d+(,\d*)?$/.test(out))) {
      out += ch;
      continue;
    }
    out += ch;
    if (source[i + 1] === '?') i++;
    else out += '?';
  }
  return out;
}

function typedPattern(type: KType): string | undefined {
  if (type === 'long' || type === 'int') return INTEGER;
  if (type === 'real' || type === 'decimal') return REAL;
  return undefined;
}

interface CompiledPattern {
  regex: RegExp;
  columns: { name: string; type: KType; group: string }[];
}

/**
 * simple/relaxed: constants are literal text and found at their first occurrence; regex: constants are
 * regexes and string columns are greedy (as Kusto documents) unless the `U` flag is given.
 * relaxed lets a typed column take any text (it becomes null when it does not convert).
 */
function compilePattern(params: ParseParams): CompiledPattern {
  const regexKind = params.kind === 'regex';
  const ungreedy = regexKind && params.flags.includes('U');
  const any = regexKind ? '.*?' : ANY_LAZY;
  const stringColumn = regexKind ? (ungreedy ? '.*?' : '.*') : ANY_LAZY;
  let source = '';
  const columns: CompiledPattern['columns'] = [];
  const last = params.parts.length - 1;
  params.parts.forEach((part, index) => {
    // Leading and trailing stars skip any text, newlines included.
    if (part.part === 'star' && (index === 0 || index === last))
      source += index === 0 && !ungreedy ? ANY_LAZY : ANY_GREEDY;
    else if (part.part === 'star') source += ungreedy ? '.*' : any;
    else if (part.part === 'text')
      source += regexKind ? (ungreedy ? swapGreediness(part.value) : part.value) : escapeRegex(part.value);
    else {
      const group = `p${columns.length}`;
      const typed = typedPattern(part.type);
      let body = typed ?? stringColumn;
      if (typed && params.kind === 'relaxed') body = `${typed}|${ANY_LAZY}`;
      source += `(?<${group}>${body})`;
      columns.push({ name: part.name, type: part.type, group });
    }
  });
  // The pattern must match the whole text. Sticky matching from 0 and a look-ahead for the end anchor
  // it, whatever the `m` flag makes of ^ and $.
  const jsFlags = regexKind ? [...new Set(params.flags.replace(/[^ims]/g, ''))].join('') : '';
  return { regex: compileRegex(`(?:${source})(?![\\s\\S])`, `${jsFlags}y`), columns };
}

function convert(text: string, type: KType): Value {
  if (type === 'string') return text;
  if (type === 'dynamic') return toDynamicValue(text, 'string');
  return coerce(text, 'string', type);
}

function executeParse(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('parse needs an input table');
  const params = node.node as ParseParams;
  const { regex, columns } = compilePattern(params);
  const source = executor.compile(params.source, input, scope);
  const values = executor.evaluate(source, input.rowCount);
  const extracted: Value[][] = columns.map(() => new Array<Value>(input.rowCount));
  const matched: number[] = [];
  for (let row = 0; row < input.rowCount; row++) {
    const text = values[row] === null ? '' : toText(values[row], source.type);
    const converted = matchRow(regex, columns, text, params.kind === 'relaxed');
    columns.forEach((c, i) => {
      extracted[i][row] = converted ? converted[i] : nullOf(c.type);
    });
    if (converted) matched.push(row);
  }
  const table = assemble(input, node.columns, columns, extracted);
  return params.filter ? table.select(matched) : table;
}

/** The converted column values of a match, or undefined when the row does not match. */
function matchRow(
  regex: RegExp,
  columns: CompiledPattern['columns'],
  text: string,
  relaxed: boolean,
): Value[] | undefined {
  regex.lastIndex = 0;
  const match = regex.exec(text);
  if (!match) return undefined;
  const out: Value[] = [];
  for (const column of columns) {
    const captured = match.groups?.[column.group] ?? '';
    const value = convert(captured, column.type);
    if (value === null && !relaxed) return undefined;
    out.push(value);
  }
  return out;
}

/** The output table: input columns (replaced where a parsed column has the same name) + new columns. */
function assemble(input: Table, output: ColumnDef[], parsed: { name: string }[], values: Value[][]): Table {
  const data = output.map((column) => {
    const p = parsed.findIndex((c) => c.name === column.name);
    if (p >= 0) return values[p];
    const index = input.indexOf(column.name);
    return index >= 0 ? input.data[index] : new Array<Value>(input.rowCount).fill(nullOf(column.type));
  });
  return new Table(output, data, input.rowCount);
}

registerOperator('parse', {
  kinds: ['ParseOperator'],
  translate: translateParse(false),
  execute: executeParse,
});

registerOperator('parse-where', {
  kinds: ['ParseWhereOperator'],
  translate: translateParse(true),
  execute: executeParse,
});

// ---- parse-kv ----

interface ParseKvParams {
  source: Expr;
  keys: { name: string; type: KType }[];
  pairDelimiter?: string;
  kvDelimiter?: string;
  quotes: string[];
  escapes: string[];
  greedy: boolean;
  regex?: string;
}

function translateParseKv(
  input: Tabular | undefined,
  node: SyntaxNode,
  translator: Translator,
  inputColumns: ColumnDef[],
): Tabular {
  if (!input) return translator.unsupported('parse-kv without input', node);
  const columns = translator.outputColumns(node);
  const schema = role(node, 'Keys');
  const keys = list(schema ?? node, 'Columns').map((c) => {
    const name = nameOf(role(c, 'Name'));
    return { name, type: columns.find((o) => o.name === name)?.type ?? 'string' };
  });
  rejectExisting(
    keys.map((k) => k.name),
    inputColumns,
    node,
    translator,
  );
  const params: ParseKvParams = {
    source: translator.expr(role(node, 'Expression')!),
    keys,
    quotes: [],
    escapes: [],
    greedy: false,
  };
  const withClause = role(node, 'WithClause');
  for (const property of withClause ? list(withClause, 'Properties') : []) {
    const name = nameOf(role(property, 'Name')).toLowerCase();
    const valueNode = role(property, 'Expression');
    const value = valueNode ? translator.expr(valueNode) : undefined;
    if (value?.e !== 'literal') return translator.unsupported(`parse-kv ${name}`, property);
    const text = typeof value.value === 'string' ? value.value : '';
    if (name === 'pair_delimiter') params.pairDelimiter = text;
    else if (name === 'kv_delimiter') params.kvDelimiter = text;
    else if (name === 'quote') params.quotes.push(text);
    else if (name === 'escape') params.escapes.push(text);
    else if (name === 'greedy') params.greedy = value.value === true;
    else if (name === 'regex') params.regex = text;
    else return translator.unsupported(`parse-kv ${name}`, property);
  }
  if ((params.pairDelimiter === undefined) !== (params.kvDelimiter === undefined))
    return translator.unsupported('parse-kv with only one delimiter', node);
  return { op: 'generic', name: 'parse-kv', input, node: params, columns, span: span(node) };
}

/** Reads a quoted run starting at `start` (an opening quote); returns the unescaped text and the end. */
function readQuoted(
  text: string,
  start: number,
  close: string,
  escapes: string[],
): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== close) {
    if (escapes.includes(text[i]) && i + 1 < text.length) i++;
    value += text[i++];
  }
  return { value, end: Math.min(i + 1, text.length) };
}

function closingQuote(quotes: string[], ch: string): string | undefined {
  for (const q of quotes) if (q[0] === ch) return q[1] ?? q[0];
  return undefined;
}

/** Key/value pairs separated by the given delimiters; quoted keys and values may hold delimiters. */
function delimitedPairs(text: string, params: ParseKvParams): [string, string][] {
  const pair = params.pairDelimiter!;
  const kv = params.kvDelimiter!;
  const out: [string, string][] = [];
  let i = 0;
  const skipSpaces = () => {
    while (i < text.length && /\s/.test(text[i]) && !text.startsWith(pair, i) && !text.startsWith(kv, i)) i++;
  };
  const readUntil = (stops: string[]): string => {
    let end = text.length;
    for (const stop of stops) {
      const at = text.indexOf(stop, i);
      if (at >= 0 && at < end) end = at;
    }
    const value = text.slice(i, end);
    i = end;
    return value;
  };
  while (i < text.length) {
    skipSpaces();
    let key: string;
    const keyQuote = closingQuote(params.quotes, text[i]);
    if (keyQuote) {
      const quoted = readQuoted(text, i, keyQuote, params.escapes);
      key = quoted.value;
      i = quoted.end;
      readUntil([kv, pair]);
    } else key = readUntil([kv, pair]).trim();
    if (!text.startsWith(kv, i)) {
      if (text.startsWith(pair, i)) i += pair.length;
      continue;
    }
    i += kv.length;
    skipSpaces();
    let value: string;
    const valueQuote = closingQuote(params.quotes, text[i]);
    if (valueQuote) {
      const quoted = readQuoted(text, i, valueQuote, params.escapes);
      value = quoted.value;
      i = quoted.end;
      readUntil([pair]);
    } else if (params.greedy) value = greedyValue(text, i, pair, kv, (end) => (i = end)).trim();
    else value = readUntil([pair]).trim();
    out.push([key, value]);
    if (text.startsWith(pair, i)) i += pair.length;
  }
  return out;
}

/** Greedy mode: the value runs to the last pair delimiter before the next key/value delimiter. */
function greedyValue(
  text: string,
  start: number,
  pair: string,
  kv: string,
  moveTo: (end: number) => void,
): string {
  const nextKv = text.indexOf(kv, start);
  if (nextKv < 0) {
    moveTo(text.length);
    return text.slice(start);
  }
  const lastPair = text.lastIndexOf(pair, nextKv - 1);
  const end = lastPair >= start ? lastPair : text.length;
  moveTo(end);
  return text.slice(start, end);
}

const WORD = /[\p{L}\p{N}_]/u;

/** No delimiters given: words are split by any non-alphanumeric text; a listed key takes the next word. */
function wordPairs(text: string, params: ParseKvParams): [string, string][] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const quote = closingQuote(params.quotes, text[i]);
    if (quote) {
      const quoted = readQuoted(text, i, quote, params.escapes);
      tokens.push(quoted.value);
      i = quoted.end;
    } else if (WORD.test(text[i])) {
      let end = i;
      while (end < text.length && WORD.test(text[end])) end++;
      tokens.push(text.slice(i, end));
      i = end;
    } else i++;
  }
  const keys = new Set(params.keys.map((k) => k.name));
  const out: [string, string][] = [];
  for (let t = 0; t + 1 < tokens.length; t++) {
    if (!keys.has(tokens[t])) continue;
    out.push([tokens[t], tokens[t + 1].trim()]);
    t++;
  }
  return out;
}

function regexPairs(text: string, regex: RegExp): [string, string][] {
  const out: [string, string][] = [];
  for (const match of text.matchAll(regex)) out.push([(match[1] ?? '').trim(), (match[2] ?? '').trim()]);
  return out;
}

function executeParseKv(
  node: Extract<Tabular, { op: 'generic' }>,
  input: Table | undefined,
  executor: Executor,
  scope: Scope,
): Table {
  if (!input) throw new KqlError('parse-kv needs an input table');
  const params = node.node as ParseKvParams;
  const regex = params.regex !== undefined ? compileRegex(params.regex, 'g') : undefined;
  const source = executor.compile(params.source, input, scope);
  const values = executor.evaluate(source, input.rowCount);
  const extracted: Value[][] = params.keys.map(() => new Array<Value>(input.rowCount));
  const position = new Map(params.keys.map((k, i) => [k.name, i]));
  for (let row = 0; row < input.rowCount; row++) {
    const text = values[row] === null ? '' : toText(values[row], source.type);
    const pairs = regex
      ? regexPairs(text, regex)
      : params.pairDelimiter !== undefined
        ? delimitedPairs(text, params)
        : wordPairs(text, params);
    params.keys.forEach((k, i) => {
      extracted[i][row] = nullOf(k.type);
    });
    const found = new Set<string>();
    for (const [key, value] of pairs) {
      const index = position.get(key);
      if (index === undefined || found.has(key)) continue;
      found.add(key);
      const type = params.keys[index].type;
      extracted[index][row] = convert(value, type) ?? nullOf(type);
    }
  }
  return assemble(input, node.columns, params.keys, extracted);
}

registerOperator('parse-kv', {
  kinds: ['ParseKvOperator'],
  translate: translateParseKv,
  execute: executeParseKv,
});
