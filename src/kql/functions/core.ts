/**
 * Conversions, conditionals, null tests and the clock: the functions nearly every query uses.
 */
import { KqlError } from '../errors.js';
import { toText } from '../text.js';
import {
  dynamicScalarType,
  type KType,
  MIN_DATETIME_TICKS,
  normLong,
  TICKS_PER_DAY,
  type Value,
} from '../values.js';
import { toBool, toDatetime, toDynamicValue, toGuid, toInt, toLong, toReal, toTimespan } from './coerce.js';
import { registerScalar } from './registry.js';

registerScalar(
  'tostring',
  ({ argTypes: [t] }) =>
    (v) =>
      toText(v, t),
);
registerScalar(
  ['tolong', 'toint64'],
  ({ argTypes: [t] }) =>
    (v) =>
      toLong(v, t === 'dynamic' ? dynamicKind(v) : t),
);
registerScalar(
  ['toint', 'toint32'],
  ({ argTypes: [t] }) =>
    (v) =>
      toInt(v, t === 'dynamic' ? dynamicKind(v) : t),
);
registerScalar(
  ['toreal', 'todouble', 'todecimal'],
  ({ argTypes: [t] }) =>
    (v) =>
      toReal(v, t === 'dynamic' ? dynamicKind(v) : t),
);
registerScalar(
  ['tobool', 'toboolean'],
  ({ argTypes: [t] }) =>
    (v) =>
      toBool(v, t),
);
registerScalar(
  ['todatetime', 'todate'],
  ({ argTypes: [t] }) =>
    (v) =>
      toDatetime(v, t === 'dynamic' ? dynamicKind(v) : t),
);
registerScalar(
  ['totimespan', 'totime'],
  ({ argTypes: [t] }) =>
    (v) =>
      toTimespan(v, t === 'dynamic' ? dynamicKind(v) : t),
);
registerScalar('toguid', () => (v) => (typeof v === 'string' ? toGuid(v) : null));
/**
 * parse_json over a column parses each distinct string once: provisioning JSON columns repeat the same
 * identities and systems on many rows. Results are shared, so functions must never mutate dynamic inputs.
 */
registerScalar(['todynamic', 'toobject', 'parse_json'], ({ argTypes: [t] }) => {
  if (t !== 'string') return (v) => toDynamicValue(v, t);
  const memo = new Map<string, Value>();
  return (v) => {
    const text = v as string;
    let parsed = memo.get(text);
    if (parsed === undefined) {
      parsed = toDynamicValue(text, 'string');
      if (memo.size >= 200_000) memo.clear();
      memo.set(text, parsed);
    }
    return parsed;
  };
});

const dynamicKind = dynamicScalarType;

registerScalar(['iff', 'iif'], ({ argTypes, resultType }) => {
  const [, tb, tc] = argTypes;
  return (condition, a, b) =>
    condition === true ? convertTo(a, tb, resultType) : convertTo(b, tc, resultType);
});

registerScalar('case', ({ argTypes, resultType }) => (...args) => {
  for (let i = 0; i + 1 < args.length; i += 2) {
    if (args[i] === true) return convertTo(args[i + 1], argTypes[i + 1], resultType);
  }
  return convertTo(args[args.length - 1], argTypes[args.length - 1], resultType);
});

function convertTo(value: Value, from: KType, to: KType): Value {
  if (from === to) return value;
  if (to === 'real' && (typeof value === 'bigint' || typeof value === 'number')) return Number(value);
  if (to === 'long' && typeof value === 'number' && Number.isInteger(value)) return value;
  if (to === 'string') return toText(value, from);
  return value;
}

registerScalar('coalesce', ({ argTypes }) => (...args) => {
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (v !== null && !(argTypes[i] === 'string' && v === '')) return v;
  }
  return argTypes[0] === 'string' ? '' : null;
});

registerScalar(
  'isnull',
  ({ argTypes: [t] }) =>
    (v) =>
      t === 'string' ? false : v === null,
);
registerScalar(
  'isnotnull',
  ({ argTypes: [t] }) =>
    (v) =>
      t === 'string' ? true : v !== null,
);
registerScalar('isempty', () => (v) => v === null || v === '');
registerScalar('isnotempty', () => (v) => !(v === null || v === ''));
registerScalar('isnan', () => (v) => typeof v === 'number' && Number.isNaN(v));
registerScalar('isinf', () => (v) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY);
registerScalar('isfinite', () => (v) => (typeof v === 'number' ? Number.isFinite(v) : v !== null));

