import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

/** The one cell of `print f(...)`, parsed when it is dynamic JSON text. */
function value(query: string): unknown {
  const cell = scalar(`print ${query}`);
  return typeof cell === 'string' ? JSON.parse(cell) : cell;
}

describe('element-wise series functions', () => {
  it('arithmetic pads the shorter array and non-numbers with null', () => {
    expect(value('series_add(dynamic([1, 2, 3]), dynamic([10, 20]))')).toEqual([11, 22, null]);
    expect(value('series_subtract(dynamic([5, "a"]), dynamic([1, 1]))')).toEqual([4, null]);
    expect(value('series_multiply(dynamic([2, 3]), dynamic([4, 0.5]))')).toEqual([8, 1.5]);
    expect(value('series_divide(dynamic([1, 3]), dynamic([4, 2]))')).toEqual([0.25, 1.5]);
    expect(value('series_pow(dynamic([2, 9]), dynamic([3, 0.5]))')).toEqual([8, 3]);
  });

  it('division by zero follows double division', () => {
    expect(value('series_divide(dynamic([1]), dynamic([0]))')).toEqual(['Infinity']);
  });

  it('comparisons give booleans', () => {
    const a = 'dynamic([1, 5, 3])';
    const b = 'dynamic([2, 5, 1])';
    expect(value(`series_greater(${a}, ${b})`)).toEqual([false, false, true]);
    expect(value(`series_greater_equals(${a}, ${b})`)).toEqual([false, true, true]);
    expect(value(`series_less(${a}, ${b})`)).toEqual([true, false, false]);
    expect(value(`series_less_equals(${a}, ${b})`)).toEqual([true, true, false]);
    expect(value(`series_equals(${a}, ${b})`)).toEqual([false, true, false]);
    expect(value(`series_not_equals(${a}, dynamic([1]))`)).toEqual([false, null, null]);
  });

  it('unary math per element', () => {
    expect(value('series_abs(dynamic([-2.5, 0, 3]))')).toEqual([2.5, 0, 3]);
    expect(value('series_sign(dynamic([-7, 0, 0.1, null]))')).toEqual([-1, 0, 1, null]);
    expect(value('series_floor(dynamic([-1.5, 2.5]))')).toEqual([-2, 2]);
    expect(value('series_ceiling(dynamic([-1.5, 2.5]))')).toEqual([-1, 3]);
    expect(value('series_exp(dynamic([0]))')).toEqual([1]);
    expect(value('series_log(dynamic([1]))')).toEqual([0]);
    expect(value('series_sin(dynamic([0]))')).toEqual([0]);
    expect(value('series_cos(dynamic([0]))')).toEqual([1]);
    expect(value('series_tan(dynamic([0]))')).toEqual([0]);
    expect(value('series_asin(dynamic([1]))')).toEqual([Math.PI / 2]);
    expect(value('series_acos(dynamic([1]))')).toEqual([0]);
    expect(value('series_atan(dynamic([1]))')).toEqual([Math.PI / 4]);
  });
});

describe('series reductions', () => {
  it('sum, product and magnitude are reals', () => {
    const result = kql(
      'print s = series_sum(dynamic([1, 2, 3.5])), p = series_product(dynamic([2, 3, 4])), m = series_magnitude(dynamic([3, 4]))',
    );
    expect(result.columns.map((c) => c.type)).toEqual(['real', 'real', 'real']);
    expect(result.rows).toEqual([[6.5, 24, 5]]);
  });

  it('dot product truncates to the shorter series and broadcasts a scalar', () => {
    expect(value('series_dot_product(dynamic([1, 2, 3]), dynamic([4, 5]))')).toBe(14);
    expect(value('series_dot_product(dynamic([1, 2, 3]), 2)')).toBe(12);
    expect(value('series_dot_product(dynamic([]), dynamic([1]))')).toBeNull();
  });

  it('cosine similarity and Pearson correlation', () => {
    expect(value('series_cosine_similarity(dynamic([1, 0]), dynamic([0, 1]))')).toBe(0);
    expect(value('series_cosine_similarity(dynamic([1, 1]), dynamic([2, 2]))')).toBeCloseTo(1, 12);
    expect(value('series_pearson_correlation(dynamic([1, 2, 3]), dynamic([3, 2, 1]))')).toBeCloseTo(-1, 12);
    expect(value('series_pearson_correlation(dynamic([1, 2]), dynamic([1, 2, 3]))')).toBeNull();
  });

  it('series_stats_dynamic gives min/max with first positions, sample variance, sum and length', () => {
    const stats = value('series_stats_dynamic(dynamic([4, 1, 7, 1, 7]))') as Record<string, number>;
    // mean 4, squared deviations 0 + 9 + 9 + 9 + 9 = 36 → sample variance 9.
    expect(stats).toEqual({
      min: 1,
      min_idx: 1,
      max: 7,
      max_idx: 2,
      avg: 4,
      stdev: 3,
      variance: 9,
      sum: 20,
      len: 5,
    });
  });

  it('series_stats statistics are null with non-finite values unless ignored', () => {
    const withNull = value('series_stats_dynamic(dynamic([1, null, 3]))') as Record<string, unknown>;
    expect(withNull.avg).toBeNull();
    const ignored = value('series_stats_dynamic(dynamic([1, null, 3]), true)') as Record<string, unknown>;
    expect(ignored.avg).toBe(2);
  });

  it('series_fit_line fits y over x = 1..n', () => {
    // y = 2x + 1 exactly: slope 2, interception 1, r² = 1, no residual variance.
    const result = kql(
      'print y = dynamic([3, 5, 7, 9]) | extend (r2, slope, variance, rvariance, interception, fit) = series_fit_line(y)',
    );
    const [, r2, slope, variance, rvariance, interception, fit] = result.rows[0];
    expect(r2).toBeCloseTo(1, 12);
    expect(slope).toBeCloseTo(2, 12);
    expect(variance).toBeCloseTo(20 / 3, 12);
    expect(rvariance).toBeCloseTo(0, 12);
    expect(interception).toBeCloseTo(1, 12);
    expect(JSON.parse(fit as string)).toEqual([3, 5, 7, 9]);
    const bag = value('series_fit_line_dynamic(dynamic([3, 5, 7, 9]))') as Record<string, number>;
    expect(Object.keys(bag)).toEqual([
      'rsquare',
      'slope',
      'variance',
      'rvariance',
      'interception',
      'line_fit',
    ]);
  });
});

