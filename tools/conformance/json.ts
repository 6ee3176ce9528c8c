/**
 * A small JSON reader for the conformance runner.
 * - Integers beyond ±2^53 come back as `bigint`, so 64-bit values survive (Node 20 has no reviver `source`).
 * - `lenient` accepts what hand-written docs contain: single-quoted strings, trailing commas and `...`
 *   elements (returned as the ELLIPSIS marker, meaning "elements omitted here").
 */

export const ELLIPSIS: unique symbol = Symbol('ellipsis');

export type Json =
  | null
  | boolean
  | number
  | bigint
  | string
  | Json[]
  | { [key: string]: Json }
  | typeof ELLIPSIS;

export class JsonSyntaxError extends Error {}

export function parseJson(text: string, lenient = false): Json {
  const reader = new JsonReader(text, lenient);
  const value = reader.value();
  reader.end();
  return value;
}

/** `parseJson` that returns `undefined` instead of throwing. */
export function tryParseJson(text: string, lenient = false): Json | undefined {
  try {
    return parseJson(text, lenient);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return undefined;
    throw e;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonReader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lenient: boolean,
  ) {}

  end(): void {
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the value');
  }

  value(): Json {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"' || (c === "'" && this.lenient)) return this.string();
    if (this.lenient) {
      const dots = /\.{3,}|…/y;
      dots.lastIndex = this.pos;
      if (dots.test(this.text)) {
        this.pos = dots.lastIndex;
        return ELLIPSIS;
      }
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.number();
  }

  private object(): Json {
    const result: { [key: string]: Json } = {};
    this.pos++;
    for (let first = true; ; first = false) {
      this.skipSpace();
      if (this.text[this.pos] === '}' && (first || this.lenient)) break;
      if (!first) this.expect(',');
      this.skipSpace();
      if (this.text[this.pos] === '}' && this.lenient && !first) break;
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      const value = this.value();
      if (value === ELLIPSIS) this.fail('"..." is not a value');
      result[key] = value;
      this.skipSpace();
      if (this.text[this.pos] === '}') break;
    }
    this.pos++;
    return result;
  }

  private array(): Json[] {
    const result: Json[] = [];
    this.pos++;
    this.skipSpace();
    while (this.text[this.pos] !== ']') {
      result.push(this.value());
      this.skipSpace();
      if (this.text[this.pos] === ']') break;
      this.expect(',');
      this.skipSpace();
      if (this.text[this.pos] === ']' && !this.lenient) this.fail('trailing comma');
    }
    this.pos++;
    return result;
  }

  private string(): string {
    const quote = this.text[this.pos];
    if (quote !== '"' && !(quote === "'" && this.lenient)) this.fail('expected a string');
    let out = '';
    for (this.pos++; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[++this.pos];
      if (e === 'u') {
        const hex = this.text.slice(this.pos + 1, this.pos + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.pos += 4;
      } else if (e in ESCAPES) {
        out += ESCAPES[e];
      } else {
        this.fail('bad escape');
      }
    }
    this.fail('unterminated string');
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('unexpected character');
    this.pos += match[0].length;
    return numberValue(match[0]);
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(`${message} at ${this.pos}`);
  }
}

/** An integer literal outside the exactly representable range stays a bigint. */
export function numberValue(text: string): number | bigint {
  const n = Number(text);
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n)) return BigInt(text);
  return n;
}
