/**
 * Statistical aggregates: percentiles (nearest rank, exact), variance/stdev/covariance, bitwise
 * aggregates, and the hll()/tdigest() intermediate results with their scalar companions.
 *
 * Kusto estimates percentiles and distinct counts; here they are exact, which is within Kusto's
 * documented error bounds. hll()/tdigest() values are an engine-specific exact representation:
 * Kusto documents their layout as unstable, so only their consumers (dcount_hll, percentile_tdigest, …)
 * are meant to read them.
 */
import { compareValues } from '../compare.js';
import { KqlError } from '../errors.js';
import { toDynamic } from '../text.js';
import { type Dynamic, isPlainObject, type KType, keyOf, normLong, type Value } from '../values.js';
import { coerce } from './coerce.js';
import { type Accumulator, type AggregateContext, registerAggregate, registerScalar } from './registry.js';

function notSupported(what: string): KqlError {
  return new KqlError(`not supported: ${what}`, 'NotSupported');
}

function isMissing(value: Value): boolean {
  return value === null || (typeof value === 'number' && Number.isNaN(value));
}

function numberOf(value: Value): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Percentiles

/** The 0-based index of the nearest-rank P-th percentile in `count` ordered values (P=0 → the minimum). */
export function nearestRankIndex(percent: number, count: number): number {
  const exact = (percent * count) / 100;
  // Guard against 0.7 * 10 = 7.000000000000001 style noise before taking the ceiling.
  const rounded = Math.round(exact);
  const rank = Math.abs(exact - rounded) < 1e-9 ? rounded : Math.ceil(exact);
  return Math.min(Math.max(rank, 1), count) - 1;
}

function percentValue(value: Value): number {
  const p = numberOf(value);
  if (p === null || !(p >= 0 && p <= 100)) {
    throw new KqlError(`percentile must be a constant between 0 and 100, got ${String(value)}`);
  }
  return p;
}

/** The constant percents from argument `from` on: a list of scalars, or one dynamic array. */
function percentsOf(context: AggregateContext, from: number): number[] {
  const percents: number[] = [];
  for (let i = from; i < context.argTypes.length; i++) {
    if (!context.isConstant[i]) throw new KqlError('percentiles must be constants');
    const value = context.constants[i];
    if (Array.isArray(value)) for (const item of value) percents.push(percentValue(item));
    else percents.push(percentValue(value));
  }
  if (percents.length === 0) throw new KqlError('at least one percentile is required');
  return percents;
}

function compareNonNull(a: Value, b: Value): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : compareValues(a, b);
}

interface WeightedValues {
  values: Value[];
  weights: number[];
}

/** Sorts values (with weights) ascending; returns the cumulative weights in that order. */
function sortWeighted({ values, weights }: WeightedValues): { values: Value[]; cumulative: number[] } {
  const order = values.map((_, i) => i).sort((a, b) => compareNonNull(values[a], values[b]));
  const sorted = order.map((i) => values[i]);
  const cumulative: number[] = [];
  let total = 0;
  for (const i of order) {
    total += weights[i];
    cumulative.push(total);
  }
  return { values: sorted, cumulative };
}

