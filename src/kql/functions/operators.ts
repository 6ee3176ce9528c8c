/**
 * Kusto's operators: arithmetic over numbers, datetimes and timespans; comparisons; logic; the string
 * operators (`has` matches whole terms, `contains` substrings; `_cs` variants are case-sensitive);
 * `in`, `between`; dynamic member and index access.
 */
import { KqlError } from '../errors.js';
import { translateRegex } from '../regex.js';
import { dynamicText, toText } from '../text.js';
import {
  type Dynamic,
  isNumericType,
  isPlainObject,
  jsonText,
  type KType,
  normLong,
  type Value,
} from '../values.js';
import { toDatetime, toReal, toTimespan } from './coerce.js';
import { type FunctionContext, registerScalar, type ScalarImpl } from './registry.js';

type Num = number | bigint;

function isIntegral(type: KType): boolean {
  return type === 'long' || type === 'int';
}

function longOp(
  a: Num,
  b: Num,
  op: (x: bigint, y: bigint) => bigint,
  fast: (x: number, y: number) => number,
): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = fast(a, b);
    if (Number.isSafeInteger(r)) return r;
  }
  return normLong(op(BigInt(a), BigInt(b)));
}

function intWrap(value: Num): number {
  return Number(BigInt.asIntN(32, BigInt(value)));
}

type Arith = 'add' | 'sub' | 'mul' | 'div' | 'mod';

function arithmetic(kind: Arith): (context: FunctionContext) => ScalarImpl {
  return ({ argTypes: [ta, tb], resultType }) => {
    const temporal = (t: KType) => t === 'datetime' || t === 'timespan';
    if (temporal(ta) || temporal(tb)) return temporalArithmetic(kind, ta, tb, resultType);
    if (
      ta === 'dynamic' ||
      tb === 'dynamic' ||
      resultType === 'real' ||
      resultType === 'decimal' ||
      !isIntegral(ta) ||
      !isIntegral(tb)
    ) {
      const real = realArithmetic(kind);
      return (a, b) => {
        const x = toReal(a, ta === 'dynamic' ? kindOfDynamic(a) : ta);
        const y = toReal(b, tb === 'dynamic' ? kindOfDynamic(b) : tb);
        if (x === null || y === null) return null;
        const r = real(x, y);
        if (resultType === 'long' && (ta === 'dynamic' || tb === 'dynamic') && Number.isInteger(r)) return r;
        return r;
      };
    }
    const integer = integerArithmetic(kind);
    if (resultType === 'int') {
      return (a, b) => {
        if (a === null || b === null) return null;
        const r = integer(a as Num, b as Num);
        return r === null ? null : intWrap(r);
      };
    }
    return (a, b) => (a === null || b === null ? null : integer(a as Num, b as Num));
  };
}

function kindOfDynamic(value: Value): KType {
  return typeof value === 'string' ? 'string' : typeof value === 'bigint' ? 'long' : 'real';
}

function realArithmetic(kind: Arith): (x: number, y: number) => number {
  switch (kind) {
    case 'add':
      return (x, y) => x + y;
    case 'sub':
      return (x, y) => x - y;
    case 'mul':
      return (x, y) => x * y;
    case 'div':
      return (x, y) => x / y;
    case 'mod':
      return (x, y) => euclideanRemainder(x % y, y);
  }
}

/** Kusto's % is never negative: -14 % 12 and -14 % -12 are both 10. */
function euclideanRemainder(remainder: number, divisor: number): number;
function euclideanRemainder(remainder: bigint, divisor: bigint): bigint;
function euclideanRemainder(remainder: number | bigint, divisor: number | bigint): number | bigint {
  if (remainder >= 0) return remainder;
  if (typeof remainder === 'bigint')
    return remainder + (divisor < 0n ? -(divisor as bigint) : (divisor as bigint));
  return remainder + Math.abs(divisor as number);
}

