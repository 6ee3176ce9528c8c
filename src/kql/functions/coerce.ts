/** Conversions between Kusto types, as `toX()` and implicit conversions do them. */
import { parseDatetime, parseTimespan, toDynamic, toText } from '../text.js';
import { type Dynamic, type KType, normLong, parseJsonText, realToLong, type Value } from '../values.js';

export function toBool(value: Value, from: KType): boolean | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    if (/^-?\d+$/.test(s)) return Number(s) !== 0;
    return null;
  }
  void from;
  return null;
}

export function toLong(value: Value, from: KType): number | bigint | null {
  if (value === null) return null;
  if (from === 'datetime' || from === 'timespan') return normLong(value as bigint);
  if (typeof value === 'number') return realToLong(value);
  if (typeof value === 'bigint') return normLong(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const s = value.trim();
    if (/^[+-]?\d+$/.test(s)) return normLong(BigInt(s));
    if (/^0x[0-9a-f]+$/i.test(s)) return normLong(BigInt(s));
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return realToLong(Number(s));
    return null;
  }
  return null;
}

export function toInt(value: Value, from: KType): number | null {
  const long = toLong(value, from);
  if (long === null) return null;
  return Number(BigInt.asIntN(32, BigInt(long)));
}

export function toReal(value: Value, from: KType): number | null {
  if (value === null) return null;
  if (from === 'datetime' || from === 'timespan') return Number(value as bigint);
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return null;
    const lower = s.toLowerCase();
    if (lower === 'nan') return Number.NaN;
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity')
      return Number.POSITIVE_INFINITY;
    if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
    return Number(s);
  }
  return null;
}

export function toDatetime(value: Value, from: KType): bigint | null {
  if (value === null) return null;
  if (from === 'datetime' && typeof value === 'bigint') return value;
  if (typeof value === 'string') return parseDatetime(value);
  if (from === 'long' || from === 'int' || typeof value === 'bigint') return BigInt(value as bigint);
  return null;
}

export function toTimespan(value: Value, from: KType): bigint | null {
  if (value === null) return null;
  if (from === 'timespan' && typeof value === 'bigint') return value;
  if (typeof value === 'string') return parseTimespan(value);
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : null;
  return null;
}

/** A guid from text: 32 hex digits, with or without braces and dashes. */
export function toGuid(value: Value): string | null {
  if (typeof value !== 'string') return null;
  const hex = value
    .trim()
    .replace(/^\{|\}$/g, '')
    .replace(/-/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `todynamic`/`parse_json`: strings holding JSON are parsed; other strings stay strings. */
export function toDynamicValue(value: Value, from: KType): Dynamic {
  if (from === 'string' && typeof value === 'string') {
    const parsed = parseJsonText(value);
    return parsed === undefined ? value : parsed;
  }
  return toDynamic(value, from);
}

/** Converts a value of type `from` to type `to` (used where a declared type differs). */
export function coerce(value: Value, from: KType, to: KType): Value {
  if (from === to) return value;
  switch (to) {
    case 'string':
      return toText(value, from);
    case 'bool':
      return toBool(value, from);
    case 'long':
      return toLong(value, from);
    case 'int':
      return toInt(value, from);
    case 'real':
    case 'decimal':
      return toReal(value, from);
    case 'datetime':
      return toDatetime(value, from);
    case 'timespan':
      return toTimespan(value, from);
    case 'guid':
      return value === null ? null : toGuid(String(value));
    case 'dynamic':
      return toDynamic(value, from);
  }
}
