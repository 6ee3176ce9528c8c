/**
 * String and regex scalar functions. Positions and lengths count UTF-16 code units, as .NET strings
 * do (strlen alone counts code points). Regex patterns are RE2 and go through `compileRegex`; a
 * constant pattern is compiled once.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import { KqlError } from '../errors.js';
import { dynamicText, formatDatetime, toText } from '../text.js';
import { type Dynamic, isPlainObject, type KType, parseJsonText, type Value } from '../values.js';
import { coerce } from './coerce.js';
import { compileRegex, hasTerm, textOperand } from './operators.js';
import { type FunctionContext, registerScalar, type ScalarImpl } from './registry.js';

type Factory = (context: FunctionContext) => ScalarImpl;

// ---- helpers ----

/** An integer argument as a JS number, or null. */
function intArg(value: Value): number | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  return null;
}

/** A regex argument: compiled once when constant, per distinct value otherwise. */
function regexArg(context: FunctionContext, index: number, flags = ''): (value: Value) => RegExp {
  const text = textOperand(context.argTypes[index] ?? 'string');
  if (context.isConstant[index]) {
    const fixed = compileRegex(text(context.constants[index]), flags);
    return () => fixed;
  }
  let lastPattern: string | undefined;
  let last: RegExp | undefined;
  return (value) => {
    const pattern = text(value);
    if (pattern !== lastPattern || !last) {
      last = compileRegex(pattern, flags);
      lastPattern = pattern;
    }
    return last;
  };
}

/** A fresh global copy of a regex (so `lastIndex` state never leaks between calls). */
function globalOf(regex: RegExp): RegExp {
  return new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
}

/**
 * All non-overlapping matches, as RE2 finds them: an empty match right where the previous match
 * ended is skipped (so `b*` over `abc` matches before `a`, `b`, and at the end, not again after `b`).
 */
function allMatches(regex: RegExp, text: string, from = 0): RegExpExecArray[] {
  const g = globalOf(regex);
  g.lastIndex = from;
  const out: RegExpExecArray[] = [];
  let lastEnd = -1;
  while (g.lastIndex <= text.length) {
    const m = g.exec(text);
    if (!m) break;
    if (m[0] === '' && m.index === lastEnd) {
      g.lastIndex = advance(text, m.index, g.unicode);
      continue;
    }
    out.push(m);
    lastEnd = m.index + m[0].length;
    if (m[0] === '') g.lastIndex = advance(text, m.index, g.unicode);
  }
  return out;
}

function advance(text: string, index: number, unicode: boolean): number {
  if (!unicode) return index + 1;
  const code = text.codePointAt(index);
  return index + (code !== undefined && code > 0xffff ? 2 : 1);
}

function elementText(value: Dynamic): string {
  return value === null ? '' : dynamicText(value);
}

function asArray(value: Value): Dynamic[] | null {
  return Array.isArray(value) ? value : null;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

// ---- length, case, comparison ----

registerScalar('strlen', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    let n = 0;
    for (const _ of text(v)) n++;
    return n;
  };
});

registerScalar('string_size', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => utf8.encode(text(v)).length;
});

/** .NET's invariant casing maps one character to one character (`ß` stays `ß`). */
function simpleCase(text: string, upper: boolean): string {
  let out = '';
  for (const ch of text) {
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

registerScalar('toupper', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const s = text(v);
    return isAscii(s) ? s.toUpperCase() : simpleCase(s, true);
  };
});
registerScalar('tolower', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const s = text(v);
    return isAscii(s) ? s.toLowerCase() : simpleCase(s, false);
  };
});

registerScalar('strcmp', ({ argTypes: [ta, tb] }) => {
  const left = textOperand(ta);
  const right = textOperand(tb);
  return (a, b) => {
    const x = left(a);
    const y = right(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
});

registerScalar('isascii', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => isAscii(text(v));
});
registerScalar('isutf8', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => isWellFormed(text(v));
});

// ---- substring, split, concatenation ----

registerScalar('substring', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (source, start, length) => {
    const s = text(source);
    let from = intArg(start);
    if (from === null) return '';
    if (from < 0) from = Math.max(0, s.length + from);
    if (length === null || length === undefined) return s.slice(from);
    const n = intArg(length);
    if (n === null || n <= 0) return '';
    return s.slice(from, from + n);
  };
});

registerScalar('split', ({ argTypes: [ts, td] }) => {
  const source = textOperand(ts);
  const delimiter = textOperand(td);
  return (value, delim, index) => {
    const s = source(value);
    const d = delimiter(delim);
    const parts = d === '' ? [s] : s.split(d);
    if (index === undefined) return parts;
    const i = intArg(index);
    if (i === null || i < 0 || i >= parts.length) return [];
    return [parts[i]];
  };
});

registerScalar('strcat_delim', ({ argTypes }) => (...args) => {
  const [delimiter, ...rest] = args.map((a, i) => toText(a, argTypes[i]));
  return rest.join(delimiter);
});

registerScalar('strcat_array', ({ argTypes: [, td] }) => {
  const delimiter = textOperand(td);
  return (array, delim) => {
    const items = asArray(array);
    if (!items) return '';
    return items.map(elementText).join(delimiter(delim));
  };
});

registerScalar('strrep', ({ argTypes: [tv, , td] }) => {
  const value = textOperand(tv);
  const delimiter = textOperand(td ?? 'string');
  return (v, times, delim) => {
    const n = intArg(times);
    if (n === null) return '';
    const count = Math.min(n, 1024);
    if (count <= 0) return '';
    const s = value(v);
    return Array.from({ length: count }, () => s).join(delim === undefined ? '' : delimiter(delim));
  };
});