function integerArithmetic(kind: Arith): (a: Num, b: Num) => Num | null {
  switch (kind) {
    case 'add':
      return (a, b) =>
        longOp(
          a,
          b,
          (x, y) => x + y,
          (x, y) => x + y,
        );
    case 'sub':
      return (a, b) =>
        longOp(
          a,
          b,
          (x, y) => x - y,
          (x, y) => x - y,
        );
    case 'mul':
      return (a, b) =>
        longOp(
          a,
          b,
          (x, y) => x * y,
          (x, y) => x * y,
        );
    case 'div':
      return (a, b) => {
        if (b === 0 || b === 0n) return null;
        return longOp(
          a,
          b,
          (x, y) => x / y,
          (x, y) => Math.trunc(x / y),
        );
      };
    case 'mod':
      return (a, b) => {
        if (b === 0 || b === 0n) return null;
        return longOp(
          a,
          b,
          (x, y) => euclideanRemainder(x % y, y),
          (x, y) => euclideanRemainder(x % y, y),
        );
      };
  }
}

function toTicks(value: Value): bigint | null {
  if (value === null) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.round(value)) : null;
  return null;
}

function temporalArithmetic(kind: Arith, ta: KType, tb: KType, resultType: KType): ScalarImpl {
  const numeric = (t: KType) => isNumericType(t);
  if (kind === 'mul') {
    // timespan × number (either order)
    return (a, b) => {
      if (a === null || b === null) return null;
      const [span, factor] = numeric(ta) ? [b as bigint, a] : [a as bigint, b];
      if (typeof factor === 'bigint') return span * factor;
      const f = factor as number;
      return Number.isInteger(f) ? span * BigInt(f) : BigInt(Math.round(Number(span) * f));
    };
  }
  if (kind === 'div') {
    if (tb === 'timespan') {
      return (a, b) => {
        if (a === null || b === null) return null;
        return Number(a as bigint) / Number(b as bigint);
      };
    }
    return (a, b) => {
      if (a === null || b === null) return null;
      const d = typeof b === 'bigint' ? Number(b) : (b as number);
      if (d === 0) return null;
      return BigInt(Math.round(Number(a as bigint) / d));
    };
  }
  if (kind === 'mod') {
    return (a, b) => {
      const x = toTicks(a);
      const y = toTicks(b);
      if (x === null || y === null || y === 0n) return null;
      return x % y;
    };
  }
  const sign = kind === 'add' ? 1n : -1n;
  void resultType;
  return (a, b) => {
    const x = toTicks(ta === 'datetime' || ta === 'timespan' ? a : toDatetime(a, ta));
    const y = toTicks(tb === 'datetime' || tb === 'timespan' ? b : toDatetime(b, tb));
    if (x === null || y === null) return null;
    return x + sign * y;
  };
}

registerScalar('$Add', arithmetic('add'));
registerScalar('$Subtract', arithmetic('sub'));
registerScalar('$Multiply', arithmetic('mul'));
registerScalar('$Divide', arithmetic('div'));
registerScalar('$Modulo', arithmetic('mod'));
registerScalar('$Negate', ({ argTypes: [t] }) => (a) => {
  if (a === null) return null;
  if (typeof a === 'bigint') return t === 'long' || t === 'int' ? normLong(-a) : -a;
  if (typeof a === 'number') return -a;
  return null;
});

// ---- comparison ----

/** A comparable form: numbers (and bigints) for numeric and temporal types, text otherwise. */
function comparable(value: Value, type: KType): Value {
  if (type !== 'dynamic') return value;
  if (value === null) return null;
  if (typeof value === 'object') return jsonText(value);
  return value;
}

