/**
 * The OData `$filter` subset Microsoft Graph accepts on the reports endpoints: comparisons (`eq ne gt
 * ge lt le`), `and` / `or` / `not`, parentheses, `contains` / `startswith` / `endswith`, `tolower` /
 * `toupper`, and lambda `any` over a collection (`tags/any(t:t eq 'x')`). Strings compare
 * case-sensitively, as Graph's do. Datetime literals are unquoted ISO 8601 (`2024-05-01T00:00:00Z`).
 * Anything else is a FilterError, which the routes answer with 400 BadRequest.
 */
import { canonicalTime } from '../../model/time.js';

export class FilterError extends Error {}

export type FieldType = 'string' | 'datetime' | 'number';

/** How a record of type T exposes one filterable property. */
export interface FieldDef<T> {
  type: FieldType;
  /** Datetimes as canonical text (so that text order is time order). */
  get: (record: T) => string | number | null;
  /** Comparison operators the service allows on it (default: all). */
  ops?: readonly string[];
}

export interface CollectionDef<T> {
  get: (record: T) => unknown[];
  /** The element's properties; `''` is the element itself (a collection of strings). */
  element: FilterSchema<unknown>;
}

export interface FilterSchema<T> {
  fields: Record<string, FieldDef<T>>;
  collections?: Record<string, CollectionDef<T>>;
}

export type Predicate<T> = (record: T) => boolean;