/** reverse() reverses tostring(), except that datetimes show all seven fraction digits. */
function reverseText(type: KType): (value: Value) => string {
  if (type === 'datetime') {
    return (v) => {
      if (v === null) return '';
      const text = formatDatetime(v as bigint);
      const [main, fraction = ''] = text.slice(0, -1).split('.');
      return `${main}.${fraction.padEnd(7, '0')}Z`;
    };
  }
  return textOperand(type);
}
registerScalar('reverse', ({ argTypes: [t] }) => {
  const text = reverseText(t);
  return (v) => [...text(v)].reverse().join('');
});

// ---- replacement ----

function replaceAllLiteral(s: string, lookup: string, rewrite: string): string {
  return lookup === '' ? s : s.split(lookup).join(rewrite);
}

registerScalar('replace_string', ({ argTypes: [ts, tl, tr] }) => {
  const source = textOperand(ts);
  const lookup = textOperand(tl);
  const rewrite = textOperand(tr);
  return (s, l, r) => replaceAllLiteral(source(s), lookup(l), rewrite(r));
});

/** replace_strings: each lookup (in order) claims its non-overlapping matches in the original text. */
function replaceMany(s: string, lookups: Dynamic[], rewrites: Dynamic[]): string {
  const claims: { start: number; end: number; text: string }[] = [];
  const overlaps = (start: number, end: number) => claims.some((c) => start < c.end && c.start < end);
  lookups.forEach((lookup, i) => {
    if (typeof lookup !== 'string' || lookup === '') return;
    const rewrite = rewrites[i];
    const text = typeof rewrite === 'string' ? rewrite : lookup;
    let at = s.indexOf(lookup);
    while (at >= 0) {
      const end = at + lookup.length;
      if (!overlaps(at, end)) {
        claims.push({ start: at, end, text });
        at = s.indexOf(lookup, end);
      } else {
        at = s.indexOf(lookup, at + 1);
      }
    }
  });
  claims.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const c of claims) {
    out += s.slice(pos, c.start) + c.text;
    pos = c.end;
  }
  return out + s.slice(pos);
}

registerScalar('replace_strings', ({ argTypes: [ts] }) => {
  const source = textOperand(ts);
  return (s, lookups, rewrites) => {
    const text = source(s);
    const l = asArray(lookups);
    if (!l) return text;
    return replaceMany(text, l, asArray(rewrites) ?? []);
  };
});

/** A rewrite pattern: `\0`…`\9` insert capture groups; everything else is literal. */
type RewritePart = string | number;