/** The nearest-rank percentile of weighted values: the first value whose cumulative weight reaches the rank. */
function weightedPercentile(sorted: { values: Value[]; cumulative: number[] }, percent: number): Value {
  const total = sorted.cumulative[sorted.cumulative.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = nearestRankIndex(percent, total) + 1;
  for (let i = 0; i < sorted.values.length; i++) if (sorted.cumulative[i] >= rank) return sorted.values[i];
  return sorted.values[sorted.values.length - 1] ?? null;
}

function unweightedPercentiles(values: Value[], percents: number[]): Value[] {
  if (values.length === 0) return percents.map(() => null);
  values.sort(compareNonNull);
  return percents.map((p) => values[nearestRankIndex(p, values.length)]);
}

type PercentileShape = 'single' | 'columns' | 'array';

function percentileAggregate(weighted: boolean, shape: PercentileShape) {
  return (context: AggregateContext) => {
    const percents = percentsOf(context, weighted ? 2 : 1);
    const valueType = context.argTypes[0];
    const columns = context.outputs?.length ?? 0;
    if (shape === 'columns' && percents.length > 1 && columns !== percents.length) {
      throw notSupported(`${context.name}() without one output column per percentile`);
    }
    const finish = (results: Value[]): Value | Value[] => {
      if (shape === 'array') return results.map((v) => toDynamic(v, valueType));
      if (shape === 'columns' && columns > 0) return results;
      return results[0];
    };
    if (!weighted) {
      return (): Accumulator => {
        const values: Value[] = [];
        return {
          add(args) {
            if (!isMissing(args[0])) values.push(args[0]);
          },
          result: () => finish(unweightedPercentiles(values, percents)),
        };
      };
    }
    return (): Accumulator => {
      const collected: WeightedValues = { values: [], weights: [] };
      return {
        add(args) {
          const weight = numberOf(args[1]);
          if (isMissing(args[0]) || weight === null || !(weight > 0)) return;
          collected.values.push(args[0]);
          collected.weights.push(Math.trunc(weight));
        },
        result: () => {
          const sorted = sortWeighted(collected);
          return finish(percents.map((p) => weightedPercentile(sorted, p)));
        },
      };
    };
  };
}

registerAggregate('percentile', percentileAggregate(false, 'single'));
registerAggregate('percentiles', percentileAggregate(false, 'columns'));
registerAggregate(['percentiles_array', 'percentile_array'], percentileAggregate(false, 'array'));
registerAggregate('percentilew', percentileAggregate(true, 'single'));
registerAggregate('percentilesw', percentileAggregate(true, 'columns'));
registerAggregate(['percentilesw_array', 'percentilew_array'], percentileAggregate(true, 'array'));

// ---------------------------------------------------------------------------------------------
// Variance, standard deviation, covariance

/**
 * Running sums for variance: (n·Σx² − (Σx)²) / (n·(n−1)), the form Kusto's results match to the last digit.
 */
class Moments {
  count = 0;
  sum = 0;
  squares = 0;

  add(x: number): void {
    this.count++;
    this.sum += x;
    this.squares += x * x;
  }

  variance(population: boolean): number {
    const n = this.count;
    if (n <= 1) return 0;
    const spread = n * this.squares - this.sum * this.sum;
    return Math.max(spread, 0) / (n * (population ? n : n - 1));
  }
}

function momentAggregate(population: boolean, conditional: boolean, root: boolean) {
  return () => (): Accumulator => {
    const moments = new Moments();
    return {
      add(args) {
        if (conditional && args[1] !== true) return;
        const x = numberOf(args[0]);
        if (x !== null && !Number.isNaN(x)) moments.add(x);
      },
      result: () => {
        const v = moments.variance(population);
        return root ? Math.sqrt(v) : v;
      },
    };
  };
}

registerAggregate('variance', momentAggregate(false, false, false));
registerAggregate('varianceif', momentAggregate(false, true, false));
registerAggregate('variancep', momentAggregate(true, false, false));
registerAggregate('variancepif', momentAggregate(true, true, false));
registerAggregate('stdev', momentAggregate(false, false, true));
registerAggregate('stdevif', momentAggregate(false, true, true));
registerAggregate('stdevp', momentAggregate(true, false, true));

/** Running sums for covariance: (n·Σxy − Σx·Σy) / (n·(n−1)). */
class CoMoments {
  count = 0;
  sumX = 0;
  sumY = 0;
  product = 0;

  add(x: number, y: number): void {
    this.count++;
    this.sumX += x;
    this.sumY += y;
    this.product += x * y;
  }

  covariance(population: boolean): number {
    const n = this.count;
    if (n <= 1) return 0;
    return (n * this.product - this.sumX * this.sumY) / (n * (population ? n : n - 1));
  }
}

function covarianceAggregate(population: boolean, conditional: boolean) {
  return () => (): Accumulator => {
    const moments = new CoMoments();
    return {
      add(args) {
        if (conditional && args[2] !== true) return;
        const x = numberOf(args[0]);
        const y = numberOf(args[1]);
        if (x === null || y === null || Number.isNaN(x) || Number.isNaN(y)) return;
        moments.add(x, y);
      },
      result: () => moments.covariance(population),
    };
  };
}

registerAggregate('covariance', covarianceAggregate(false, false));
registerAggregate('covarianceif', covarianceAggregate(false, true));
registerAggregate('covariancep', covarianceAggregate(true, false));
registerAggregate('covariancepif', covarianceAggregate(true, true));

// ---------------------------------------------------------------------------------------------
// Bitwise aggregates over longs

function bitwiseAggregate(combine: (a: bigint, b: bigint) => bigint) {
  return () => (): Accumulator => {
    let acc: bigint | null = null;
    return {
      add(args) {
        const v = args[0];
        if (v === null || typeof v === 'string') return;
        const bits = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
        acc = acc === null ? bits : combine(acc, bits);
      },
      result: () => (acc === null ? null : normLong(BigInt.asIntN(64, acc))),
    };
  };
}

registerAggregate(
  'binary_all_and',
  bitwiseAggregate((a, b) => a & b),
);
registerAggregate(
  'binary_all_or',
  bitwiseAggregate((a, b) => a | b),
);
registerAggregate(
  'binary_all_xor',
  bitwiseAggregate((a, b) => a ^ b),
);

// ---------------------------------------------------------------------------------------------
// take_anyif

registerAggregate('take_anyif', (context) => () => {
  let chosen: Value = null;
  let found = false;
  return {
    add(args) {
      if (!found && args[1] === true) {
        chosen = args[0];
        found = true;
      }
    },
    result: () => ((context.outputs?.length ?? 0) > 0 ? [chosen] : chosen),
  };
});

// ---------------------------------------------------------------------------------------------
// hll(): an exact set of distinct value keys

const HLL_TAG = 'provlog_exact_hll';

function hllKeys(value: Value): string[] | null {
  if (!isPlainObject(value)) return null;
  const keys = value[HLL_TAG];
  return Array.isArray(keys) ? (keys as string[]) : null;
}

function hllValue(keys: Set<string>): Dynamic {
  return { [HLL_TAG]: [...keys].sort() };
}

function hllAggregate(conditional: boolean) {
  return () => (): Accumulator => {
    const keys = new Set<string>();
    let any = false;
    return {
      add(args) {
        // hll(expr, accuracy) and hll_if(expr, predicate, accuracy): the predicate is argument 1.
        if (conditional && args[1] !== true) return;
        if (args[0] === null) return;
        any = true;
        keys.add(keyOf(args[0]));
      },
      result: () => (any ? hllValue(keys) : null),
    };
  };
}

registerAggregate('hll', hllAggregate(false));
registerAggregate('hll_if', hllAggregate(true));
registerAggregate('hll_merge', () => () => {
  const keys = new Set<string>();
  let any = false;
  return {
    add(args) {
      const items = hllKeys(args[0]);
      if (!items) return;
      any = true;
      for (const key of items) keys.add(key);
    },
    result: () => (any ? hllValue(keys) : null),
  };
});

registerScalar('hll_merge', () => (...values) => {
  const keys = new Set<string>();
  let any = false;
  for (const value of values) {
    const items = hllKeys(value);
    if (!items) continue;
    any = true;
    for (const key of items) keys.add(key);
  }
  return any ? hllValue(keys) : null;
});

registerScalar('dcount_hll', () => (value) => {
  if (value === null) return null;
  const keys = hllKeys(value);
  if (!keys) throw new KqlError('dcount_hll() expects the result of hll() or hll_merge()');
  return keys.length;
});

// ---------------------------------------------------------------------------------------------
// tdigest(): the exact distinct values with their weights, ascending

const TDIGEST_TAG = 'provlog_exact_tdigest';

interface Digest {
  type: KType;
  values: Dynamic[];
  weights: number[];
}

function digestOf(value: Value): Digest | null {
  if (!isPlainObject(value)) return null;
  const body = value[TDIGEST_TAG];
  if (!isPlainObject(body) || !Array.isArray(body.values) || !Array.isArray(body.weights)) return null;
  return { type: body.type as KType, values: body.values, weights: body.weights as number[] };
}

/** Groups equal values, sums their weights, sorts ascending and encodes them as a dynamic value. */
function digestValue(type: KType, values: Value[], weights: number[]): Dynamic {
  const merged = new Map<string, { value: Value; weight: number }>();
  values.forEach((value, i) => {
    const key = keyOf(value);
    const entry = merged.get(key);
    if (entry) entry.weight += weights[i];
    else merged.set(key, { value, weight: weights[i] });
  });
  const entries = [...merged.values()].sort((a, b) => compareNonNull(a.value, b.value));
  return {
    [TDIGEST_TAG]: {
      type,
      values: entries.map((e) => toDynamic(e.value, type)),
      weights: entries.map((e) => e.weight),
    },
  };
}

/** Digest values are stored as dynamic; compare them in their own type (datetimes as text sort wrongly before year 1000). */
function digestNative(digest: Digest): Value[] {
  return digest.values.map((v) => coerce(v, 'dynamic', digest.type));
}

registerAggregate('tdigest', ({ argTypes }) => () => {
  const values: Value[] = [];
  const weights: number[] = [];
  const weighted = argTypes.length > 1;
  return {
    add(args) {
      if (isMissing(args[0])) return;
      const weight = weighted ? numberOf(args[1]) : 1;
      if (weight === null || !(weight > 0)) return;
      values.push(args[0]);
      weights.push(Math.trunc(weight));
    },
    result: () => (values.length > 0 ? digestValue(argTypes[0], values, weights) : null),
  };
});

function mergeDigests(digests: Digest[]): Dynamic {
  if (digests.length === 0) return null;
  const type = digests[0].type;
  if (digests.some((d) => d.type !== type)) throw notSupported('merging tdigests of different types');
  const values: Value[] = [];
  const weights: number[] = [];
  for (const digest of digests) {
    values.push(...digestNative(digest));
    weights.push(...digest.weights);
  }
  return digestValue(type, values, weights);
}

registerAggregate(['tdigest_merge', 'merge_tdigests'], () => () => {
  const digests: Digest[] = [];
  return {
    add(args) {
      const digest = digestOf(args[0]);
      if (digest) digests.push(digest);
    },
    result: () => mergeDigests(digests),
  };
});

registerScalar(['merge_tdigest', 'tdigest_merge'], () => (...values) => {
  const digests = values.map(digestOf).filter((d): d is Digest => d !== null);
  return mergeDigests(digests);
});

function requireDigest(value: Value): Digest | null {
  if (value === null) return null;
  const digest = digestOf(value);
  if (!digest) throw new KqlError('expected the result of tdigest() or tdigest_merge()');
  return digest;
}

function digestPercentiles(digest: Digest, percents: number[]): Value[] {
  const native = digestNative(digest);
  let total = 0;
  const cumulative = digest.weights.map((w) => (total += w));
  return percents.map((p) => weightedPercentile({ values: native, cumulative }, p));
}

registerScalar('percentile_tdigest', ({ resultType }) => (td, percent) => {
  const digest = requireDigest(td);
  if (!digest || percent === null) return null;
  const [value] = digestPercentiles(digest, [percentValue(percent)]);
  if (resultType === 'dynamic') return toDynamic(value, digest.type);
  return coerce(value, digest.type, resultType);
});

registerScalar(['percentiles_array_tdigest', 'percentile_array_tdigest'], () => (td, ...rest) => {
  const digest = requireDigest(td);
  if (!digest) return null;
  const percents: number[] = [];
  for (const p of rest) {
    if (Array.isArray(p)) for (const item of p) percents.push(percentValue(item));
    else if (p !== null) percents.push(percentValue(p));
  }
  return digestPercentiles(digest, percents).map((v) => toDynamic(v, digest.type));
});

/** Total weight of digest values less than or equal to `value`. */
function digestRank(digest: Digest, value: Value, valueType: KType): number {
  const target = coerce(value, valueType, digest.type);
  const native = digestNative(digest);
  let rank = 0;
  native.forEach((v, i) => {
    if (v !== null && target !== null && compareValues(v, target) <= 0) rank += digest.weights[i];
  });
  return rank;
}

registerScalar('rank_tdigest', ({ argTypes }) => (td, value) => {
  const digest = requireDigest(td);
  if (!digest || value === null) return null;
  return digestRank(digest, value, argTypes[1]);
});

registerScalar('percentrank_tdigest', ({ argTypes }) => (td, value) => {
  const digest = requireDigest(td);
  if (!digest || value === null) return null;
  const total = digest.weights.reduce((a, b) => a + b, 0);
  return total > 0 ? (digestRank(digest, value, argTypes[1]) * 100) / total : null;
});
