/**
 * Dynamic values: arrays (`pack_array`, `array_*`, `zip`, `range`, `repeat`), property bags (`bag_*`,
 * `bag_pack`, `treepath`, `dynamic_to_json`) and sets (`set_*`, `jaccard_index`). Scalars placed into a
 * dynamic go through `toDynamic` (datetimes and timespans become their text); arguments that should be
 * arrays or bags but are not give null.
 */
import { KqlError } from '../errors.js';
import { formatReal, parseDatetime, parseTimespan, toDynamic, toText } from '../text.js';
import {
  type Dynamic,
  isPlainObject,
  type KType,
  keyOf,
  normLong,
  TICKS_PER_HOUR,
  type Value,
} from '../values.js';
import { registerScalar } from './registry.js';

type Bag = { [key: string]: Dynamic };

/** range() stops (and repeat() refuses) beyond Kusto's 2^20 elements. */
const MAX_ARRAY_LENGTH = 1_048_576;

function asArray(value: Value): Dynamic[] | null {
  return Array.isArray(value) ? value : null;
}

function asBag(value: Value): Bag | null {
  return isPlainObject(value) ? value : null;
}

function allArrays(values: Value[]): Dynamic[][] | null {
  const arrays: Dynamic[][] = [];
  for (const value of values) {
    if (!Array.isArray(value)) return null;
    arrays.push(value);
  }
  return arrays;
}

/** An integer argument (int, long or real) as a JS number; null when absent or null. */
function intArg(value: Value): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

/** A negative index counts from the end (`length + index`). */
function fromEnd(index: number, length: number): number {
  return index < 0 ? index + length : index;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

// ---- packing ----

registerScalar(
  'pack_array',
  ({ argTypes }) =>
    (...values) =>
      values.map((v, i) => toDynamic(v, argTypes[i])),
);

registerScalar(['bag_pack', 'pack', 'pack_dictionary'], ({ argTypes }) => (...args) => {
  const bag: Bag = {};
  for (let i = 0; i + 1 < args.length; i += 2) {
    bag[toText(args[i], argTypes[i])] = toDynamic(args[i + 1], argTypes[i + 1]);
  }
  return bag;
});

/**
 * `pack_all([ignore_null_empty])` needs the row, so the translator is expected to rewrite it to
 * `$pack_all(ignore_null_empty, 'col1', col1, 'col2', col2, …)` over the input columns.
 */
registerScalar('$pack_all', ({ argTypes }) => (ignoreNullEmpty, ...pairs) => {
  const bag: Bag = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const v = pairs[i + 1];
    if (ignoreNullEmpty === true && (v === null || v === '')) continue;
    bag[String(pairs[i])] = toDynamic(v, argTypes[i + 2]);
  }
  return bag;
});

registerScalar('repeat', ({ argTypes: [valueType] }) => (value, count) => {
  const n = intArg(count);
  if (n === null || n < 0) return null;
  if (n > MAX_ARRAY_LENGTH) throw new KqlError(`repeat(): count ${n} exceeds ${MAX_ARRAY_LENGTH}`);
  return new Array<Dynamic>(n).fill(toDynamic(value, valueType));
});

// ---- range(start, stop [, step]) ----

registerScalar('range', ({ argTypes: [startType, stopType, stepType] }) => {
  if (startType === 'datetime' || startType === 'timespan') {
    return (start, stop, step) =>
      temporalRange(start, stop, step === undefined ? TICKS_PER_HOUR : step, startType);
  }
  const integral = [startType, stopType, stepType ?? 'long'].every((t) => t === 'long' || t === 'int');
  return (start, stop, step) =>
    integral
      ? longRange(start, stop, step === undefined ? 1 : step)
      : realRange(start, stop, step === undefined ? 1 : step);
});

function temporalRange(start: Value, stop: Value, step: Value, type: KType): Dynamic {
  if (typeof start !== 'bigint' || typeof stop !== 'bigint' || typeof step !== 'bigint') return null;
  if (step === 0n) return null;
  const out: Dynamic[] = [];
  for (let t = start; (step > 0n ? t <= stop : t >= stop) && out.length < MAX_ARRAY_LENGTH; t += step) {
    out.push(toDynamic(t, type));
  }
  return out;
}

function longRange(start: Value, stop: Value, step: Value): Dynamic {
  if (start === null || stop === null || step === null) return null;
  const [from, to, by] = [
    BigInt(start as number | bigint),
    BigInt(stop as number | bigint),
    BigInt(step as number | bigint),
  ];
  if (by === 0n) return null;
  const out: Dynamic[] = [];
  for (let v = from; (by > 0n ? v <= to : v >= to) && out.length < MAX_ARRAY_LENGTH; v += by) {
    out.push(normLong(v));
  }
  return out;
}