function parseRewrite(rewrite: string): RewritePart[] {
  const parts: RewritePart[] = [];
  let literal = '';
  for (let i = 0; i < rewrite.length; i++) {
    const ch = rewrite[i];
    const next = rewrite[i + 1];
    if (ch === '\\' && next !== undefined && next >= '0' && next <= '9') {
      if (literal) parts.push(literal);
      literal = '';
      parts.push(Number(next));
      i++;
    } else {
      literal += ch;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

function applyRewrite(parts: RewritePart[], match: RegExpExecArray): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : (match[p] ?? '');
  return out;
}

function regexReplace(regex: RegExp, s: string, parts: RewritePart[]): string {
  let out = '';
  let pos = 0;
  for (const m of allMatches(regex, s)) {
    out += s.slice(pos, m.index) + applyRewrite(parts, m);
    pos = m.index + m[0].length;
  }
  return out + s.slice(pos);
}

function regexReplaceFactory(sourceIndex: number, regexIndex: number, rewriteIndex: number): Factory {
  return (context) => {
    const source = textOperand(context.argTypes[sourceIndex]);
    const rewrite = textOperand(context.argTypes[rewriteIndex]);
    const regex = regexArg(context, regexIndex);
    const fixedRewrite = context.isConstant[rewriteIndex]
      ? parseRewrite(rewrite(context.constants[rewriteIndex]))
      : undefined;
    return (...args) =>
      regexReplace(
        regex(args[regexIndex]),
        source(args[sourceIndex]),
        fixedRewrite ?? parseRewrite(rewrite(args[rewriteIndex])),
      );
  };
}
registerScalar('replace_regex', regexReplaceFactory(0, 1, 2));
registerScalar('replace', regexReplaceFactory(2, 0, 1));

registerScalar('translate', ({ argTypes: [tf, tt, ts] }) => {
  const fromText = textOperand(tf);
  const toText_ = textOperand(tt);
  const source = textOperand(ts);
  return (f, t, s) => {
    const from = [...fromText(f)];
    const to = [...toText_(t)];
    const map = new Map<string, string>();
    from.forEach((ch, i) => {
      if (!map.has(ch)) map.set(ch, to.length === 0 ? '' : (to[i] ?? to[to.length - 1]));
    });
    let out = '';
    for (const ch of source(s)) out += map.get(ch) ?? ch;
    return out;
  };
});

// ---- trim ----

function trimFactory(start: boolean, end: boolean): Factory {
  return (context) => {
    const source = textOperand(context.argTypes[1]);
    const pattern = textOperand(context.argTypes[0]);
    const build = (p: string) => {
      const base = compileRegex(p);
      return {
        head: new RegExp(`^(?:${base.source})+`, base.flags),
        tail: new RegExp(`(?:${base.source})+$`, base.flags),
      };
    };
    const fixed = context.isConstant[0] ? build(pattern(context.constants[0])) : undefined;
    return (p, s) => {
      const { head, tail } = fixed ?? build(pattern(p));
      let text = source(s);
      if (start) text = text.replace(head, '');
      if (end) text = trimTail(text, tail);
      return text;
    };
  };
}

function trimTail(text: string, tail: RegExp): string {
  const m = tail.exec(text);
  return m && m[0] !== '' ? text.slice(0, m.index) : text;
}

registerScalar('trim', trimFactory(true, true));
registerScalar('trim_start', trimFactory(true, false));
registerScalar('trim_end', trimFactory(false, true));

// ---- search ----

/** indexof() bounds: the start (negative counts from the end) and the window length (-1: to the end). */
function searchBounds(length: number, start: Value, span: Value, negativeStartFromEnd: boolean) {
  let from = start === undefined ? 0 : intArg(start);
  if (from === null) return null;
  if (from < 0) {
    if (!negativeStartFromEnd) return null;
    from = Math.max(0, length + from);
  }
  const n = span === undefined ? -1 : intArg(span);
  if (n === null || n < -1) return null;
  return { from, span: n };
}

/** The end of a window of `span` positions starting at `from` (-1: unbounded). */
function windowEnd(length: number, from: number, span: number): number {
  return span === -1 ? length : Math.min(length, from + span);
}

// Each further occurrence is searched in a fresh window that starts just after the previous match.
registerScalar('indexof', ({ argTypes: [ts, tl] }) => {
  const source = textOperand(ts);
  const lookup = textOperand(tl);
  return (s, l, start, span, occurrence) => {
    const text = source(s);
    const needle = lookup(l);
    const bounds = searchBounds(text.length, start, span, true);
    const nth = occurrence === undefined ? 1 : intArg(occurrence);
    if (!bounds || nth === null || nth < 0) return null;
    let from = bounds.from;
    let at = -1;
    for (let k = 0; k < Math.max(nth, 1); k++) {
      if (from > text.length) return -1;
      at = text.indexOf(needle, from);
      if (at < 0 || at + needle.length > windowEnd(text.length, from, bounds.span)) return -1;
      from = at + 1;
    }
    return at;
  };
});

registerScalar('indexof_regex', (context) => {
  const source = textOperand(context.argTypes[0]);
  const regex = regexArg(context, 1);
  return (s, r, start, span, occurrence) => {
    const text = source(s);
    const bounds = searchBounds(text.length, start, span, false);
    const nth = occurrence === undefined ? 1 : intArg(occurrence);
    if (!bounds || nth === null || nth <= 0) return null;
    if (bounds.from > text.length) return -1;
    const end = windowEnd(text.length, bounds.from, bounds.span);
    const matches = allMatches(regex(r), text.slice(0, end), bounds.from);
    const m = matches[nth - 1];
    return m ? m.index : -1;
  };
});

function countOverlapping(text: string, needle: string): number {
  if (needle === '') return 0;
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) n++;
  return n;
}

registerScalar('countof', (context) => {
  const source = textOperand(context.argTypes[0]);
  const search = textOperand(context.argTypes[1]);
  const kindArg = textOperand(context.argTypes[2] ?? 'string');
  const regexOf = (v: Value) => compileRegex(search(v));
  const fixedRegex =
    context.isConstant[1] && context.isConstant[2] && kindArg(context.constants[2]).toLowerCase() === 'regex'
      ? regexOf(context.constants[1])
      : undefined;
  return (s, p, kind) => {
    const text = source(s);
    const k = kind === undefined ? 'normal' : kindArg(kind).toLowerCase();
    if (k === 'regex') return allMatches(fixedRegex ?? regexOf(p), text).length;
    if (k !== 'normal') throw new KqlError(`countof(): kind must be 'normal' or 'regex', not '${k}'`);
    return countOverlapping(text, search(p));
  };
});

registerScalar('has_any_index', ({ argTypes: [ts] }) => {
  const source = textOperand(ts);
  return (s, lookups) => {
    const items = asArray(lookups);
    if (!items) return -1;
    const text = source(s).toLowerCase();
    return items.findIndex((item) => hasTerm(text, elementText(item).toLowerCase(), 'whole'));
  };
});

// ---- extract ----

/** The capture group a `captureGroup` argument names: a number or a group name. */
function groupValue(match: RegExpExecArray, group: Dynamic): string | undefined {
  if (typeof group === 'string') return match.groups?.[group];
  const i = intArg(group);
  return i === null ? undefined : match[i];
}

registerScalar('extract', (context) => {
  const { argTypes, resultType } = context;
  const regex = regexArg(context, 0);
  const source = textOperand(argTypes[2]);
  return (r, group, s) => {
    const i = intArg(group);
    if (i === null || i < 0) return resultType === 'string' ? '' : null;
    const m = regex(r).exec(source(s));
    const text = m ? m[i] : undefined;
    if (resultType === 'string') return text ?? '';
    if (text === undefined) return null;
    return resultType === 'dynamic' ? text : coerce(text, 'string', resultType);
  };
});

const groupCounts = new WeakMap<RegExp, number>();

function groupCount(regex: RegExp): number {
  let count = groupCounts.get(regex);
  if (count === undefined) {
    count = (new RegExp(`${regex.source}|`, regex.flags).exec('') as RegExpExecArray).length - 1;
    groupCounts.set(regex, count);
  }
  return count;
}

/** The groups extract_all() reports: the listed ones (numbers or names), else all of them. */
function selectedGroups(regex: RegExp, groups: Dynamic[] | null): Dynamic[] {
  const count = groupCount(regex);
  if (count === 0) throw new KqlError('extract_all(): the regular expression must have a capture group');
  if (!groups) return Array.from({ length: count }, (_, i) => i + 1);
  for (const g of groups) {
    const valid =
      typeof g === 'string'
        ? regex.source.includes(`(?<${g}>`)
        : (intArg(g) ?? 0) >= 1 && (intArg(g) ?? 0) <= count;
    if (!valid) throw new KqlError(`extract_all(): invalid capture group ${JSON.stringify(g)}`);
  }
  return groups;
}

registerScalar('extract_all', (context) => {
  const { argTypes } = context;
  const withGroups = argTypes.length === 3;
  const regex = regexArg(context, 0);
  const source = textOperand(argTypes[withGroups ? 2 : 1]);
  return (r, a, b) => {
    const re = regex(r);
    const groups = selectedGroups(re, withGroups ? asArray(a) : null);
    const matches = allMatches(re, source(withGroups ? b : a));
    if (matches.length === 0) return null;
    if (groups.length === 1) return matches.map((m) => groupValue(m, groups[0]) ?? '');
    return matches.map((m) => groups.map((g) => groupValue(m, g) ?? ''));
  };
});

/** A parsed simple JSONPath: `$.a.b`, `$['a']`, `$[0]`, `$.a[1].b`. */
function parseJsonPath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  const s = path.trim();
  if (!s.startsWith('$')) throw new KqlError(`invalid JSONPath ${JSON.stringify(path)}`);
  let i = 1;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^[^.[\]]+/.exec(s.slice(i + 1));
      if (!m) throw new KqlError(`invalid JSONPath ${JSON.stringify(path)}`);
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (s[i] === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) throw new KqlError(`invalid JSONPath ${JSON.stringify(path)}`);
      const inner = s.slice(i + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inner);
      if (quoted) steps.push(quoted[2]);
      else if (/^-?\d+$/.test(inner)) steps.push(Number(inner));
      else throw new KqlError(`invalid JSONPath ${JSON.stringify(path)}`);
      i = close + 1;
    } else {
      throw new KqlError(`invalid JSONPath ${JSON.stringify(path)}`);
    }
  }
  return steps;
}

