/**
 * Math, trigonometry, bitwise and min/max-of scalar functions. Reals follow IEEE-754 (NaN and ±∞
 * flow through); longs stay exact as bigints beyond 2^53 and wrap to 64 bits like .NET.
 */
import { compareValues } from '../compare.js';
import { KqlError } from '../errors.js';
import { type KType, longToBigInt, normLong, type Value } from '../values.js';
import { coerce } from './coerce.js';
import { registerScalar } from './registry.js';

type RealFn = (x: number) => number;

function toNumber(value: Value): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

/** Registers a function of one real argument with a real result (null in, null out). */
function registerReal(names: string | string[], fn: RealFn): void {
  registerScalar(names, () => (x) => {
    const n = toNumber(x);
    return n === null ? null : fn(n);
  });
}

function registerReal2(names: string | string[], fn: (x: number, y: number) => number): void {
  registerScalar(names, () => (x, y) => {
    const a = toNumber(x);
    const b = toNumber(y);
    return a === null || b === null ? null : fn(a, b);
  });
}

const isIntegerType = (type: KType): boolean => type === 'int' || type === 'long';

registerReal('sqrt', Math.sqrt);
registerReal('exp', Math.exp);
registerReal('exp2', (x) => 2 ** x);
registerReal('exp10', (x) => 10 ** x);
registerReal('log', Math.log);
registerReal('log2', Math.log2);
registerReal('log10', Math.log10);
registerReal('sin', Math.sin);
registerReal('cos', Math.cos);
registerReal('tan', Math.tan);
registerReal('asin', Math.asin);
registerReal('acos', Math.acos);
registerReal('atan', Math.atan);
registerReal('cot', (x) => 1 / Math.tan(x));
registerReal('degrees', (x) => (x * 180) / Math.PI);
registerReal('radians', (x) => (x * Math.PI) / 180);
// Math.sign keeps -0; Kusto prints sign(-0.0) as 0.
registerReal('sign', (x) => (x === 0 ? 0 : Math.sign(x)));
registerReal('gamma', gamma);
registerReal('loggamma', logGamma);
registerReal('erf', erf);
registerReal('erfc', erfc);
registerReal2('atan2', Math.atan2);
registerReal2('pow', power);
registerScalar('pi', () => () => Math.PI);

/** .NET Math.Pow follows IEEE-754 pow, which differs from JS `**` for a base of ±1. */
function power(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

registerScalar('abs', ({ argTypes: [type] }) => {
  if (type === 'timespan') return (v) => (v === null ? null : (v as bigint) < 0n ? -(v as bigint) : v);
  if (isIntegerType(type)) {
    return (v) => {
      if (v === null) return null;
      const big = longToBigInt(v as number | bigint);
      return normLong(big < 0n ? -big : big);
    };
  }
  return (v) => (v === null ? null : Math.abs(v as number));
});

registerScalar('ceiling', ({ argTypes: [type] }) =>
  isIntegerType(type) ? (v) => v : (v) => (v === null ? null : Math.ceil(v as number)),
);

registerScalar('round', ({ argTypes: [type] }) => {
  if (isIntegerType(type)) {
    return (v, precision) => {
      if (v === null || precision === null) return null;
      const digits = precision === undefined ? 0 : Number(precision);
      return digits >= 0 ? v : roundLong(longToBigInt(v as number | bigint), -digits);
    };
  }
  return (v, precision) => {
    if (v === null || precision === null) return null;
    return roundReal(v as number, precision === undefined ? 0 : Number(precision));
  };
});

/** Half away from zero at `digits` decimals (negative digits round left of the point). */
function roundReal(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  // Math.round rounds halves up, so on the magnitude it rounds them away from zero.
  const halfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));
  if (digits >= 0) {
    const scale = 10 ** digits;
    const scaled = value * scale;
    if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 52) return value;
    return zeroless(halfAway(scaled) / scale);
  }
  const scale = 10 ** -digits;
  return zeroless(halfAway(value / scale) * scale);
}

const zeroless = (x: number): number => (x === 0 ? 0 : x);

function roundLong(value: bigint, zeros: number): number | bigint {
  const scale = 10n ** BigInt(zeros);
  const magnitude = value < 0n ? -value : value;
  let q = magnitude / scale;
  if ((magnitude % scale) * 2n >= scale) q += 1n;
  return normLong((value < 0n ? -q : q) * scale);
}

// ---- Bitwise: 64-bit two's complement ----

function bits(value: Value): bigint | null {
  if (value === null) return null;
  return BigInt.asIntN(64, longToBigInt(value as number | bigint));
}

function registerBitwise(name: string, op: (a: bigint, b: bigint) => bigint): void {
  registerScalar(name, () => (x, y) => {
    const a = bits(x);
    const b = bits(y);
    return a === null || b === null ? null : normLong(op(a, b));
  });
}