function realRange(start: Value, stop: Value, step: Value): Dynamic {
  const [from, to, by] = [start, stop, step].map((v) => (v === null ? null : Number(v)));
  if (from === null || to === null || by === null || !Number.isFinite(by) || by === 0) return null;
  const out: Dynamic[] = [];
  for (let v = from; (by > 0 ? v <= to : v >= to) && out.length < MAX_ARRAY_LENGTH; v += by) out.push(v);
  return out;
}

// ---- arrays ----

registerScalar('array_length', () => (value) => (Array.isArray(value) ? value.length : null));

registerScalar(
  'array_concat',
  () =>
    (...values) =>
      allArrays(values)?.flat(1) ?? null,
);

registerScalar('array_reverse', () => (value) => asArray(value)?.slice().reverse() ?? null);

registerScalar('array_slice', () => (value, start, end) => {
  const array = asArray(value);
  const s = intArg(start);
  const e = intArg(end);
  if (array === null || s === null || e === null) return null;
  const from = Math.max(fromEnd(s, array.length), 0);
  const to = Math.min(fromEnd(e, array.length), array.length - 1);
  return from > to ? [] : array.slice(from, to + 1);
});

registerScalar('array_split', () => (value, indexes) => {
  const array = asArray(value);
  if (array === null || indexes === null) return null;
  const cuts = Array.isArray(indexes) ? indexes.map(intArg) : [intArg(indexes)];
  if (cuts.some((c) => c === null)) return null;
  const bounds = cuts.map((c) => clamp(fromEnd(c as number, array.length), 0, array.length));
  const parts: Dynamic[] = [];
  let from = 0;
  for (const bound of [...bounds, array.length]) {
    parts.push(array.slice(from, Math.max(bound, from)));
    from = Math.max(bound, from);
  }
  return parts;
});

function rotate(array: Dynamic[], left: number): Dynamic[] {
  if (array.length === 0) return [];
  const n = ((left % array.length) + array.length) % array.length;
  return [...array.slice(n), ...array.slice(0, n)];
}

registerScalar('array_rotate_left', () => (value, count) => {
  const array = asArray(value);
  const n = intArg(count);
  return array === null || n === null ? null : rotate(array, n);
});
registerScalar('array_rotate_right', () => (value, count) => {
  const array = asArray(value);
  const n = intArg(count);
  return array === null || n === null ? null : rotate(array, -n);
});

function shift(array: Dynamic[], left: number, fill: Dynamic): Dynamic[] {
  return array.map((_, i) => {
    const source = i + left;
    return source >= 0 && source < array.length ? array[source] : fill;
  });
}

function shiftFunction(direction: 1 | -1) {
  return ({ argTypes }: { argTypes: KType[] }) =>
    (value: Value, count: Value, fill?: Value) => {
      const array = asArray(value);
      const n = intArg(count);
      if (array === null || n === null) return null;
      const filler = fill === undefined ? defaultFill(array) : toDynamic(fill, argTypes[2]);
      return shift(array, direction * n, filler);
    };
}

/** Without a default, vacated slots of an array of strings get '' and those of other arrays null. */
function defaultFill(array: Dynamic[]): Dynamic {
  const present = array.filter((v) => v !== null);
  return present.length > 0 && present.every((v) => typeof v === 'string') ? '' : null;
}
registerScalar('array_shift_left', shiftFunction(1));
registerScalar('array_shift_right', shiftFunction(-1));

registerScalar(['array_iff', 'array_iif'], ({ argTypes: [, trueType, falseType] }) => {
  const pick = (source: Value, type: KType, i: number): Dynamic => {
    if (type !== 'dynamic') return toDynamic(source, type);
    if (!Array.isArray(source)) return source;
    return i < source.length ? source[i] : null;
  };
  return (conditions, whenTrue, whenFalse) => {
    const array = asArray(conditions);
    if (array === null) return null;
    return array.map((c, i) => {
      const truth =
        typeof c === 'boolean' ? c : typeof c === 'number' || typeof c === 'bigint' ? Number(c) !== 0 : null;
      if (truth === null) return null;
      return truth ? pick(whenTrue, trueType, i) : pick(whenFalse, falseType, i);
    });
  };
});

registerScalar('array_sum', () => (value) => {
  const array = asArray(value);
  if (array === null) return null;
  let sum = 0;
  for (const element of array) {
    if (typeof element !== 'number' && typeof element !== 'bigint') return null;
    sum += Number(element);
  }
  return sum;
});

/**
 * A test for "element equals the scalar": numbers compare numerically, datetimes and timespans by their
 * ticks (inside a dynamic they are text), guids without case, everything else by exact value.
 */
