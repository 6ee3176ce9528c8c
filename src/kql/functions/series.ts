/**
 * Series functions: scalar functions over dynamic arrays of numbers (the output of make-series and
 * make_list). Element-wise functions give null for non-numeric or missing elements; reductions
 * follow each function's documented rule for them.
 */
import { KqlError } from '../errors.js';
import type { Dynamic, KType, Value } from '../values.js';
import { type FunctionContext, registerScalar } from './registry.js';

function notSupported(what: string): KqlError {
  return new KqlError(`not supported: ${what}`, 'NotSupported');
}

/** A dynamic element as a number, or null when it is not numeric. */
function numeric(element: Dynamic | undefined): number | null {
  if (typeof element === 'number') return element;
  if (typeof element === 'bigint') return Number(element);
  return null;
}

function asArray(value: Value): Dynamic[] | null {
  return Array.isArray(value) ? value : null;
}

function requireSeriesArgument(context: FunctionContext, index: number): void {
  const type = context.argTypes[index];
  if (type !== undefined && type !== 'dynamic') {
    throw notSupported(`${context.name}() with a ${type} argument (expected a dynamic array)`);
  }
}

/** Elements that are whole numbers as JS numbers (dynamic longs, or reals that happen to be whole). */
function isWhole(value: number): boolean {
  return Number.isInteger(value);
}

// ---------------------------------------------------------------------------------------------
// Element-wise functions

function unary(names: string | string[], op: (x: number) => number | boolean) {
  registerScalar(names, (context) => {
    requireSeriesArgument(context, 0);
    return (series) => {
      const items = asArray(series);
      if (!items) return null;
      return items.map((item) => {
        const x = numeric(item);
        return x === null ? null : op(x);
      });
    };
  });
}