function followPath(value: Dynamic, steps: (string | number)[]): Dynamic | undefined {
  let current: Dynamic | undefined = value;
  for (const step of steps) {
    if (typeof step === 'number' && Array.isArray(current)) {
      current = current[step < 0 ? current.length + step : step];
    } else if (typeof step === 'string' && isPlainObject(current)) {
      current = Object.hasOwn(current, step) ? current[step] : undefined;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

registerScalar(['extract_json', 'extractjson'], ({ argTypes, isConstant, constants, resultType }) => {
  const pathText = textOperand(argTypes[0]);
  const fixed = isConstant[0] ? parseJsonPath(pathText(constants[0])) : undefined;
  const json = textOperand(argTypes[1]);
  const empty = resultType === 'string' ? '' : null;
  return (p, j) => {
    const parsed = parseJsonText(json(j));
    if (parsed === undefined) return empty;
    const found = followPath(parsed, fixed ?? parseJsonPath(pathText(p)));
    if (found === undefined || found === null) return empty;
    if (resultType === 'dynamic') return found;
    if (resultType === 'string') return dynamicText(found);
    return coerce(typeof found === 'object' ? dynamicText(found) : found, kindOf(found), resultType);
  };
});

function kindOf(value: Dynamic): KType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'long';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'real';
  return 'string';
}

registerScalar('regex_quote', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => text(v).replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
});

// ---- code points and bytes ----

registerScalar('unicode_codepoints_from_string', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => Array.from(text(v), (ch) => ch.codePointAt(0) as number);
});

function codePointsToString(...args: Value[]): Value {
  let out = '';
  const add = (v: Dynamic): boolean => {
    const n = intArg(v);
    if (n === null || n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return false;
    out += String.fromCodePoint(n);
    return true;
  };
  for (const arg of args) {
    if (Array.isArray(arg)) {
      for (const v of arg) if (!add(v)) return '';
    } else if (!add(arg)) {
      return '';
    }
  }
  return out;
}
registerScalar(['unicode_codepoints_to_string', 'make_string'], () => codePointsToString);

registerScalar('to_utf8', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => Array.from(utf8.encode(text(v)));
});

function decodeBase64(text: string): Buffer | null {
  const s = text.trim();
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  return Buffer.from(s, 'base64');
}

registerScalar('base64_encode_tostring', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => Buffer.from(utf8.encode(text(v))).toString('base64');
});

registerScalar('base64_decode_tostring', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const bytes = decodeBase64(text(v));
    if (!bytes) return '';
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return '';
    }
  };
});

registerScalar('base64_decode_toarray', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const bytes = decodeBase64(text(v));
    return bytes ? Array.from(bytes) : null;
  };
});

registerScalar('base64_encode_fromarray', () => (v) => {
  const items = asArray(v);
  if (!items) return '';
  const bytes: number[] = [];
  for (const item of items) {
    const n = intArg(item);
    if (n === null || n < 0 || n > 255) return '';
    bytes.push(n);
  }
  return Buffer.from(bytes).toString('base64');
});

/** A guid's bytes in .NET order: the first three fields little-endian. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
}

/** Kusto's decoding swaps only the first two fields (the documented output keeps bytes 6–7 in order). */
function guidFromBytes(b: Buffer): string {
  const ordered = Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], ...b.subarray(6)]);
  const hex = ordered.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

registerScalar(
  'base64_encode_fromguid',
  () => (v) => (typeof v === 'string' ? guidBytes(v).toString('base64') : ''),
);
registerScalar('base64_decode_toguid', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const bytes = decodeBase64(text(v));
    return bytes && bytes.length === 16 ? guidFromBytes(bytes) : null;
  };
});