function elementMatcher(type: KType, target: Value): (element: Dynamic) => boolean {
  if (type === 'datetime' || type === 'timespan') {
    const parse = type === 'datetime' ? parseDatetime : parseTimespan;
    return (element) => typeof element === 'string' && parse(element) === target;
  }
  if (type === 'guid') {
    const text = String(target).toLowerCase();
    return (element) => typeof element === 'string' && element.toLowerCase() === text;
  }
  const key = keyOf(toDynamic(target, type));
  return (element) => keyOf(element) === key;
}

function indexOf(
  array: Dynamic[],
  matches: (element: Dynamic) => boolean,
  start: number,
  length: number,
  occurrence: number,
): number {
  const from = Math.max(fromEnd(start, array.length), 0);
  const end = length === -1 ? array.length : Math.min(from + length, array.length);
  let seen = 0;
  for (let i = from; i < end; i++) {
    if (matches(array[i]) && ++seen === occurrence) return i;
  }
  return -1;
}

registerScalar(
  'array_index_of',
  ({ argTypes: [, valueType] }) =>
    (value, target, start, length, occurrence) => {
      const array = asArray(value);
      if (array === null || target === null) return null;
      const s = start === undefined ? 0 : intArg(start);
      const l = length === undefined ? -1 : intArg(length);
      const o = occurrence === undefined ? 1 : intArg(occurrence);
      if (s === null || l === null || o === null || l < -1 || o < 1) return null;
      return indexOf(array, elementMatcher(valueType, target), s, l, o);
    },
);

registerScalar('set_has_element', ({ argTypes: [, valueType] }) => (value, target) => {
  const array = asArray(value);
  if (array === null || target === null) return null;
  return array.some(elementMatcher(valueType, target));
});

// ---- sorting ----

/** Kusto's mixed-type order: numbers, then strings, then everything else (kept in input order). */
function typeRank(value: Dynamic): number {
  if (typeof value === 'number' || typeof value === 'bigint') return 0;
  if (typeof value === 'string') return 1;
  return 2;
}

function compareElements(a: Dynamic, b: Dynamic): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeRank(a) === 0) {
    const [x, y] = [a as number | bigint, b as number | bigint];
    if (typeof x === 'number' && Number.isNaN(x)) return typeof y === 'number' && Number.isNaN(y) ? 0 : -1;
    if (typeof y === 'number' && Number.isNaN(y)) return 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return 0;
}

/** The order (a stable permutation of indexes) that sorts `array`. */
function sortOrder(array: Dynamic[], descending: boolean, nullsLast: boolean): number[] {
  const indexes = array.map((_, i) => i);
  return indexes.sort((i, j) => {
    const [a, b] = [array[i], array[j]];
    if (a === null || b === null) {
      if (a === b) return 0;
      return (a === null) === nullsLast ? 1 : -1;
    }
    const c = compareElements(a, b);
    return descending ? -c : c;
  });
}

function arraySort(descending: boolean) {
  return ({ argTypes }: { argTypes: KType[] }) => {
    const hasNullsFlag = argTypes.length > 1 && argTypes[argTypes.length - 1] === 'bool';
    const arrayCount = hasNullsFlag ? argTypes.length - 1 : argTypes.length;
    return (...args: Value[]): Value => {
      const nullsLast = hasNullsFlag ? args[arrayCount] !== false : true;
      const arrays = args.slice(0, arrayCount);
      const first = asArray(arrays[0]);
      const order = first === null ? null : sortOrder(first, descending, nullsLast);
      const sorted = arrays.map((value) => {
        const array = asArray(value);
        if (order === null || array === null || array.length !== order.length) return null;
        return order.map((i) => array[i]);
      });
      // More than one array gives a tuple (one output column per array); it is carried as an array of arrays.
      return arrayCount === 1 ? sorted[0] : sorted;
    };
  };
}
registerScalar('array_sort_asc', arraySort(false));
registerScalar('array_sort_desc', arraySort(true));

// ---- zip ----

registerScalar('zip', () => (...values) => {
  const arrays = allArrays(values);
  if (arrays === null) return null;
  const length = Math.max(0, ...arrays.map((a) => a.length));
  return Array.from({ length }, (_, i) => arrays.map((a) => (i < a.length ? a[i] : null)));
});

// ---- sets ----