/** The datetime bounds a filter sets with `and` on one field, for skipping rows early. */
export interface TimeBounds {
  /** Inclusive lower bound (canonical). */
  from?: string;
  /** Exclusive upper bound would lose `le`; this is inclusive. */
  to?: string;
}

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'punct'; text: '(' | ')' | ',' | ':'; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === ':') {
      tokens.push({ kind: 'punct', text: c, at: i });
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new FilterError(`Invalid filter clause: unterminated string at ${i}.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      tokens.push({ kind: 'string', text: value, at: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s(),']/.test(text[j])) {
      // A colon belongs to a datetime literal (12:00:00) but separates a lambda variable (t:t).
      if (text[j] === ':' && !/^\d/.test(text.slice(i, j))) break;
      j++;
    }
    if (j === i) throw new FilterError(`Invalid filter clause: unexpected '${c}' at ${i}.`);
    tokens.push({ kind: 'word', text: text.slice(i, j), at: i });
    i = j;
  }
  return tokens;
}

const COMPARISONS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const STRING_FUNCTIONS = ['contains', 'startswith', 'endswith'];

type Literal = { type: 'string'; value: string } | { type: 'number'; value: number } | { type: 'null' };

type Operand<T> = {
  type: FieldType;
  get: (record: T) => string | number | null;
  name: string;
  ops?: readonly string[];
};

class Parser<T> {
  private pos = 0;
  readonly bounds: TimeBounds[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parse(schema: FilterSchema<T>): Predicate<T> {
    const predicate = this.or(schema, new Map(), true);
    if (this.pos < this.tokens.length)
      throw new FilterError(`Invalid filter clause: unexpected '${this.tokens[this.pos].text}'.`);
    return predicate;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(what: string): Token {
    const token = this.tokens[this.pos++];
    if (!token)
      throw new FilterError(`Invalid filter clause: ${what} expected at the end of '${this.text}'.`);
    return token;
  }

  private expectPunct(text: string): void {
    const token = this.next(`'${text}'`);
    if (token.kind !== 'punct' || token.text !== text)
      throw new FilterError(`Invalid filter clause: '${text}' expected, found '${token.text}'.`);
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text === text;
  }

  private or(schema: FilterSchema<T>, scope: Map<string, FilterSchema<unknown>>, top: boolean): Predicate<T> {
    const parts = [this.and(schema, scope, top)];
    while (this.isWord('or')) {
      this.pos++;
      parts.push(this.and(schema, scope, false));
    }
    if (parts.length > 1 && top) this.bounds.length = 0; // bounds only hold for a pure conjunction
    return parts.length === 1 ? parts[0] : (r) => parts.some((p) => p(r));
  }

  private and(
    schema: FilterSchema<T>,
    scope: Map<string, FilterSchema<unknown>>,
    top: boolean,
  ): Predicate<T> {
    const parts = [this.unary(schema, scope, top)];
    while (this.isWord('and')) {
      this.pos++;
      parts.push(this.unary(schema, scope, top));
    }
    return parts.length === 1 ? parts[0] : (r) => parts.every((p) => p(r));
  }

  private unary(
    schema: FilterSchema<T>,
    scope: Map<string, FilterSchema<unknown>>,
    top: boolean,
  ): Predicate<T> {
    if (this.isWord('not')) {
      this.pos++;
      const inner = this.unary(schema, scope, false);
      return (r) => !inner(r);
    }
    const token = this.peek();
    if (token?.kind === 'punct' && token.text === '(') {
      this.pos++;
      const inner = this.or(schema, scope, false);
      this.expectPunct(')');
      return inner;
    }
    if (token?.kind === 'word' && STRING_FUNCTIONS.includes(token.text)) {
      this.pos++;
      this.expectPunct('(');
      const operand = this.operand(schema, scope);
      this.expectPunct(',');
      const literal = this.literal();
      this.expectPunct(')');
      if (operand.type !== 'string' || literal.type !== 'string')
        throw new FilterError(`Invalid filter clause: ${token.text} needs a string property and a string.`);
      if (operand.ops && !operand.ops.includes(token.text))
        throw new FilterError(`Invalid filter clause: ${token.text} is not supported on ${operand.name}.`);
      const needle = literal.value;
      const test =
        token.text === 'contains'
          ? (s: string) => s.includes(needle)
          : token.text === 'startswith'
            ? (s: string) => s.startsWith(needle)
            : (s: string) => s.endsWith(needle);
      return (r) => {
        const value = operand.get(r);
        return typeof value === 'string' && test(value);
      };
    }
    if (token?.kind === 'word' && /\/any$/i.test(token.text)) return this.lambda(schema, scope);
    return this.comparison(schema, scope, top);
  }

  private lambda(schema: FilterSchema<T>, scope: Map<string, FilterSchema<unknown>>): Predicate<T> {
    const token = this.next('a collection');
    const path = token.text.slice(0, -'/any'.length);
    const collection = schema.collections?.[path];
    if (!collection || scope.size > 0)
      throw new FilterError(`Invalid filter clause: '${path}' is not a filterable collection.`);
    this.expectPunct('(');
    const variable = this.next('a lambda variable');
    if (variable.kind !== 'word' || !/^[A-Za-z_]\w*$/.test(variable.text))
      throw new FilterError('Invalid filter clause: a lambda variable expected.');
    this.expectPunct(':');
    const inner = new Map(scope);
    inner.set(variable.text, collection.element);
    const predicate = this.or(schema, inner, false);
    this.expectPunct(')');
    return (r) => collection.get(r).some((element) => predicate(element as T));
  }

  private operand(schema: FilterSchema<T>, scope: Map<string, FilterSchema<unknown>>): Operand<T> {
    const token = this.next('a property');
    if (token.kind === 'word' && (token.text === 'tolower' || token.text === 'toupper')) {
      this.expectPunct('(');
      const inner = this.operand(schema, scope);
      this.expectPunct(')');
      if (inner.type !== 'string')
        throw new FilterError(`Invalid filter clause: ${token.text} needs a string.`);
      const lower = token.text === 'tolower';
      return {
        type: 'string',
        name: inner.name,
        ops: inner.ops,
        get: (r) => {
          const value = inner.get(r);
          return typeof value === 'string' ? (lower ? value.toLowerCase() : value.toUpperCase()) : value;
        },
      };
    }
    if (token.kind !== 'word')
      throw new FilterError(`Invalid filter clause: a property expected, found '${token.text}'.`);
    const [head, ...rest] = token.text.split('/');
    const element = scope.get(head);
    if (element) {
      const field = element.fields[rest.join('/')];
      if (!field) throw new FilterError(`Invalid filter clause: unsupported property '${token.text}'.`);
      return { ...field, name: token.text } as Operand<T>;
    }
    const field = schema.fields[token.text];
    if (!field) throw new FilterError(`Invalid filter clause: unsupported property '${token.text}'.`);
    return { ...field, name: token.text };
  }

  private literal(): Literal {
    const token = this.next('a value');
    if (token.kind === 'string') return { type: 'string', value: token.text };
    if (token.kind === 'word') {
      if (token.text === 'null') return { type: 'null' };
      if (/^-?\d+(\.\d+)?$/.test(token.text)) return { type: 'number', value: Number(token.text) };
      if (/^\d{4}-\d{2}-\d{2}/.test(token.text)) {
        const canonical = canonicalTime(token.text);
        if (canonical) return { type: 'string', value: canonical };
      }
    }
    throw new FilterError(`Invalid filter clause: '${token.text}' is not a valid value.`);
  }

  private comparison(
    schema: FilterSchema<T>,
    scope: Map<string, FilterSchema<unknown>>,
    top: boolean,
  ): Predicate<T> {
    const start = this.peek();
    const operand = this.operand(schema, scope);
    const opToken = this.next('an operator');
    const op = opToken.text;
    if (opToken.kind !== 'word' || !COMPARISONS.includes(op))
      throw new FilterError(`Invalid filter clause: unsupported operator '${op}'.`);
    if (operand.ops && !operand.ops.includes(op))
      throw new FilterError(`Invalid filter clause: ${op} is not supported on ${operand.name}.`);
    const literalToken = this.peek();
    const literal = this.literal();
    if (operand.type === 'datetime') {
      if (literal.type === 'null') return this.compare(operand, op, null);
      if (literalToken?.kind !== 'word' || literal.type !== 'string')
        throw new FilterError(
          `Invalid filter clause: ${operand.name} needs an unquoted datetime such as 2024-05-01T00:00:00Z.`,
        );
      if (top && scope.size === 0 && start?.kind === 'word') {
        if (op === 'ge' || op === 'gt') this.bounds.push({ from: literal.value });
        if (op === 'le' || op === 'lt') this.bounds.push({ to: literal.value });
        if (op === 'eq') this.bounds.push({ from: literal.value, to: literal.value });
      }
      return this.compare(operand, op, literal.value);
    }
    if (operand.type === 'number') {
      if (literal.type === 'string')
        throw new FilterError(`Invalid filter clause: ${operand.name} is a number.`);
      return this.compare(operand, op, literal.type === 'null' ? null : literal.value);
    }
    if (literal.type === 'number' || (literalToken?.kind !== 'string' && literal.type !== 'null'))
      throw new FilterError(`Invalid filter clause: ${operand.name} needs a quoted string.`);
    return this.compare(operand, op, literal.type === 'null' ? null : literal.value);
  }

  private compare(operand: Operand<T>, op: string, value: string | number | null): Predicate<T> {
    const get = operand.get;
    if (value === null) {
      if (op === 'eq') return (r) => isMissing(get(r));
      if (op === 'ne') return (r) => !isMissing(get(r));
      throw new FilterError(`Invalid filter clause: ${op} null is not supported.`);
    }
    switch (op) {
      case 'eq':
        return (r) => get(r) === value;
      case 'ne':
        return (r) => get(r) !== value;
      case 'gt':
        return (r) => ordered(get(r), value, (c) => c > 0);
      case 'ge':
        return (r) => ordered(get(r), value, (c) => c >= 0);
      case 'lt':
        return (r) => ordered(get(r), value, (c) => c < 0);
      default:
        return (r) => ordered(get(r), value, (c) => c <= 0);
    }
  }
}

function isMissing(value: string | number | null): boolean {
  return value === null || value === '';
}

function ordered(a: string | number | null, b: string | number, test: (c: number) => boolean): boolean {
  if (a === null || typeof a !== typeof b) return false;
  return test(a < b ? -1 : a > b ? 1 : 0);
}

export interface CompiledFilter<T> {
  predicate: Predicate<T>;
  /** Datetime bounds of the top-level conjunction (on the schema's time field). */
  bounds: TimeBounds;
}

/** Compiles `$filter` text against a schema; throws FilterError for anything unsupported. */
export function compileFilter<T>(text: string, schema: FilterSchema<T>): CompiledFilter<T> {
  if (text.trim() === '') throw new FilterError('Invalid filter clause: the filter is empty.');
  const parser = new Parser<T>(tokenize(text), text);
  const predicate = parser.parse(schema);
  const bounds: TimeBounds = {};
  for (const b of parser.bounds) {
    if (b.from !== undefined && (bounds.from === undefined || b.from > bounds.from)) bounds.from = b.from;
    if (b.to !== undefined && (bounds.to === undefined || b.to < bounds.to)) bounds.to = b.to;
  }
  return { predicate, bounds };
}