registerScalar('new_guid', () => () => randomUUID(), { deterministic: false });

// ---- URLs ----

/** HttpUtility.UrlEncode: unreserved `-_.!*()` kept, space as `+`, lowercase hex escapes of UTF-8. */
function urlEncode(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!*()]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** url_encode() with spaces as `%20` instead of `+`. */
function urlEncodeComponent(text: string): string {
  return urlEncode(text).replace(/\+/g, '%20');
}

/** HttpUtility.UrlDecode: `+` is a space, `%xx` escapes are UTF-8 bytes, invalid escapes stay as text. */
function urlDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '+') {
      bytes.push(32);
    } else if (ch === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...utf8.encode(ch));
    }
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

registerScalar('url_encode', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => urlEncode(text(v));
});
registerScalar('url_encode_component', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => urlEncodeComponent(text(v));
});
registerScalar('url_decode', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => urlDecode(text(v));
});

/** Query parameters, keys sorted; pairs without `=` are dropped and a repeated key keeps its last value. */
function queryParameters(query: string): { [key: string]: Dynamic } {
  const pairs = new Map<string, string>();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    pairs.set(urlDecode(pair.slice(0, eq)), urlDecode(pair.slice(eq + 1)));
  }
  const out: { [key: string]: Dynamic } = {};
  for (const key of [...pairs.keys()].sort()) out[key] = pairs.get(key) as string;
  return out;
}

registerScalar('parse_urlquery', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const s = text(v);
    return { 'Query Parameters': queryParameters(s.startsWith('?') ? s.slice(1) : s) };
  };
});

const URL_PARTS = /^([^:/?#]+):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/**
 * parse_url(): `scheme://[user:password@]host[:port][/path][?query][#fragment]`. The port is whatever
 * follows the authority's last colon, and user info needs both a name and a password; other forms
 * (`mailto:x`) give empty parts.
 */
function parseUrl(url: string): { [key: string]: Dynamic } {
  const parts = URL_PARTS.exec(url.trim());
  let [scheme, host, port, path, username, password, query, fragment] = ['', '', '', '', '', '', '', ''];
  if (parts) {
    scheme = parts[1];
    let authority = parts[2];
    const user = /^([^:@]*):([^@]*)@/.exec(authority);
    if (user) {
      [username, password] = [user[1], user[2]];
      authority = authority.slice(user[0].length);
    }
    const colon = authority.lastIndexOf(':');
    [host, port] = colon < 0 ? [authority, ''] : [authority.slice(0, colon), authority.slice(colon + 1)];
    path = parts[3];
    query = parts[4] ?? '';
    fragment = parts[5] ?? '';
  }
  return {
    Scheme: scheme,
    Host: host,
    Port: port,
    Path: path,
    Username: username,
    Password: password,
    'Query Parameters': queryParameters(query),
    Fragment: fragment,
  };
}

registerScalar('parse_url', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => parseUrl(text(v));
});

// ---- CSV ----

/** The first record of CSV text: commas separate, double quotes quote, `""` is a quote. */
function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      break;
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

registerScalar('parse_csv', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => parseCsvRecord(text(v));
});

// ---- format_bytes ----

const BYTE_UNITS = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

function roundHalfAwayFromZero(value: number, digits: number): string {
  const factor = 10 ** digits;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON)) / factor;
  return rounded.toFixed(digits);
}

registerScalar('format_bytes', ({ argTypes }) => {
  const unitsText = textOperand(argTypes[2] ?? 'string');
  return (size, precision, units, base) => {
    if (size === null) return '';
    const n = Number(size);
    if (!Number.isFinite(n)) return '';
    const digits = precision === undefined ? 0 : intArg(precision);
    const b = base === undefined ? 2 : intArg(base);
    if (digits === null || digits < 0 || (b !== 2 && b !== 10)) return '';
    const step = b === 2 ? 1024 : 1000;
    const requested = units === undefined ? '' : unitsText(units);
    let unit =
      requested === '' ? -1 : BYTE_UNITS.findIndex((u) => u.toLowerCase() === requested.toLowerCase());
    if (requested !== '' && unit < 0) return '';
    if (unit < 0) {
      unit = 0;
      while (unit < BYTE_UNITS.length - 1 && Math.abs(n) >= step ** (unit + 1)) unit++;
    }
    return `${roundHalfAwayFromZero(n / step ** unit, digits)} ${BYTE_UNITS[unit]}`;
  };
});

// ---- IPv4 ----

interface Ipv4 {
  address: number;
  prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4Address(text: string): number | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  let address = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    address = address * 256 + octet;
  }
  return address;
}

/** `a.b.c.d` or `a.b.c.d/prefix` (prefix 0–32). */
function parseIpv4(text: string): Ipv4 | null {
  const s = text.trim();
  const slash = s.indexOf('/');
  const address = parseIpv4Address(slash < 0 ? s : s.slice(0, slash));
  if (address === null) return null;
  if (slash < 0) return { address, prefix: 32 };
  const suffix = s.slice(slash + 1);
  if (!/^\d{1,2}$/.test(suffix) || Number(suffix) > 32) return null;
  return { address, prefix: Number(suffix) };
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function masked(ip: Ipv4, prefix = ip.prefix): number {
  return (ip.address & maskOf(prefix)) >>> 0;
}

function formatIpv4Address(address: number): string {
  return [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join('.');
}

function prefixArg(value: Value): number | null | undefined {
  if (value === undefined) return undefined;
  const n = intArg(value);
  return n === null || n < 0 || n > 32 ? null : n;
}

registerScalar('parse_ipv4', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const ip = parseIpv4(text(v));
    return ip ? masked(ip) : null;
  };
});