function distinct(values: Iterable<Dynamic>, exclude?: Set<string>): Dynamic[] {
  const seen = new Set<string>(exclude);
  const out: Dynamic[] = [];
  for (const v of values) {
    const key = keyOf(v);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

function keySet(array: Dynamic[]): Set<string> {
  return new Set(array.map(keyOf));
}

registerScalar('set_union', () => (...values) => {
  const arrays = allArrays(values);
  return arrays === null ? null : distinct(arrays.flat(1));
});

registerScalar('set_intersect', () => (...values) => {
  const arrays = allArrays(values);
  if (arrays === null) return null;
  const others = arrays.slice(1).map(keySet);
  return distinct(arrays[0].filter((v) => others.every((set) => set.has(keyOf(v)))));
});

registerScalar('set_difference', () => (...values) => {
  const arrays = allArrays(values);
  if (arrays === null) return null;
  const excluded = new Set(arrays.slice(1).flatMap((a) => a.map(keyOf)));
  return distinct(arrays[0], excluded);
});

registerScalar('jaccard_index', () => (a, b) => {
  const arrays = allArrays([a, b]);
  if (arrays === null) return null;
  const [first, second] = arrays.map(keySet);
  let common = 0;
  for (const key of first) if (second.has(key)) common++;
  const union = first.size + second.size - common;
  return common / union;
});

// ---- property bags ----

registerScalar('bag_keys', () => (value) => {
  const bag = asBag(value);
  return bag === null ? null : Object.keys(bag);
});

registerScalar('bag_merge', () => (...values) => {
  const merged: Bag = {};
  for (const value of values) {
    const bag = asBag(value);
    if (bag === null) continue;
    for (const [key, v] of Object.entries(bag)) if (!(key in merged)) merged[key] = v;
  }
  return merged;
});

/**
 * A key argument: a root key name, or a JSONPath (`$.a.b`, `$['a']['b']`) naming a nested key.
 * Array indexing is not supported; null for a path that cannot be read.
 */
function keyPath(key: string): string[] | null {
  if (!key.startsWith('$')) return [key];
  const parts: string[] = [];
  let rest = key.slice(1);
  while (rest !== '') {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const bracketed = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
    const match = dotted ?? bracketed;
    if (!match) return null;
    parts.push(dotted ? dotted[1] : (bracketed?.[1] ?? bracketed?.[2] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return parts.length === 0 ? null : parts;
}

function pathArg(key: Value, type: KType): string[] | null {
  if (key === null) return null;
  return keyPath(toText(key, type));
}

registerScalar('bag_has_key', ({ argTypes: [, keyType] }) => (value, key) => {
  const path = pathArg(key, keyType);
  let node: Dynamic = value;
  if (path === null) return false;
  for (const part of path) {
    const bag = asBag(node);
    if (bag === null || !Object.hasOwn(bag, part)) return false;
    node = bag[part];
  }
  return true;
});

function withoutPath(bag: Bag, path: string[]): Bag {
  const [head, ...rest] = path;
  if (!Object.hasOwn(bag, head)) return bag;
  const copy = { ...bag };
  if (rest.length === 0) {
    delete copy[head];
    return copy;
  }
  const child = asBag(bag[head]);
  if (child !== null) copy[head] = withoutPath(child, rest);
  return copy;
}

registerScalar('bag_remove_keys', () => (value, keys) => {
  let bag = asBag(value);
  const list = asArray(keys);
  if (bag === null || list === null) return null;
  for (const key of list) {
    const path = typeof key === 'string' ? keyPath(key) : null;
    if (path !== null) bag = withoutPath(bag, path);
  }
  return bag;
});

function withPath(bag: Bag, path: string[], value: Dynamic): Bag {
  const [head, ...rest] = path;
  const copy = { ...bag };
  copy[head] = rest.length === 0 ? value : withPath(asBag(bag[head]) ?? {}, rest, value);
  return copy;
}

registerScalar('bag_set_key', ({ argTypes: [, keyType, valueType] }) => (value, key, newValue) => {
  const bag = asBag(value);
  const path = pathArg(key, keyType);
  if (bag === null || path === null) return null;
  return withPath(bag, path, toDynamic(newValue, valueType));
});

registerScalar('bag_zip', () => (keys, values) => {
  const names = asArray(keys);
  if (names === null) return null;
  const list = asArray(values) ?? [];
  const bag: Bag = {};
  names.forEach((name, i) => {
    if (typeof name === 'string') bag[name] = i < list.length ? list[i] : null;
  });
  return bag;
});

/** Paths to every slot: `['key']` for bag slots, `[0]` standing for any element of an array. */
function treePaths(value: Dynamic, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    const path = `${prefix}[0]`;
    out.add(path);
    for (const element of value) treePaths(element, path, out);
  } else if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const path = `${prefix}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
      out.add(path);
      treePaths(child, path, out);
    }
  }
}

registerScalar('treepath', () => (value) => {
  if (!Array.isArray(value) && !isPlainObject(value)) return null;
  const paths = new Set<string>();
  treePaths(value, '', paths);
  return [...paths];
});

/** Canonical JSON: bag slots sorted by name (ordinal), no whitespace. */
function canonicalJson(value: Dynamic): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  if (typeof value === 'number')
    return Number.isFinite(value) ? formatReal(value) : JSON.stringify(formatReal(value));
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

registerScalar(
  'dynamic_to_json',
  ({ argTypes: [type] }) =>
    (value) =>
      type === 'dynamic' ? canonicalJson(value) : toText(value, type),
);