function compare(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (typeof a === 'number' && Number.isNaN(a)) return null;
    if (typeof b === 'number' && Number.isNaN(b)) return null;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  const x = typeof a === 'string' ? a : dynamicText(a);
  const y = typeof b === 'string' ? b : dynamicText(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function temporalOf(value: Value, type: KType): Value {
  if (typeof value !== 'string') return value;
  return type === 'datetime' ? toDatetime(value, 'string') : toTimespan(value, 'string');
}

function normaliseOperands(ta: KType, tb: KType): (a: Value, b: Value) => [Value, Value] {
  // datetime vs string literal: compare as datetimes; dynamic vs typed: bring dynamic to the other type.
  if (ta === 'datetime' && tb === 'string') return (a, b) => [a, toDatetime(b, 'string')];
  if (tb === 'datetime' && ta === 'string') return (a, b) => [toDatetime(a, 'string'), b];
  if (ta === 'dynamic' && tb === 'string')
    return (a, b) => [a === null ? null : dynamicText(a as Dynamic), b];
  if (tb === 'dynamic' && ta === 'string')
    return (a, b) => [a, b === null ? null : dynamicText(b as Dynamic)];
  // Datetimes and timespans inside dynamic values are text: read them back to ticks.
  if (ta === 'dynamic' && (tb === 'datetime' || tb === 'timespan')) return (a, b) => [temporalOf(a, tb), b];
  if (tb === 'dynamic' && (ta === 'datetime' || ta === 'timespan')) return (a, b) => [a, temporalOf(b, ta)];
  if (ta === 'dynamic' || tb === 'dynamic') return (a, b) => [comparable(a, ta), comparable(b, tb)];
  return (a, b) => [a, b];
}

function comparison(test: (c: number) => boolean): (context: FunctionContext) => ScalarImpl {
  return ({ argTypes: [ta, tb] }) => {
    const normalise = normaliseOperands(ta, tb);
    if (ta === 'string' && tb === 'string') {
      return (a, b) => test((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
    }
    if (ta === tb && (ta === 'datetime' || ta === 'timespan' || ta === 'long' || ta === 'int')) {
      // Same-typed numbers (bigint ticks, or long as number|bigint): no normalising, no NaN.
      return (a, b) => (a === null || b === null ? null : test(a < b ? -1 : a > b ? 1 : 0));
    }
    return (a, b) => {
      const [x, y] = normalise(a, b);
      const c = compare(x, y);
      return c === null ? null : test(c);
    };
  };
}

function equality(negate: boolean): (context: FunctionContext) => ScalarImpl {
  return ({ argTypes: [ta, tb] }) => {
    const normalise = normaliseOperands(ta, tb);
    if (ta === 'string' && tb === 'string') return (a, b) => (a === b) !== negate;
    // A value never equals null (5 == null is false, 5 != null is true); null against null is null.
    return (a, b) => {
      const [x, y] = normalise(a, b);
      if (x === null || y === null) return x === null && y === null ? null : negate;
      const c = compare(x, y);
      return c === null ? null : (c === 0) !== negate;
    };
  };
}

registerScalar('$Equal', equality(false));
registerScalar('$NotEqual', equality(true));
registerScalar(
  '$LessThan',
  comparison((c) => c < 0),
);
registerScalar(
  '$LessThanOrEqual',
  comparison((c) => c <= 0),
);
registerScalar(
  '$GreaterThan',
  comparison((c) => c > 0),
);
registerScalar(
  '$GreaterThanOrEqual',
  comparison((c) => c >= 0),
);

registerScalar('$And', () => (a, b) => {
  if (a === false || b === false) return false;
  if (a === null || b === null) return null;
  return true;
});
registerScalar('$Or', () => (a, b) => {
  if (a === true || b === true) return true;
  if (a === null || b === null) return null;
  return false;
});

// ---- string operators ----

/** The text an operand contributes to a string operator. */
export function textOperand(type: KType): (value: Value) => string {
  if (type === 'string') return (v) => v as string;
  if (type === 'dynamic') return (v) => (v === null ? '' : dynamicText(v as Dynamic));
  return (v) => toText(v, type);
}

function isTermChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127
  );
}

/** Whether `needle` occurs in `haystack` on term boundaries (`prefix`/`suffix` relax one side). */
export function hasTerm(haystack: string, needle: string, mode: 'whole' | 'prefix' | 'suffix'): boolean {
  if (needle === '') return true;
  const startsWithTerm = isTermChar(needle.charCodeAt(0));
  const endsWithTerm = isTermChar(needle.charCodeAt(needle.length - 1));
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    const end = at + needle.length;
    const startOk =
      mode === 'suffix' || !startsWithTerm || at === 0 || !isTermChar(haystack.charCodeAt(at - 1));
    const endOk =
      mode === 'prefix' || !endsWithTerm || end === haystack.length || !isTermChar(haystack.charCodeAt(end));
    if (startOk && endOk) return true;
    from = at + 1;
  }
}

function stringOperator(
  test: (haystack: string, needle: string) => boolean,
  caseSensitive: boolean,
  negate: boolean,
): (context: FunctionContext) => ScalarImpl {
  return ({ argTypes: [ta, tb] }) => {
    const left = textOperand(ta);
    const right = textOperand(tb);
    if (caseSensitive) return (a, b) => test(left(a), right(b)) !== negate;
    return (a, b) => test(left(a).toLowerCase(), right(b).toLowerCase()) !== negate;
  };
}

const stringOperators: [string, (h: string, n: string) => boolean][] = [
  ['Has', (h, n) => hasTerm(h, n, 'whole')],
  ['HasPrefix', (h, n) => hasTerm(h, n, 'prefix')],
  ['HasSuffix', (h, n) => hasTerm(h, n, 'suffix')],
  ['Contains', (h, n) => h.includes(n)],
  ['StartsWith', (h, n) => h.startsWith(n)],
  ['EndsWith', (h, n) => h.endsWith(n)],
];
for (const [name, test] of stringOperators) {
  registerScalar(`$${name}`, stringOperator(test, false, false));
  registerScalar(`$${name}Cs`, stringOperator(test, true, false));
  registerScalar(`$Not${name}`, stringOperator(test, false, true));
  registerScalar(`$Not${name}Cs`, stringOperator(test, true, true));
}
registerScalar(
  '$EqualTilde',
  stringOperator((h, n) => h === n, false, false),
);
registerScalar(
  '$BangTilde',
  stringOperator((h, n) => h === n, false, true),
);

function likePattern(pattern: string, caseSensitive: boolean): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, caseSensitive ? 's' : 'is');
}
for (const [name, cs, negate] of [
  ['$Like', false, false],
  ['$LikeCs', true, false],
  ['$NotLike', false, true],
  ['$NotLikeCs', true, true],
] as const) {
  registerScalar(name, ({ argTypes: [ta, tb] }) => {
    const left = textOperand(ta);
    const right = textOperand(tb);
    return (a, b) => likePattern(right(b), cs).test(left(a)) !== negate;
  });
}