registerScalar('parse_ipv4_mask', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v, p) => {
    const ip = parseIpv4(text(v));
    const prefix = prefixArg(p);
    if (!ip || prefix === null || prefix === undefined) return null;
    return masked(ip, Math.min(ip.prefix, prefix));
  };
});

registerScalar('ipv4_netmask_suffix', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => parseIpv4(text(v))?.prefix ?? null;
});

function ipv4Pair(context: FunctionContext) {
  const left = textOperand(context.argTypes[0]);
  const right = textOperand(context.argTypes[1]);
  return (a: Value, b: Value, p: Value) => {
    const x = parseIpv4(left(a));
    const y = parseIpv4(right(b));
    const prefix = prefixArg(p);
    if (!x || !y || prefix === null) return null;
    const bits = Math.min(x.prefix, y.prefix, prefix ?? 32);
    return { x: masked(x, bits), y: masked(y, bits) };
  };
}

registerScalar('ipv4_compare', (context) => {
  const pair = ipv4Pair(context);
  return (a, b, p) => {
    const r = pair(a, b, p);
    return r ? Math.sign(r.x - r.y) : null;
  };
});
registerScalar('ipv4_is_match', (context) => {
  const pair = ipv4Pair(context);
  return (a, b, p) => {
    const r = pair(a, b, p);
    return r ? r.x === r.y : null;
  };
});

function inRange(ip: Ipv4, range: Ipv4): boolean {
  return masked(ip, range.prefix) === masked(range);
}

registerScalar('ipv4_is_in_range', ({ argTypes: [ta, tb] }) => {
  const left = textOperand(ta);
  const right = textOperand(tb);
  return (a, b) => {
    const ip = parseIpv4(left(a));
    const range = parseIpv4(right(b));
    return ip && range ? inRange(ip, range) : null;
  };
});

registerScalar('ipv4_is_in_any_range', ({ argTypes: [ta] }) => {
  const left = textOperand(ta);
  return (a, ...ranges) => {
    const ip = parseIpv4(left(a));
    if (!ip) return null;
    const list = ranges.flatMap((r) => (Array.isArray(r) ? r : [r]));
    return list.some((r) => {
      const range = typeof r === 'string' ? parseIpv4(r) : null;
      return range !== null && inRange(ip, range);
    });
  };
});

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((r) => parseIpv4(r) as Ipv4);

registerScalar('ipv4_is_private', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const ip = parseIpv4(text(v));
    return ip ? PRIVATE_RANGES.some((r) => inRange(ip, r)) : null;
  };
});

function formatIpv4Factory(withMask: boolean): Factory {
  return ({ argTypes: [t, tm] }) => {
    const text = t === 'string' || t === 'dynamic' ? textOperand(t) : undefined;
    return (v, m) => {
      const prefix = prefixArg(m);
      if (prefix === null) return '';
      let ip: Ipv4 | null;
      if (text) ip = parseIpv4(text(v));
      else {
        const n = intArg(v);
        ip = n === null || n < 0 || n > 0xffffffff ? null : { address: n, prefix: 32 };
      }
      if (!ip) return '';
      void tm;
      const bits = Math.min(ip.prefix, prefix ?? 32);
      const address = formatIpv4Address(masked(ip, bits));
      return withMask ? `${address}/${bits}` : address;
    };
  };
}
registerScalar('format_ipv4', formatIpv4Factory(false));
registerScalar('format_ipv4_mask', formatIpv4Factory(true));

/** The IPv4 addresses in text, each delimited by characters that are neither alphanumeric nor dots. */
function ipv4sInText(text: string): string[] {
  const out: string[] = [];
  const candidate = /\d{1,3}(?:\.\d{1,3}){3}/g;
  for (let m = candidate.exec(text); m; m = candidate.exec(text)) {
    const before = text[m.index - 1];
    const after = text[m.index + m[0].length];
    const delimited = (ch: string | undefined) => ch === undefined || !/[A-Za-z0-9.]/.test(ch);
    if (delimited(before) && delimited(after) && parseIpv4Address(m[0]) !== null) out.push(m[0]);
    else candidate.lastIndex = m.index + 1;
  }
  return out;
}

function normalIpv4(text: string): string | null {
  const address = parseIpv4Address(text.trim());
  return address === null ? null : formatIpv4Address(address);
}

/** A valid prefix: 1–4 octets, ending with a dot unless it is a whole address. */
function validIpv4Prefix(prefix: string): boolean {
  if (parseIpv4Address(prefix) !== null) return true;
  return /^(\d{1,3}\.){1,3}$/.test(prefix) && prefix.split('.').every((o) => o === '' || Number(o) <= 255);
}

function ipv4TextFactory(any: boolean, prefix: boolean): Factory {
  return ({ argTypes: [t] }) => {
    const text = textOperand(t);
    return (source, ...lookups) => {
      const list = any ? lookups.flatMap((l) => (Array.isArray(l) ? l : [l])) : lookups;
      const found = ipv4sInText(text(source)).map((ip) => normalIpv4(ip) as string);
      return list.some((l) => {
        if (typeof l !== 'string') return false;
        const wanted = l.trim();
        if (prefix) return validIpv4Prefix(wanted) && found.some((ip) => ip.startsWith(wanted));
        const normal = normalIpv4(wanted);
        return normal !== null && found.includes(normal);
      });
    };
  };
}
registerScalar('has_ipv4', ipv4TextFactory(false, false));
registerScalar('has_ipv4_prefix', ipv4TextFactory(false, true));
registerScalar('has_any_ipv4', ipv4TextFactory(true, false));
registerScalar('has_any_ipv4_prefix', ipv4TextFactory(true, true));

