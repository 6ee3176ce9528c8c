/**
 * Kusto scalar types and how their values live in JS:
 * - bool: boolean | null
 * - int, real, decimal: number | null (NaN and ±Infinity are values)
 * - long: number, or bigint beyond ±2^53 so that 64-bit values survive | null
 * - datetime: bigint 100-ns ticks since the Unix epoch | null
 * - timespan: bigint 100-ns ticks | null
 * - string: string, never null (empty instead)
 * - guid: lowercase string | null
 * - dynamic: JSON-like values (null, boolean, number, bigint, string, arrays, plain objects)
 */

export type KType =
  | 'bool'
  | 'int'
  | 'long'
  | 'real'
  | 'decimal'
  | 'datetime'
  | 'timespan'
  | 'string'
  | 'guid'
  | 'dynamic';

export const SCALAR_TYPES: readonly KType[] = [
  'bool',
  'int',
  'long',
  'real',
  'decimal',
  'datetime',
  'timespan',
  'string',
  'guid',
  'dynamic',
];

export type Dynamic = null | boolean | number | bigint | string | Dynamic[] | { [key: string]: Dynamic };
export type Value = Dynamic;

/** Type names as the analyser spells them → engine types (`boolean` is an alias of `bool`, etc.). */
export function toKType(name: string | undefined): KType {
  switch (name) {
    case 'bool':
    case 'boolean':
      return 'bool';
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
    case 'datetime':
    case 'timespan':
    case 'string':
    case 'guid':
    case 'dynamic':
      return name;
    case 'date':
      return 'datetime';
    case 'time':
      return 'timespan';
    case 'double':
      return 'real';
    case 'uniqueid':
      return 'guid';
    default:
      return 'dynamic';
  }
}

export function isNumericType(type: KType): boolean {
  return type === 'int' || type === 'long' || type === 'real' || type === 'decimal';
}

/** The empty value of a type: '' for strings, null for the rest. */
export function nullOf(type: KType): Value {
  return type === 'string' ? '' : null;
}

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 600_000_000n;
export const TICKS_PER_HOUR = 36_000_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;

/** .NET DateTime's range in Unix-epoch ticks: 0001-01-01 … 9999-12-31T23:59:59.9999999. */
export const MIN_DATETIME_TICKS = -621_355_968_000_000_000n;
export const MAX_DATETIME_TICKS = 2_534_023_007_999_999_999n;

export function datetimeInRange(ticks: bigint): boolean {
  return ticks >= MIN_DATETIME_TICKS && ticks <= MAX_DATETIME_TICKS;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

/** The canonical long form: a number when exact, a bigint otherwise; wraps to 64 bits like .NET. */
export function normLong(value: bigint): number | bigint {
  let v = value;
  if (v > INT64_MAX || v < INT64_MIN) v = BigInt.asIntN(64, v);
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

export function longToBigInt(value: number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
}

/** A real truncated to a long the way .NET converts (NaN/∞ → null). */
export function realToLong(value: number): number | bigint | null {
  if (!Number.isFinite(value)) return null;
  const t = Math.trunc(value);
  return Number.isSafeInteger(t) ? t : normLong(BigInt(t));
}

export function isPlainObject(value: unknown): value is { [key: string]: Dynamic } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asNumber(value: Value): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

export function asBigInt(value: Value): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : null;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  return null;
}

/**
 * A stable text key for grouping, distinct and join keys: equal Kusto values give equal keys.
 * Type tags keep '1' (string) and 1 (number) apart.
 */
export function keyOf(value: Value): string {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return Number.isNaN(value) ? 'nNaN' : `n${value}`;
    case 'bigint':
      return `n${value}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    default:
      return value === null ? '_' : `j${jsonText(value)}`;
  }
}

/** Compact JSON of a dynamic value (bigints as exact integers, non-finite numbers as strings). */
export function jsonText(value: Dynamic): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? formatJsonNumber(value) : JSON.stringify(String(value));
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
      return `{${Object.entries(value)
        .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
        .join(',')}}`;
  }
}

function formatJsonNumber(value: number): string {
  return String(value);
}

/** Parses JSON text into a dynamic value, keeping integers beyond 2^53 exact; undefined if not JSON. */
export function parseJsonText(text: string): Dynamic | undefined {
  try {
    if (!/\d{16,}/.test(text)) return JSON.parse(text) as Dynamic;
    return reviveBigInts(JSON.parse(text, bigIntReviver) as Dynamic);
  } catch {
    return undefined;
  }
}

// JSON.parse loses long integers; the reviver gets the source text where supported (Node >= 21),
// elsewhere the value is kept as the (rounded) number.
function bigIntReviver(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source &&
    /^-?\d+$/.test(context.source)
  ) {
    return { __bigint: context.source };
  }
  return value;
}

function reviveBigInts(value: Dynamic): Dynamic {
  if (Array.isArray(value)) return value.map(reviveBigInts);
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '__bigint' && typeof value.__bigint === 'string') {
      return normLong(BigInt(value.__bigint));
    }
    const out: { [key: string]: Dynamic } = {};
    for (const key of keys) out[key] = reviveBigInts(value[key]);
    return out;
  }
  return value;
}

/** The scalar type a value inside a dynamic has (integers read as long); arrays and bags stay dynamic. */
export function dynamicScalarType(value: Dynamic): KType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'number':
      return Number.isInteger(value) ? 'long' : 'real';
    default:
      return 'dynamic';
  }
}