registerScalar('$MatchesRegex', ({ argTypes: [ta, tb], isConstant, constants }) => {
  const left = textOperand(ta);
  const right = textOperand(tb);
  const fixed = isConstant[1] ? compileRegex(right(constants[1])) : undefined;
  return (a, b) => (fixed ?? compileRegex(right(b))).test(left(a));
});

/** Kusto regexes are RE2; the common subset runs as JS regexes (with `(?i)` style flags lifted). */
export function compileRegex(pattern: string, extraFlags = ''): RegExp {
  const { source, flags: inline } = translateRegex(pattern);
  let flags = extraFlags;
  for (const f of inline) if (!flags.includes(f)) flags += f;
  try {
    return new RegExp(source, flags.includes('u') ? flags : `${flags}u`);
  } catch {
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch (error) {
      throw new KqlError(
        `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
      );
    }
  }
}

// ---- in, has_any, has_all, between ----

function flattenList(values: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

function membership(caseSensitive: boolean, negate: boolean): (context: FunctionContext) => ScalarImpl {
  return ({ argTypes, isConstant, constants }) => {
    const [ta] = argTypes;
    const stringy = ta === 'string' || ta === 'dynamic' || ta === 'guid';
    const temporal = ta === 'datetime' || ta === 'timespan';
    const key = (v: Value): string | null => {
      if (v === null) return null;
      if (temporal) {
        const ticks = typeof v === 'string' ? temporalOf(v, ta) : v;
        return ticks === null ? null : `n${ticks}`;
      }
      if (stringy || typeof v === 'string') {
        const text = typeof v === 'string' ? v : dynamicText(v as Dynamic);
        return `s${caseSensitive ? text : text.toLowerCase()}`;
      }
      if (typeof v === 'number' || typeof v === 'bigint') return `n${v}`;
      if (typeof v === 'boolean') return `b${v}`;
      return `j${jsonText(v)}`;
    };
    const listKeys = (values: Value[]) => new Set(flattenList(values).map(key));
    const allConstant = isConstant.slice(1).every(Boolean);
    const fixed = allConstant ? listKeys(constants.slice(1)) : undefined;
    return (a, ...rest) => {
      const set = fixed ?? listKeys(rest);
      const k = key(a);
      if (k === null) return negate;
      return set.has(k) !== negate;
    };
  };
}

registerScalar('$In', membership(true, false));
registerScalar('$NotIn', membership(true, true));
registerScalar('$InCs', membership(false, false));
registerScalar('$NotInCs', membership(false, true));

function termList(values: Value[]): string[] {
  return flattenList(values).map((v) =>
    (v === null ? '' : typeof v === 'string' ? v : dynamicText(v as Dynamic)).toLowerCase(),
  );
}

registerScalar('$HasAny', ({ argTypes: [ta] }) => {
  const text = textOperand(ta);
  return (a, ...rest) => {
    const haystack = text(a).toLowerCase();
    return termList(rest).some((t) => hasTerm(haystack, t, 'whole'));
  };
});
registerScalar('$HasAll', ({ argTypes: [ta] }) => {
  const text = textOperand(ta);
  return (a, ...rest) => {
    const haystack = text(a).toLowerCase();
    return termList(rest).every((t) => hasTerm(haystack, t, 'whole'));
  };
});

function between(negate: boolean): (context: FunctionContext) => ScalarImpl {
  return ({ argTypes: [ta, tf, tt] }) => {
    const spanTo = ta === 'datetime' && tt === 'timespan';
    return (value, from, to) => {
      if (value === null || from === null || to === null) return null;
      let upper: Value = to;
      if (spanTo) upper = (from as bigint) + (to as bigint);
      const [x, lo] = normaliseOperands(ta, tf)(value, from);
      const low = compare(x, lo);
      const high = compare(x, upper);
      if (low === null || high === null) return null;
      return (low >= 0 && high <= 0) !== negate;
    };
  };
}
registerScalar('$Between', between(false));
registerScalar('$NotBetween', between(true));

// ---- dynamic access ----

export function member(target: Value, key: Value): Value {
  if (target === null || key === null) return null;
  if (Array.isArray(target)) {
    if (typeof key === 'number' || typeof key === 'bigint') return index(target, key);
    return null;
  }
  if (isPlainObject(target)) {
    const value = target[String(key)];
    return value === undefined ? null : value;
  }
  return null;
}

function index(target: Dynamic[], key: Num): Value {
  let i = Number(key);
  if (i < 0) i += target.length;
  const value = target[i];
  return value === undefined ? null : value;
}

registerScalar('$member', ({ argTypes: [ta] }) => {
  if (ta === 'string') {
    return (target, key) => {
      if (typeof target !== 'string' || target === '') return null;
      try {
        return member(JSON.parse(target) as Dynamic, key);
      } catch {
        return null;
      }
    };
  }
  return member;
});
registerScalar('$index', () => member);