function ipv4RangeToCidrs(first: number, last: number): string[] {
  const out: string[] = [];
  let start = first;
  while (start <= last) {
    let bits = 32;
    // Grow the block while it stays aligned and inside the range.
    while (bits > 0) {
      const size = 2 ** (33 - bits);
      if (start % size !== 0 || start + size - 1 > last) break;
      bits--;
    }
    out.push(`${formatIpv4Address(start)}/${bits}`);
    start += 2 ** (32 - bits);
  }
  return out;
}

registerScalar('ipv4_range_to_cidr_list', ({ argTypes: [ta, tb] }) => {
  const left = textOperand(ta);
  const right = textOperand(tb);
  return (a, b) => {
    const first = parseIpv4Address(left(a).trim());
    const last = parseIpv4Address(right(b).trim());
    if (first === null || last === null || first > last) return null;
    return ipv4RangeToCidrs(first, last);
  };
});

// ---- compression ----

function decompressFactory(inflate: (bytes: Buffer) => Buffer): Factory {
  return ({ argTypes: [t] }) => {
    const text = textOperand(t);
    return (v) => {
      const bytes = decodeBase64(text(v));
      if (!bytes) return '';
      try {
        return strictUtf8.decode(inflate(bytes));
      } catch {
        return '';
      }
    };
  };
}
registerScalar(
  'zlib_decompress_from_base64_string',
  decompressFactory((b) => inflateSync(b)),
);
registerScalar(
  'gzip_decompress_from_base64_string',
  decompressFactory((b) => gunzipSync(b)),
);

// ---- punycode (RFC 3492) ----

const PUNY_BASE = 36;
const PUNY_TMIN = 1;
const PUNY_TMAX = 26;

function punyAdapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / 700) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) >> 1) {
    d = Math.floor(d / (PUNY_BASE - PUNY_TMIN));
    k += PUNY_BASE;
  }
  return k + Math.floor(((PUNY_BASE - PUNY_TMIN + 1) * d) / (d + 38));
}

function punyDigit(d: number): string {
  return String.fromCharCode(d < 26 ? 97 + d : 22 + d);
}

function punyThreshold(k: number, bias: number): number {
  return k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
}

function punycodeEncode(input: string): string {
  const points = Array.from(input, (ch) => ch.codePointAt(0) as number);
  let out = points
    .filter((c) => c < 128)
    .map((c) => String.fromCharCode(c))
    .join('');
  const basic = out.length;
  let handled = basic;
  if (basic > 0) out += '-';
  let n = 128;
  let delta = 0;
  let bias = 72;
  while (handled < points.length) {
    const m = Math.min(...points.filter((c) => c >= n));
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of points) {
      if (c < n) delta++;
      if (c !== n) continue;
      let q = delta;
      for (let k = PUNY_BASE; ; k += PUNY_BASE) {
        const t = punyThreshold(k, bias);
        if (q < t) break;
        out += punyDigit(t + ((q - t) % (PUNY_BASE - t)));
        q = Math.floor((q - t) / (PUNY_BASE - t));
      }
      out += punyDigit(q);
      bias = punyAdapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled++;
    }
    delta++;
    n++;
  }
  return out;
}

function punyValue(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 22;
  if (ch >= 65 && ch <= 90) return ch - 65;
  if (ch >= 97 && ch <= 122) return ch - 97;
  return PUNY_BASE;
}

/** Decodes punycode; null when the text is not valid punycode. */
function punycodeDecode(input: string): string | null {
  const dash = input.lastIndexOf('-');
  const output = Array.from(dash < 0 ? '' : input.slice(0, dash), (ch) => ch.codePointAt(0) as number);
  if (output.some((c) => c >= 128)) return null;
  let n = 128;
  let bias = 72;
  let i = 0;
  for (let pos = dash < 0 ? 0 : dash + 1; pos < input.length; ) {
    const oldi = i;
    let w = 1;
    for (let k = PUNY_BASE; ; k += PUNY_BASE) {
      if (pos >= input.length) return null;
      const digit = punyValue(input.charCodeAt(pos++));
      if (digit >= PUNY_BASE) return null;
      i += digit * w;
      const t = punyThreshold(k, bias);
      if (digit < t) break;
      w *= PUNY_BASE - t;
    }
    bias = punyAdapt(i - oldi, output.length + 1, oldi === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > 0x10ffff) return null;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}

registerScalar('punycode_from_string', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => punycodeEncode(text(v));
});
registerScalar('punycode_to_string', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => punycodeDecode(text(v)) ?? '';
});

// ---- IPv6 ----

/** A 128-bit address with its prefix; IPv4 text maps to `::ffff:a.b.c.d` with 96 added to its prefix. */
interface Ipv6 {
  address: bigint;
  prefix: number;
  fromIpv4: boolean;
}