unary('series_abs', Math.abs);
unary('series_acos', Math.acos);
unary('series_asin', Math.asin);
unary('series_atan', Math.atan);
unary('series_ceiling', Math.ceil);
unary('series_cos', Math.cos);
unary('series_exp', Math.exp);
unary('series_floor', Math.floor);
unary('series_log', Math.log);
unary('series_sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN));
unary('series_sin', Math.sin);
unary('series_tan', Math.tan);

function binary(name: string, op: (a: number, b: number) => number | boolean) {
  registerScalar(name, (context) => {
    requireSeriesArgument(context, 0);
    requireSeriesArgument(context, 1);
    return (left, right) => {
      const a = asArray(left);
      const b = asArray(right);
      if (!a || !b) return null;
      const length = Math.max(a.length, b.length);
      const out: Dynamic[] = new Array(length);
      for (let i = 0; i < length; i++) {
        const x = numeric(a[i]);
        const y = numeric(b[i]);
        out[i] = x === null || y === null ? null : op(x, y);
      }
      return out;
    };
  });
}

binary('series_add', (a, b) => a + b);
binary('series_subtract', (a, b) => a - b);
binary('series_multiply', (a, b) => a * b);
binary('series_divide', (a, b) => a / b);
binary('series_pow', Math.pow);
binary('series_greater', (a, b) => a > b);
binary('series_greater_equals', (a, b) => a >= b);
binary('series_less', (a, b) => a < b);
binary('series_less_equals', (a, b) => a <= b);
binary('series_equals', (a, b) => a === b);
binary('series_not_equals', (a, b) => a !== b);

// ---------------------------------------------------------------------------------------------
// Reductions

/** The numeric elements of a series, non-numeric ones skipped. */
function numbersOf(items: Dynamic[]): number[] {
  const out: number[] = [];
  for (const item of items) {
    const x = numeric(item);
    if (x !== null) out.push(x);
  }
  return out;
}

function reduction(name: string, reduce: (values: number[]) => number | null) {
  registerScalar(name, (context) => {
    requireSeriesArgument(context, 0);
    return (series) => {
      const items = asArray(series);
      return items ? reduce(numbersOf(items)) : null;
    };
  });
}

reduction('series_sum', (values) => values.reduce((a, b) => a + b, 0));
reduction('series_product', (values) => values.reduce((a, b) => a * b, 1));
reduction('series_magnitude', (values) => Math.sqrt(values.reduce((a, b) => a + b * b, 0)));

/** Pairs of numeric elements over the shorter length; a numeric scalar is broadcast to the other's length. */
function pairsOf(left: Value, right: Value): { xs: number[]; ys: number[] } | null {
  const a = asArray(left);
  const b = asArray(right);
  if (!a && !b) return null;
  const scalarA = numeric(left as Dynamic);
  const scalarB = numeric(right as Dynamic);
  if ((!a && scalarA === null) || (!b && scalarB === null)) return null;
  const length = Math.min(a?.length ?? Number.POSITIVE_INFINITY, b?.length ?? Number.POSITIVE_INFINITY);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < length; i++) {
    const x = a ? numeric(a[i]) : scalarA;
    const y = b ? numeric(b[i]) : scalarB;
    if (x === null || y === null) continue;
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

function dot(xs: number[], ys: number[]): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += xs[i] * ys[i];
  return total;
}

registerScalar('series_dot_product', () => (left, right) => {
  const pairs = pairsOf(left, right);
  if (!pairs || pairs.xs.length === 0) return null;
  return dot(pairs.xs, pairs.ys);
});

registerScalar('series_cosine_similarity', (context) => {
  requireSeriesArgument(context, 0);
  requireSeriesArgument(context, 1);
  return (left, right, magnitude1 = null, magnitude2 = null) => {
    const a = asArray(left);
    const b = asArray(right);
    if (!a || !b) return null;
    const pairs = pairsOf(a, b);
    if (!pairs || pairs.xs.length === 0) return null;
    const m1 = numeric(magnitude1) ?? Math.sqrt(dot(pairs.xs, pairs.xs));
    const m2 = numeric(magnitude2) ?? Math.sqrt(dot(pairs.ys, pairs.ys));
    return dot(pairs.xs, pairs.ys) / (m1 * m2);
  };
});

registerScalar('series_pearson_correlation', (context) => {
  requireSeriesArgument(context, 0);
  requireSeriesArgument(context, 1);
  return (left, right) => {
    const a = asArray(left);
    const b = asArray(right);
    if (!a || !b || a.length !== b.length || a.length === 0) return null;
    const xs = a.map(numeric);
    const ys = b.map(numeric);
    if (xs.includes(null) || ys.includes(null)) return null;
    return pearson(xs as number[], ys as number[]);
  };
});

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function pearson(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Sample variance as (n·Σx² − (Σx)²) / (n·(n−1)), the form Kusto's results match; 0 below two values. */
function sampleVariance(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  return Math.max(n * squares - sum * sum, 0) / (n * (n - 1));
}

interface SeriesStats {
  min: number | null;
  min_idx: number | null;
  max: number | null;
  max_idx: number | null;
  avg: number | null;
  stdev: number | null;
  variance: number | null;
  sum: number | null;
  len: number;
}

function emptyStats(len: number): SeriesStats {
  return {
    min: null,
    min_idx: null,
    max: null,
    max_idx: null,
    avg: null,
    stdev: null,
    variance: null,
    sum: null,
    len,
  };
}

function seriesStats(items: Dynamic[], ignoreNonFinite: boolean): SeriesStats | null {
  const values: number[] = [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let minIndex = -1;
  let maxIndex = -1;
  for (let i = 0; i < items.length; i++) {
    const x = numeric(items[i]);
    if (x === null || !Number.isFinite(x)) {
      if (ignoreNonFinite) continue;
      return null;
    }
    values.push(x);
    if (x < min) {
      min = x;
      minIndex = i;
    }
    if (x > max) {
      max = x;
      maxIndex = i;
    }
  }
  if (values.length === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  const avg = sum / values.length;
  const variance = sampleVariance(values);
  return {
    min,
    min_idx: minIndex,
    max,
    max_idx: maxIndex,
    avg,
    stdev: Math.sqrt(variance),
    variance,
    sum,
    len: values.length,
  };
}

function statsOf(series: Value, ignore: Value): SeriesStats | null {
  const items = asArray(series);
  if (!items) return null;
  return seriesStats(items, ignore === true) ?? emptyStats(items.length);
}

// Tuple functions return their outputs as one array, in the analyser's column order.
registerScalar('series_stats', (context) => {
  requireSeriesArgument(context, 0);
  return (series, ignore = false) => {
    const s = statsOf(series, ignore);
    if (!s) return null;
    return [s.min, s.min_idx, s.max, s.max_idx, s.avg, s.stdev, s.variance];
  };
});

registerScalar('series_stats_dynamic', (context) => {
  requireSeriesArgument(context, 0);
  return (series, ignore = false) => {
    const s = statsOf(series, ignore);
    return s ? { ...s } : null;
  };
});

interface LineFit {
  rsquare: number;
  slope: number;
  variance: number;
  rvariance: number;
  interception: number;
  line_fit: number[];
}

/** Least-squares line over x = 1..n. */
function fitLine(ys: number[]): LineFit {
  const n = ys.length;
  const mx = (n + 1) / 2;
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i + 1 - mx) * (ys[i] - my);
    sxx += (i + 1 - mx) * (i + 1 - mx);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const interception = my - slope * mx;
  const lineFit = ys.map((_, i) => interception + slope * (i + 1));
  const residuals = ys.map((y, i) => y - lineFit[i]);
  const total = ys.reduce((a, y) => a + (y - my) * (y - my), 0);
  const residual = residuals.reduce((a, r) => a + r * r, 0);
  return {
    rsquare: total === 0 ? 1 : 1 - residual / total,
    slope,
    variance: sampleVariance(ys),
    rvariance: sampleVariance(residuals),
    interception,
    line_fit: lineFit,
  };
}

function fitInput(context: FunctionContext, series: Value): number[] | null {
  const items = asArray(series);
  if (!items || items.length === 0) return null;
  const ys = items.map(numeric);
  if (ys.some((y) => y === null || !Number.isFinite(y))) {
    throw notSupported(`${context.name}() over a series with missing or non-finite values`);
  }
  return ys as number[];
}

registerScalar('series_fit_line', (context) => {
  requireSeriesArgument(context, 0);
  return (series) => {
    const ys = fitInput(context, series);
    if (!ys) return null;
    const f = fitLine(ys);
    return [f.rsquare, f.slope, f.variance, f.rvariance, f.interception, f.line_fit];
  };
});

registerScalar('series_fit_line_dynamic', (context) => {
  requireSeriesArgument(context, 0);
  return (series) => {
    const ys = fitInput(context, series);
    return ys ? { ...fitLine(ys) } : null;
  };
});

// ---------------------------------------------------------------------------------------------
// Filling missing values

/** Whether an element is the missing-value placeholder (null placeholders match non-numeric elements). */
function missingTest(placeholder: Value): (element: Dynamic) => boolean {
  const target = numeric(placeholder as Dynamic);
  if (target === null) return (element) => numeric(element) === null;
  return (element) => numeric(element) === target || (Number.isNaN(target) && Number.isNaN(numeric(element)));
}

function checkPlaceholderType(context: FunctionContext, index: number): void {
  const type: KType | undefined = context.argTypes[index];
  if (type === 'string' || type === 'datetime' || type === 'timespan' || type === 'guid') {
    throw notSupported(`${context.name}() with a ${type} placeholder`);
  }
}

registerScalar('series_fill_const', (context) => {
  requireSeriesArgument(context, 0);
  checkPlaceholderType(context, 2);
  return (series, constant, placeholder = null) => {
    const items = asArray(series);
    if (!items) return null;
    const isMissing = missingTest(placeholder);
    return items.map((item) => (isMissing(item) ? (constant as Dynamic) : item));
  };
});

function fillDirection(name: string, forward: boolean) {
  registerScalar(name, (context) => {
    requireSeriesArgument(context, 0);
    checkPlaceholderType(context, 1);
    return (series, placeholder = null) => {
      const items = asArray(series);
      if (!items) return null;
      const isMissing = missingTest(placeholder);
      const out = items.slice();
      let last: Dynamic | undefined;
      for (let k = 0; k < out.length; k++) {
        const i = forward ? k : out.length - 1 - k;
        if (isMissing(out[i])) {
          if (last !== undefined) out[i] = last;
        } else last = out[i];
      }
      return out;
    };
  });
}

fillDirection('series_fill_forward', true);
fillDirection('series_fill_backward', false);

registerScalar('series_fill_linear', (context) => {
  requireSeriesArgument(context, 0);
  checkPlaceholderType(context, 1);
  return (series, placeholder = null, fillEdges = true, constant = 0) =>
    fillLinear(asArray(series), missingTest(placeholder), fillEdges !== false, constant);
});

function fillLinear(
  items: Dynamic[] | null,
  isMissing: (element: Dynamic) => boolean,
  fillEdges: boolean,
  constant: Value,
): Dynamic[] | null {
  if (!items) return null;
  const known: number[] = [];
  items.forEach((item, i) => {
    if (!isMissing(item)) known.push(i);
  });
  if (known.length === 0) return items.map(() => constant as Dynamic);
  // Kusto rounds interpolations in integer series; a dynamic array here cannot tell 2.0 from 2.
  const whole = known.every((i) => isWhole(numeric(items[i]) ?? Number.NaN));
  const out = items.slice();
  for (let k = 0; k + 1 < known.length; k++) {
    const from = known[k];
    const to = known[k + 1];
    const a = numeric(items[from]) as number;
    const b = numeric(items[to]) as number;
    for (let i = from + 1; i < to; i++) {
      const value = a + ((b - a) * (i - from)) / (to - from);
      if (whole && !isWhole(value)) {
        throw notSupported(
          'series_fill_linear() interpolating between whole numbers (long or real elements?)',
        );
      }
      out[i] = value;
    }
  }
  if (fillEdges) {
    const first = known[0];
    const last = known[known.length - 1];
    for (let i = 0; i < first; i++) out[i] = items[first];
    for (let i = last + 1; i < out.length; i++) out[i] = items[last];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Filters

function numericSeries(context: FunctionContext, value: Value, what: string): number[] | null {
  const items = asArray(value);
  if (!items) return null;
  const out = items.map(numeric);
  if (out.some((x) => x === null)) throw notSupported(`${context.name}() with non-numeric ${what} elements`);
  return out as number[];
}

registerScalar('series_fir', (context) => {
  requireSeriesArgument(context, 0);
  return (series, filter, normalize = null, center = false) => {
    const xs = numericSeries(context, series, 'series');
    const coefficients = numericSeries(context, filter, 'filter');
    if (!xs || !coefficients || coefficients.length === 0) return null;
    const hasNegative = coefficients.some((c) => c < 0);
    const normalized = normalize === null ? !hasNegative : normalize === true;
    if (normalized && hasNegative) return null;
    const weights = coefficients;
    const divisor = normalized ? coefficients.reduce((a, b) => a + b, 0) : 1;
    if (center === true && weights.length % 2 === 0) {
      throw notSupported('series_fir() centred on an even-length filter');
    }
    const shift = center === true ? (weights.length - 1) / 2 : 0;
    return xs.map((_, i) => {
      let y = 0;
      for (let j = 0; j < weights.length; j++) {
        const x = xs[i + shift - j];
        if (x !== undefined) y += weights[j] * x;
      }
      return y / divisor;
    });
  };
});

registerScalar('series_iir', (context) => {
  requireSeriesArgument(context, 0);
  return (series, numerators, denominators) => {
    const xs = numericSeries(context, series, 'series');
    const b = numericSeries(context, numerators, 'numerator');
    const a = numericSeries(context, denominators, 'denominator');
    if (!xs || !b || !a || a.length === 0) return null;
    if (a[0] === 0) throw new KqlError('series_iir(): the first denominator coefficient must not be 0');
    const ys: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      let y = 0;
      for (let j = 0; j < b.length && j <= i; j++) y += b[j] * xs[i - j];
      for (let k = 1; k < a.length && k <= i; k++) y -= a[k] * ys[i - k];
      ys.push(y / a[0]);
    }
    return ys;
  };
});

// ---------------------------------------------------------------------------------------------
// Seasonality with a given period

function median(values: number[]): number {
  const sorted = values.slice().sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

registerScalar('series_seasonal', (context) => {
  requireSeriesArgument(context, 0);
  return (series, period = -1) => {
    const xs = numericSeries(context, series, 'series');
    if (!xs) return null;
    const p = numeric(period as Dynamic);
    if (p === null || p <= 0 || !Number.isInteger(p)) {
      throw notSupported('series_seasonal() without an explicit positive period (period detection)');
    }
    const phases = Array.from({ length: Math.min(p, xs.length) }, (_, phase) =>
      median(xs.filter((_, i) => i % p === phase)),
    );
    return xs.map((_, i) => phases[i % p]);
  };
});