describe('filling missing values', () => {
  const gappy = 'dynamic([null, 2, null, null, 8, null])';

  it('constant, forward and backward fills', () => {
    expect(value(`series_fill_const(${gappy}, 0)`)).toEqual([0, 2, 0, 0, 8, 0]);
    expect(value('series_fill_const(dynamic([1, -1, 3]), 9, -1)')).toEqual([1, 9, 3]);
    expect(value(`series_fill_forward(${gappy})`)).toEqual([null, 2, 2, 2, 8, 8]);
    expect(value(`series_fill_backward(${gappy})`)).toEqual([2, 2, 8, 8, 8, null]);
  });

  it('linear fill interpolates, fills edges unless told not to, and fills all-missing series with a constant', () => {
    expect(value(`series_fill_linear(${gappy})`)).toEqual([2, 2, 4, 6, 8, 8]);
    expect(value(`series_fill_linear(${gappy}, double(null), false)`)).toEqual([null, 2, 4, 6, 8, null]);
    expect(value('series_fill_linear(dynamic([1.5, null, 2.5]))')).toEqual([1.5, 2, 2.5]);
    expect(value('series_fill_linear(dynamic([null, null]))')).toEqual([0, 0]);
    expect(value('series_fill_linear(dynamic([null, null]), double(null), true, 7)')).toEqual([7, 7]);
  });

  it('refuses to guess the rounding of interpolations between whole numbers', () => {
    expect(() => kql('print series_fill_linear(dynamic([1, null, 2]))')).toThrow(/not supported/);
  });
});

describe('filters', () => {
  it('series_fir: causal moving average, normalised by default', () => {
    expect(value('series_fir(dynamic([3, 6, 9, 12]), dynamic([1, 1, 1]))')).toEqual([1, 3, 6, 9]);
    expect(value('series_fir(dynamic([3, 6, 9, 12]), dynamic([1, 1, 1]), false)')).toEqual([3, 9, 18, 27]);
  });

  it('series_fir: centred filters and differences', () => {
    expect(value('series_fir(dynamic([3, 6, 9, 12]), dynamic([1, 1, 1]), true, true)')).toEqual([3, 6, 9, 7]);
    expect(value('series_fir(dynamic([1, 4, 9]), dynamic([1, -1]))')).toEqual([1, 3, 5]);
  });

  it('series_iir: the recursive filter (a cumulative sum here)', () => {
    expect(value('series_iir(dynamic([1, 2, 3, 4]), dynamic([1]), dynamic([1, -1]))')).toEqual([1, 3, 6, 10]);
    // y[i] = (x[i] + 0.5·x[i-1]) / 2
    expect(value('series_iir(dynamic([2, 4]), dynamic([1, 0.5]), dynamic([2]))')).toEqual([1, 2.5]);
  });

  it('series_seasonal with a period: the median of each phase', () => {
    expect(value('series_seasonal(dynamic([1, 10, 3, 20, 5, 30]), 2)')).toEqual([3, 20, 3, 20, 3, 20]);
    expect(value('series_seasonal(dynamic([1, 10, 2, 20]), 2)')).toEqual([1.5, 15, 1.5, 15]);
    expect(() => kql('print series_seasonal(dynamic([1, 2, 3]))')).toThrow(/not supported/);
  });
});
