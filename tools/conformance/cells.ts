/** Whether one documented cell equals one engine cell ("When a result counts as equal" → Cells). */
import { ELLIPSIS, type Json, tryParseJson } from './json.js';
import { parseDatetimeText, parseTimespanText } from './time.js';

export interface Leniency {
  /** `approximate`: numbers, integers included, may differ by 5%. */
  approximate: boolean;
  /** `truncated`: `...` inside a dynamic cell (or at the end of a text cell) stands for omitted content. */
  truncated: boolean;
}

export const STRICT: Leniency = { approximate: false, truncated: false };

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1].toLowerCase() === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return String.fromCodePoint(code);
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Code span or emphasis around the whole cell; the delimiter may not reappear inside. */
const WHOLE_CELL_WRAPPERS = [
  /^``\s?((?:(?!``)[\s\S])+?)\s?``$/,
  /^`([^`]+)`$/,
  /^\*\*((?:(?!\*\*)[\s\S])+)\*\*$/,
  /^__((?:(?!__)[\s\S])+)__$/,
  /^\*([^*]+)\*$/,
  /^_([^_]+)_$/,
];

function dropWholeCellWrapping(text: string): string {
  for (let changed = true; changed; ) {
    changed = false;
    for (const wrapper of WHOLE_CELL_WRAPPERS) {
      const m = wrapper.exec(text);
      if (m) {
        text = m[1].trim();
        changed = true;
      }
    }
  }
  return text;
}

/** The cell as a reader sees it: `<br>` → line break, tags and links → text, entities decoded, wrapping dropped. */
export function renderDocCell(raw: string): string {
  let text = raw.replace(/<br\s*\/?>/gi, '\n');
  text = text.replace(/\[([^\]]*)\]\((?:[^)\s]+)(?:\s+"[^"]*")?\)/g, '$1');
  text = text.replace(/<((?:https?|ftp|mailto):[^<>\s]*)>/gi, '$1');
  text = text.replace(/<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi, '');
  return dropWholeCellWrapping(decodeEntities(text).trim());
}

function unquoted(text: string): string | undefined {
  const m = /^(["'])([\s\S]*)\1$/.exec(text);
  return m && text.length >= 2 ? m[2] : undefined;
}

/** Readings of a doc cell to try, in order: rendered, raw, and (for text) each without surrounding quotes. */
export function docForms(raw: string, withUnquoted: boolean): string[] {
  const forms = [renderDocCell(raw), raw.trim()];
  if (withUnquoted) {
    for (const f of [...forms]) {
      const u = unquoted(f);
      if (u !== undefined) forms.push(u);
    }
  }
  return [...new Set(forms)];
}

function isEmptyDocCell(raw: string): boolean {
  return raw.trim() === '' || raw.trim() === '&nbsp;' || renderDocCell(raw).trim() === '';
}

const NULL_WORDS = new Set(['null', '(null)']);

/** `doc` is the markdown cell text, `engine` the JSON cell value, `type` the engine's declared column type. */
export function cellMatches(
  doc: string,
  engine: Json,
  type: string | undefined,
  lenient: Leniency = STRICT,
): boolean {
  if (isEmptyDocCell(doc)) return engine === null || engine === '';
  const isText = type === 'string';
  const forms = docForms(doc, isText || !knownType(type));
  if (!isText && engine === null) return forms.some((f) => NULL_WORDS.has(f.toLowerCase()));
  const readers = knownType(type) ? [CELL_READERS[type as string]] : Object.values(CELL_READERS);
  return readers.some((equal) => forms.some((form) => equal(form, engine, lenient)));
}

function knownType(type: string | undefined): boolean {
  return type !== undefined && Object.hasOwn(CELL_READERS, type);
}

type CellEquality = (doc: string, engine: Json, lenient: Leniency) => boolean;

const CELL_READERS: Record<string, CellEquality> = {
  datetime: (doc, engine) =>
    typeof engine === 'string' && sameTicks(parseDatetimeText(doc), parseDatetimeText(engine)),
  timespan: (doc, engine) =>
    typeof engine === 'string' && sameTicks(parseTimespanText(doc), parseTimespanText(engine)),
  long: integerEqual,
  int: integerEqual,
  real: realEqual,
  decimal: realEqual,
  bool: boolEqual,
  guid: guidEqual,
  dynamic: dynamicCellEqual,
  string: stringEqual,
};

function sameTicks(a: bigint | undefined, b: bigint | undefined): boolean {
  return a !== undefined && a === b;
}

// ---- integers ----

/** `1,048,576`, `-2`, `2.0` → bigint; anything else → undefined. */
export function parseDocInteger(text: string): bigint | undefined {
  const t = text.trim();
  const m = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?$/.exec(t);
  if (!m) return undefined;
  const digits = BigInt(m[2].replaceAll(',', ''));
  return m[1] === '-' ? -digits : digits;
}

function engineInteger(engine: Json): bigint | undefined {
  if (typeof engine === 'bigint') return engine;
  if (typeof engine === 'number' && Number.isInteger(engine)) return BigInt(engine);
  return undefined;
}

function integerEqual(doc: string, engine: Json, lenient: Leniency): boolean {
  const expected = parseDocInteger(doc);
  const actual = engineInteger(engine);
  if (expected === undefined || actual === undefined) return false;
  if (expected === actual) return true;
  return lenient.approximate && withinFivePercent(Number(expected), Number(actual));
}

function withinFivePercent(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.05 * Math.max(Math.abs(a), Math.abs(b));
}

// ---- reals ----

interface DocReal {
  value: number;
  /** Half a unit of the last shown place, when at least three decimals are shown. */
  halfUnit: number;
}

const REAL_TEXT = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function parseDocReal(text: string): DocReal | undefined {
  const t = text.trim();
  const special = specialReal(t);
  if (special !== undefined) return { value: special, halfUnit: 0 };
  const m = REAL_TEXT.exec(t);
  if (!m || (m[2] === '' && !m[3])) return undefined;
  const [, sign, whole, decimals = '', exponent = '0'] = m;
  const value = Number(`${sign}${whole.replaceAll(',', '') || '0'}.${decimals || '0'}e${exponent}`);
  const halfUnit = decimals.length >= 3 ? 0.5 * 10 ** (Number(exponent) - decimals.length) : 0;
  return { value, halfUnit };
}

function specialReal(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (/^\+?(Infinity|∞)$/.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-(Infinity|∞)$/.test(text)) return Number.NEGATIVE_INFINITY;
  return undefined;
}

function engineReal(engine: Json): number | undefined {
  if (typeof engine === 'number') return engine;
  if (typeof engine === 'bigint') return Number(engine);
  if (typeof engine === 'string') {
    const special = specialReal(engine);
    if (special !== undefined) return special;
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(engine) ? Number(engine) : undefined;
  }
  return undefined;
}

export function realsClose(expected: DocReal, actual: number, lenient: Leniency): boolean {
  const e = expected.value;
  if (Number.isNaN(e) || Number.isNaN(actual)) return Number.isNaN(e) && Number.isNaN(actual);
  if (!Number.isFinite(e) || !Number.isFinite(actual)) return e === actual;
  const diff = Math.abs(e - actual);
  const scale = Math.max(Math.abs(e), Math.abs(actual));
  if (diff <= Math.max(1e-6 * scale, 1e-9)) return true;
  // The tiny slack keeps a value exactly half a unit away from failing on binary rounding.
  if (expected.halfUnit > 0 && diff <= expected.halfUnit * (1 + 1e-9)) return true;
  return lenient.approximate && withinFivePercent(e, actual);
}

function realEqual(doc: string, engine: Json, lenient: Leniency): boolean {
  const expected = parseDocReal(doc);
  const actual = engineReal(engine);
  return expected !== undefined && actual !== undefined && realsClose(expected, actual, lenient);
}

// ---- bool, guid ----

function boolEqual(doc: string, engine: Json): boolean {
  const t = doc.trim().toLowerCase();
  const expected = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
  return expected !== undefined && expected === engine;
}

function normalGuid(text: string): string {
  return text
    .trim()
    .replace(/^\{([\s\S]*)\}$/, '$1')
    .toLowerCase();
}

function guidEqual(doc: string, engine: Json): boolean {
  return typeof engine === 'string' && normalGuid(doc) === normalGuid(engine);
}

// ---- dynamic ----

/** The doc side of a dynamic cell: lenient JSON, else the bare scalar it spells. */
export function readDocDynamic(text: string): Json {
  const t = text.trim();
  const json = tryParseJson(t, true);
  return json === undefined ? t : json;
}

function readEngineDynamic(engine: Json): Json | undefined {
  if (typeof engine !== 'string') return engine;
  return tryParseJson(engine) ?? engine;
}

function dynamicCellEqual(doc: string, engine: Json, lenient: Leniency): boolean {
  const actual = readEngineDynamic(engine);
  return actual !== undefined && dynamicEqual(readDocDynamic(doc), actual, lenient);
}

/** JSON equality: key order ignored, array order kept, numbers by the real rule, datetime strings as instants. */
export function dynamicEqual(doc: Json, engine: Json, lenient: Leniency): boolean {
  if (doc === ELLIPSIS) return lenient.truncated;
  if (Array.isArray(doc)) return Array.isArray(engine) && arraysEqual(doc, engine, lenient);
  if (isObject(doc)) return isObject(engine) && objectsEqual(doc, engine, lenient);
  if (isNumber(doc)) return isNumber(engine) && jsonNumbersEqual(doc, engine, lenient);
  if (typeof doc === 'string' && typeof engine === 'string') {
    return doc === engine || sameTicks(parseDatetimeText(doc), parseDatetimeText(engine));
  }
  return doc === engine;
}

function isNumber(v: Json): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonNumbersEqual(doc: number | bigint, engine: number | bigint, lenient: Leniency): boolean {
  // Beyond 2^53 a double can't tell neighbouring integers apart, so compare those exactly.
  if (typeof doc === 'bigint' || typeof engine === 'bigint') {
    const a = engineInteger(doc);
    const b = engineInteger(engine);
    if (a !== undefined && b !== undefined && a === b) return true;
    if (!lenient.approximate) return false;
  }
  return realsClose({ value: Number(doc), halfUnit: 0 }, Number(engine), lenient);
}

function objectsEqual(
  doc: { [key: string]: Json },
  engine: { [key: string]: Json },
  lenient: Leniency,
): boolean {
  const docKeys = Object.keys(doc);
  if (docKeys.length !== Object.keys(engine).length) return false;
  return docKeys.every((k) => Object.hasOwn(engine, k) && dynamicEqual(doc[k], engine[k], lenient));
}

/** `[a, ..., z]`: elements before `...` match the start, those after it the end, the rest is free. */
function arraysEqual(doc: Json[], engine: Json[], lenient: Leniency): boolean {
  const gap = lenient.truncated ? doc.indexOf(ELLIPSIS) : -1;
  if (gap < 0)
    return doc.length === engine.length && doc.every((d, i) => dynamicEqual(d, engine[i], lenient));
  const head = doc.slice(0, gap);
  const tail = doc.slice(gap + 1);
  if (tail.includes(ELLIPSIS) || head.length + tail.length > engine.length) return false;
  const tailStart = engine.length - tail.length;
  return (
    head.every((d, i) => dynamicEqual(d, engine[i], lenient)) &&
    tail.every((d, i) => dynamicEqual(d, engine[tailStart + i], lenient))
  );
}

// ---- string ----

function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function looksLikeJsonContainer(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

function stringEqual(doc: string, engine: Json, lenient: Leniency): boolean {
  if (typeof engine !== 'string') return false;
  const expected = foldWhitespace(doc);
  const actual = foldWhitespace(engine);
  if (expected === actual) return true;
  if (lenient.truncated && /(\.\.\.|…)$/.test(expected)) {
    const prefix = expected.replace(/(\.\.\.|…)$/, '').trimEnd();
    if (prefix !== '' && actual.startsWith(prefix)) return true;
  }
  if (looksLikeJsonContainer(doc) && looksLikeJsonContainer(engine)) {
    const docJson = tryParseJson(doc, true);
    const engineJson = tryParseJson(engine, true);
    return docJson !== undefined && engineJson !== undefined && dynamicEqual(docJson, engineJson, lenient);
  }
  return false;
}

/** A short one-line rendering of a value for failure reasons. */
export function shortText(value: Json | string): string {
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : value === ELLIPSIS
        ? '...'
        : JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