function parseIpv6Groups(text: string): bigint | null {
  let s = text;
  let tail: bigint[] = [];
  const v4 = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const address = parseIpv4Address(v4[1]);
    if (address === null) return null;
    tail = [BigInt(address >>> 16), BigInt(address & 0xffff)];
    s = s.slice(0, s.length - v4[1].length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (part: string) => (part === '' ? [] : part.split(':'));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const zeros = Array.from({ length: 8 - given }, () => 0n);
  const groups = [
    ...head.map((g) => BigInt(`0x${g}`)),
    ...(halves.length === 2 ? zeros : []),
    ...rest.map((g) => BigInt(`0x${g}`)),
    ...tail,
  ];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

function parseIpv6(text: string): Ipv6 | null {
  const s = text.trim();
  const slash = s.indexOf('/');
  const body = slash < 0 ? s : s.slice(0, slash);
  const suffix = slash < 0 ? undefined : s.slice(slash + 1);
  if (suffix !== undefined && !/^\d{1,3}$/.test(suffix)) return null;
  const v4 = parseIpv4Address(body);
  if (v4 !== null) {
    const bits = suffix === undefined ? 32 : Number(suffix);
    if (bits > 32) return null;
    return { address: (0xffffn << 32n) | BigInt(v4), prefix: 96 + bits, fromIpv4: true };
  }
  const address = parseIpv6Groups(body);
  if (address === null) return null;
  const bits = suffix === undefined ? 128 : Number(suffix);
  return bits > 128 ? null : { address, prefix: bits, fromIpv4: false };
}

function maskedIpv6(address: bigint, prefix: number): bigint {
  if (prefix <= 0) return 0n;
  const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);
  return address & mask;
}

function formatIpv6(address: bigint): string {
  return address.toString(16).padStart(32, '0').match(/.{4}/g)?.join(':') ?? '';
}

/** An explicit prefix argument: IPv4 bits for IPv4 addresses (0–32), IPv6 bits otherwise (0–128). */
function ipv6PrefixArg(value: Value, ipv4: boolean): number | null | undefined {
  if (value === undefined) return undefined;
  const n = intArg(value);
  if (n === null || n < 0 || n > (ipv4 ? 32 : 128)) return null;
  return ipv4 ? n + 96 : n;
}

function ipv6Pair(context: FunctionContext) {
  const left = textOperand(context.argTypes[0]);
  const right = textOperand(context.argTypes[1]);
  return (a: Value, b: Value, p: Value) => {
    const x = parseIpv6(left(a));
    const y = parseIpv6(right(b));
    if (!x || !y) return null;
    const prefix = ipv6PrefixArg(p, x.fromIpv4 && y.fromIpv4);
    if (prefix === null) return null;
    const bits = Math.min(x.prefix, y.prefix, prefix ?? 128);
    return { x: maskedIpv6(x.address, bits), y: maskedIpv6(y.address, bits) };
  };
}

registerScalar('ipv6_compare', (context) => {
  const pair = ipv6Pair(context);
  return (a, b, p) => {
    const r = pair(a, b, p);
    return r ? (r.x < r.y ? -1 : r.x > r.y ? 1 : 0) : null;
  };
});
registerScalar('ipv6_is_match', (context) => {
  const pair = ipv6Pair(context);
  return (a, b, p) => {
    const r = pair(a, b, p);
    return r ? r.x === r.y : null;
  };
});

function inIpv6Range(ip: Ipv6, range: Ipv6): boolean {
  return maskedIpv6(ip.address, range.prefix) === maskedIpv6(range.address, range.prefix);
}

registerScalar('ipv6_is_in_range', ({ argTypes: [ta, tb] }) => {
  const left = textOperand(ta);
  const right = textOperand(tb);
  return (a, b) => {
    const ip = parseIpv6(left(a));
    const range = parseIpv6(right(b));
    return ip && range ? inIpv6Range(ip, range) : null;
  };
});

registerScalar('ipv6_is_in_any_range', ({ argTypes: [ta] }) => {
  const left = textOperand(ta);
  return (a, ...ranges) => {
    const ip = parseIpv6(left(a));
    if (!ip) return null;
    return ranges
      .flatMap((r) => (Array.isArray(r) ? r : [r]))
      .some((r) => {
        const range = typeof r === 'string' ? parseIpv6(r) : null;
        return range !== null && inIpv6Range(ip, range);
      });
  };
});

registerScalar('parse_ipv6', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v) => {
    const ip = parseIpv6(text(v));
    return ip ? formatIpv6(maskedIpv6(ip.address, ip.prefix)) : '';
  };
});

registerScalar('parse_ipv6_mask', ({ argTypes: [t] }) => {
  const text = textOperand(t);
  return (v, p) => {
    const ip = parseIpv6(text(v));
    if (!ip) return '';
    const prefix = ipv6PrefixArg(p, ip.fromIpv4);
    if (prefix === null || prefix === undefined) return '';
    return formatIpv6(maskedIpv6(ip.address, Math.min(ip.prefix, prefix)));
  };
});

// ---- command lines ----

/** Windows command-line splitting (CommandLineToArgvW): quotes group, backslashes escape quotes. */
function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      let slashes = 0;
      while (line[i] === '\\') {
        slashes++;
        i++;
      }
      // 2n backslashes before a quote give n and the quote toggles quoting; 2n+1 give n and a literal quote.
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) current += '"';
        else i--;
      } else {
        current += '\\'.repeat(slashes);
        i--;
      }
      inArg = true;
    } else if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i++;
      } else {
        quoted = !quoted;
      }
      inArg = true;
    } else if ((ch === ' ' || ch === '\t') && !quoted) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (inArg) args.push(current);
  return args;
}

registerScalar('parse_command_line', ({ argTypes: [t, tk] }) => {
  const text = textOperand(t);
  const kindText = textOperand(tk);
  return (v, kind) => {
    if (kindText(kind).toLowerCase() !== 'windows') {
      throw new KqlError(`parse_command_line(): unsupported parser '${kindText(kind)}'`);
    }
    return splitWindowsCommandLine(text(v));
  };
});