registerBitwise('binary_and', (a, b) => a & b);
registerBitwise('binary_or', (a, b) => a | b);
registerBitwise('binary_xor', (a, b) => a ^ b);
// .NET masks a long shift count to its low 6 bits.
registerBitwise('binary_shift_left', (a, n) => a << (n & 63n));
registerBitwise('binary_shift_right', (a, n) => a >> (n & 63n));
registerScalar('binary_not', () => (x) => {
  const a = bits(x);
  return a === null ? null : normLong(~a);
});
registerScalar('bitset_count_ones', () => (x) => {
  const a = bits(x);
  if (a === null) return null;
  let rest = BigInt.asUintN(64, a);
  let count = 0;
  while (rest !== 0n) {
    count += Number(rest & 1n);
    rest >>= 1n;
  }
  return count;
});

registerScalar('not', () => (x) => (x === null ? null : !x));

registerScalar(
  'rand',
  () => (range) => {
    if (range === null || range === undefined) return Math.random();
    const n = toNumber(range);
    return n === null ? null : Math.floor(Math.random() * n);
  },
  { deterministic: false },
);

// ---- max_of / min_of: arguments converted to the common type, nulls skipped ----

function registerExtremum(name: string, sign: 1 | -1): void {
  registerScalar(name, ({ argTypes, resultType }) => {
    if (resultType === 'dynamic')
      throw new KqlError(`not supported: ${name}() of dynamic values`, 'NotSupported');
    return (...args) => {
      let best: Value = null;
      for (let i = 0; i < args.length; i++) {
        const value = coerce(args[i], argTypes[i], resultType);
        if (value === null) continue;
        if (best === null || sign * compareValues(value, best) > 0) best = value;
      }
      return best === null && resultType === 'string' ? '' : best;
    };
  });
}

registerExtremum('max_of', 1);
registerExtremum('min_of', -1);

// ---- Gamma and error functions ----

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function lanczosSum(z: number): number {
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  return sum;
}

/** Γ(x): exact products for small positive integers, Lanczos elsewhere, reflection below ½. */
function gamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (Number.isInteger(x)) {
    if (x <= 0) return Number.NaN;
    if (x <= 171) return factorial(x - 1);
    return Number.POSITIVE_INFINITY;
  }
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const z = x - 1;
  const t = z + LANCZOS_G + 0.5;
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * lanczosSum(z);
}

function logGamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (Number.isInteger(x)) {
    if (x <= 0) return Number.POSITIVE_INFINITY;
    if (x <= 171) return Math.log(factorial(x - 1));
  }
  if (x < 0.5) return Math.log(Math.abs(Math.PI / Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(lanczosSum(z));
}

function factorial(n: number): number {
  let product = 1;
  for (let i = 2; i <= n; i++) product *= i;
  return product;
}

/** erf by its Maclaurin series near 0; erfc by its continued fraction from ½ outwards. */
const SERIES_LIMIT = 0.5;

function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) >= SERIES_LIMIT) return Math.sign(x) * (1 - erfcTail(Math.abs(x)));
  return erfSeries(x);
}

function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x >= SERIES_LIMIT) return erfcTail(x);
  if (x <= -SERIES_LIMIT) return 2 - erfcTail(-x);
  return 1 - erfSeries(x);
}

function erfSeries(x: number): number {
  // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, no cancellation.
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > Math.abs(sum) * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

function erfcTail(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 0;
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
  let fraction = x;
  for (let k = 1000; k >= 1; k--) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}

// ---- Beta distribution ----

const MAX_SHAPE = 10_000;

function badShape(a: number, b: number): boolean {
  return !(a > 0 && a <= MAX_SHAPE && b > 0 && b <= MAX_SHAPE);
}

const logBeta = (a: number, b: number): number => logGamma(a) + logGamma(b) - logGamma(a + b);

function registerBeta(name: string, fn: (x: number, a: number, b: number) => number | null): void {
  registerScalar(name, () => (x, a, b) => {
    const nx = toNumber(x);
    const na = toNumber(a);
    const nb = toNumber(b);
    return nx === null || na === null || nb === null ? null : fn(nx, na, nb);
  });
}

registerBeta('beta_cdf', (x, a, b) => {
  if (!(x >= 0 && x <= 1) || badShape(a, b)) return Number.NaN;
  return regularizedBeta(x, a, b);
});

registerBeta('beta_pdf', (x, a, b) => {
  if (!(x >= 0 && x <= 1) || badShape(a, b)) return Number.NaN;
  if (x === 0 || x === 1) return (x ** (a - 1) * (1 - x) ** (b - 1)) / Math.exp(logBeta(a, b));
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
});

// The documented example shows the reverse of the page's notes: a probability outside (0, 1] gives
// null and a bad shape gives NaN. The example is what the service returns.
registerBeta('beta_inv', (p, a, b) => {
  if (!(p > 0 && p <= 1)) return null;
  if (badShape(a, b)) return Number.NaN;
  return inverseBeta(p, a, b);
});

/** I_x(a, b) by the continued fraction of the incomplete beta function (modified Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x === 0 || x === 1) return x;
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b)) / a;
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let f = d;
  for (let m = 1; m <= 1000; m++) {
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-16) break;
  }
  return front * f;
}

/** The x with I_x(a, b) = p, by bisection (the CDF is monotonic on [0, 1]). */
function inverseBeta(p: number, a: number, b: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 200 && high - low > Number.EPSILON * high; i++) {
    const mid = (low + high) / 2;
    if (regularizedBeta(mid, a, b) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