registerScalar(
  'now',
  ({ now }) =>
    (offset) =>
      now + (typeof offset === 'bigint' ? offset : 0n),
);
registerScalar(
  'ago',
  ({ now }) =>
    (span) =>
      span === null ? null : now - (span as bigint),
);

/** bin(): rounds down to a multiple of the bin size (numbers, datetimes, timespans). */
function binImpl(from: KType, sizeType: KType): (value: Value, size: Value) => Value {
  if (from === 'datetime' || from === 'timespan') {
    // Kusto aligns datetime bins to 0001-01-01 (.NET tick 0), so bin(t, 7d) starts weeks on Mondays.
    const origin = from === 'datetime' ? MIN_DATETIME_TICKS : 0n;
    return (value, size) => {
      if (value === null || size === null) return null;
      const s = typeof size === 'bigint' ? size : BigInt(Math.trunc(size as number));
      if (s <= 0n) return null;
      const v = (value as bigint) - origin;
      let q = v / s;
      if (v % s !== 0n && v < 0n) q -= 1n;
      return q * s + origin;
    };
  }
  if (from === 'long' || from === 'int') {
    return (value, size) => {
      if (value === null || size === null) return null;
      const s = typeof size === 'bigint' ? Number(size) : (size as number);
      if (s <= 0) return null;
      if (sizeType === 'real' && !Number.isInteger(s)) return Math.floor(Number(value) / s) * s;
      const v = BigInt(value as number | bigint);
      const bs = BigInt(Math.trunc(s));
      let q = v / bs;
      if (v % bs !== 0n && v < 0n) q -= 1n;
      return normLong(q * bs);
    };
  }
  return (value, size) => {
    if (value === null || size === null) return null;
    const s = Number(size);
    if (!(s > 0)) return null;
    return Math.floor(Number(value) / s) * s;
  };
}

registerScalar(['bin', 'floor'], ({ argTypes: [t, ts], isConstant, constants }) => {
  const bin = binImpl(t, ts);
  const size = constants[1];
  if ((t !== 'datetime' && t !== 'timespan') || !isConstant[1] || typeof size !== 'bigint' || size <= 0n)
    return bin;
  // Rows come mostly in time order: reuse the last bin while the value stays inside it.
  let start = 0n;
  let end = 0n;
  return (value) => {
    if (typeof value !== 'bigint') return null;
    if (value >= start && value < end) return start;
    start = bin(value, size) as bigint;
    end = start + size;
    return start;
  };
});
registerScalar('bin_at', ({ argTypes: [t, ts] }) => {
  // The value is binned relative to `at`, so a datetime is binned as the timespan since `at`.
  const bin = binImpl(t === 'datetime' ? 'timespan' : t, ts);
  return (value, size, at) => {
    if (value === null || size === null || at === null) return null;
    if (typeof value === 'bigint') {
      const shifted = bin(value - (at as bigint), size);
      return shifted === null ? null : (shifted as bigint) + (at as bigint);
    }
    const shifted = bin(Number(value) - Number(at), size);
    return shifted === null ? null : Number(shifted) + Number(at);
  };
});

registerScalar('startofday', () => (v, offset) => {
  if (v === null) return null;
  const t = v as bigint;
  let q = t / TICKS_PER_DAY;
  if (t % TICKS_PER_DAY !== 0n && t < 0n) q -= 1n;
  return (q + BigInt(Number(offset ?? 0))) * TICKS_PER_DAY;
});

registerScalar('gettype', ({ argTypes: [t] }) => (v) => {
  if (t !== 'dynamic') return t;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const type = dynamicScalarType(v);
  return type === 'dynamic' ? 'dictionary' : type;
});

registerScalar(
  'strcat',
  ({ argTypes }) =>
    (...args) =>
      args.map((a, i) => toText(a, argTypes[i])).join(''),
);

registerScalar('assert', () => (condition, message) => {
  if (condition !== true) throw new KqlError(`assertion failed: ${String(message)}`);
  return true;
});
