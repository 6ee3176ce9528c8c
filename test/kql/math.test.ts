import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

/** One row of a multi-column print. */
const row = (query: string): unknown[] => kql(query).rows[0];
const types = (query: string): string[] => kql(query).columns.map((c) => c.type);

describe('abs, ceiling, sign', () => {
  it('keeps the integer, real and timespan kinds', () => {
    expect(row('print abs(-7), abs(int(-3)), abs(-2.25), abs(-90m), abs(0)')).toEqual([
      7,
      3,
      2.25,
      '01:30:00',
      0,
    ]);
    expect(types('print abs(-7), abs(int(-3)), abs(-2.25), abs(-90m)')).toEqual([
      'long',
      'long',
      'real',
      'timespan',
    ]);
  });

  it('abs of longs beyond 2^53 stays exact', () => {
    expect(scalar('print tostring(abs(-9007199254740993))')).toBe('9007199254740993');
  });

  it('passes nulls and NaN through', () => {
    expect(row('print abs(long(null)), abs(real(nan)), abs(real(-inf))')).toEqual([null, 'NaN', 'Infinity']);
  });

  it('ceiling rounds towards +infinity and leaves integers alone', () => {
    expect(row('print ceiling(-2.5), ceiling(2.0001), ceiling(7), ceiling(real(null))')).toEqual([
      -2,
      3,
      7,
      null,
    ]);
    expect(types('print ceiling(-2.5), ceiling(7), ceiling(int(7))')).toEqual(['real', 'long', 'int']);
  });

  it('sign is a real -1, 0 or 1', () => {
    expect(
      row('print sign(-0.001), sign(0), sign(-0.0), sign(99), sign(real(nan)), sign(long(null))'),
    ).toEqual([-1, 0, 0, 1, 'NaN', null]);
    expect(types('print sign(5)')).toEqual(['real']);
  });
});

describe('round', () => {
  it('rounds to the given number of decimals, halves away from zero', () => {
    expect(row('print round(3.14159, 2), round(0.5), round(-0.5), round(1.45, 1), round(-7.25, 1)')).toEqual([
      3.14, 1, -1, 1.5, -7.3,
    ]);
  });

  it('the largest double below one half rounds down', () => {
    expect(row('print round(0.49999999999999994), round(-0.49999999999999994)')).toEqual([0, 0]);
  });

  it('negative precision rounds left of the decimal point', () => {
    expect(row('print round(1234.5, -2), round(-1650.0, -2), round(49.9, -2)')).toEqual([1200, -1700, 0]);
  });

  it('integers keep their type; negative precision rounds them too', () => {
    expect(row('print round(41), round(1450, -2), round(-1450, -2), round(int(6), 1)')).toEqual([
      41, 1500, -1500, 6,
    ]);
    expect(types('print round(41), round(int(6)), round(1.5)')).toEqual(['long', 'int', 'real']);
  });

  it('nulls and non-finite values pass through', () => {
    expect(row('print round(real(null), 2), round(real(inf)), round(real(nan), 1)')).toEqual([
      null,
      'Infinity',
      'NaN',
    ]);
    expect(row('print round(2.5, int(null)), round(7, int(null))')).toEqual([null, null]);
  });
});

describe('exponentials and logarithms', () => {
  it('computes the real functions', () => {
    expect(
      row('print sqrt(81), exp(0), exp2(10), exp10(3), log(1), log2(1024), log10(0.001), pow(3, 4)'),
    ).toEqual([9, 1, 1024, 1000, 0, 10, -3, 81]);
    expect(types('print sqrt(4), exp2(1), pow(2, 2)')).toEqual(['real', 'real', 'real']);
  });

  it('follows IEEE-754 at the edges', () => {
    expect(row('print sqrt(-1), log(0), log(-1), exp(real(-inf)), pow(0, -1)')).toEqual([
      'NaN',
      '-Infinity',
      'NaN',
      0,
      'Infinity',
    ]);
    // IEEE pow: 1^y is 1 even for NaN, (-1)^±∞ is 1.
    expect(row('print pow(1, real(nan)), pow(-1, real(inf)), pow(real(nan), 0)')).toEqual([1, 1, 1]);
  });

  it('returns null for null arguments', () => {
    expect(row('print sqrt(real(null)), pow(2, real(null)), pow(long(null), 2), log10(long(null))')).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('trigonometry', () => {
  it('computes the functions in radians', () => {
    const [sin, cos, tan, asin, acos, atan] = row(
      'print sin(pi() / 2), cos(0), tan(pi() / 4), asin(1), acos(1), atan(1)',
    ) as number[];
    expect(sin).toBe(1);
    expect(cos).toBe(1);
    expect(tan).toBeCloseTo(1, 15);
    expect(asin).toBe(Math.PI / 2);
    expect(acos).toBe(0);
    expect(atan).toBe(Math.PI / 4);
  });

  it('atan2 takes y first and covers all quadrants', () => {
    expect(row('print atan2(0, 1), atan2(1, 0), atan2(0, -1), atan2(-1, -1)')).toEqual([
      0,
      Math.PI / 2,
      Math.PI,
      (-3 * Math.PI) / 4,
    ]);
  });

  it('cot, degrees, radians, pi', () => {
    const [cot, degrees, radians, pi] = row(
      'print cot(pi() / 4), degrees(pi()), radians(180), pi()',
    ) as number[];
    expect(cot).toBeCloseTo(1, 15);
    expect(degrees).toBe(180);
    expect(radians).toBe(Math.PI);
    expect(pi).toBe(Math.PI);
  });

  it('asin/acos outside [-1, 1] are NaN; nulls stay null', () => {
    expect(row('print asin(2), acos(-1.5), cos(real(null))')).toEqual(['NaN', 'NaN', null]);
  });
});

describe('gamma, loggamma, erf, erfc', () => {
  it('gamma of a positive integer n is (n-1)!', () => {
    expect(row('print gamma(1), gamma(4), gamma(11)')).toEqual([1, 6, 3628800]);
  });

  it('gamma of halves is a multiple of sqrt(pi)', () => {
    const [half, threeHalves, minusHalf] = row('print gamma(0.5), gamma(1.5), gamma(-0.5)') as number[];
    expect(half).toBeCloseTo(Math.sqrt(Math.PI), 14);
    expect(threeHalves).toBeCloseTo(Math.sqrt(Math.PI) / 2, 14);
    expect(minusHalf).toBeCloseTo(-2 * Math.sqrt(Math.PI), 14);
  });

  it('gamma has poles at zero and the negative integers', () => {
    expect(row('print gamma(0), gamma(-3), gamma(real(null))')).toEqual(['NaN', 'NaN', null]);
  });

  it('loggamma is the log of gamma', () => {
    const [ten, half] = row('print loggamma(10), loggamma(0.5)') as number[];
    expect(ten).toBe(Math.log(362880));
    expect(half).toBeCloseTo(Math.log(Math.PI) / 2, 14);
  });

  it('erf is odd, erfc = 1 - erf, and both saturate', () => {
    const [erf0, erfPos, erfNeg, erfcPos, erfcNeg] = row(
      'print erf(0), erf(0.8), erf(-0.8), erfc(0.8), erfc(-0.8)',
    ) as number[];
    expect(erf0).toBe(0);
    expect(erfPos).toBe(-erfNeg);
    expect(erfcPos + erfPos).toBeCloseTo(1, 15);
    expect(erfcNeg).toBeCloseTo(1 + erfPos, 15);
    expect(row('print erf(real(inf)), erf(real(-inf)), erfc(real(inf)), erfc(real(-inf))')).toEqual([
      1, -1, 0, 2,
    ]);
  });

  it('erfc keeps its relative precision far in the tail', () => {
    // erfc(x) ~ exp(-x^2) / (x sqrt(pi)) · (1 - 1/(2x^2) + 3/(4x^4) - ...)
    const x = 6;
    const asymptotic =
      (Math.exp(-x * x) / (x * Math.sqrt(Math.PI))) * (1 - 1 / (2 * x * x) + 3 / (4 * x ** 4));
    expect((scalar('print erfc(6)') as number) / asymptotic).toBeCloseTo(1, 4);
  });
});

describe('bitwise', () => {
  it('and, or, xor, not on 64-bit two-complement longs', () => {
    expect(
      row('print binary_and(12, 10), binary_or(12, 10), binary_xor(12, 10), binary_not(0), binary_not(-1)'),
    ).toEqual([8, 14, 6, -1, 0]);
    expect(row('print binary_and(-1, 255), binary_xor(-1, 1)')).toEqual([255, -2]);
  });

  it('shifts: left wraps at 64 bits, right is arithmetic', () => {
    expect(scalar('print tostring(binary_shift_left(1, 62))')).toBe('4611686018427387904');
    expect(scalar('print tostring(binary_shift_left(3, 62))')).toBe('-4611686018427387904');
    expect(
      row('print binary_shift_right(-16, 2), binary_shift_right(1024, 3), binary_shift_left(5, 0)'),
    ).toEqual([-4, 128, 5]);
  });

  it('results stay exact beyond 2^53', () => {
    expect(scalar('print tostring(binary_or(9007199254740992, 1))')).toBe('9007199254740993');
    expect(scalar('print tostring(binary_not(9223372036854775807))')).toBe('-9223372036854775808');
  });

  it('counts set bits, the 64-bit pattern for negatives', () => {
    expect(
      row('print bitset_count_ones(0), bitset_count_ones(255), bitset_count_ones(-1), bitset_count_ones(-2)'),
    ).toEqual([0, 8, 64, 63]);
  });

  it('null in, null out', () => {
    expect(
      row('print binary_and(long(null), 1), binary_not(long(null)), bitset_count_ones(long(null))'),
    ).toEqual([null, null, null]);
    expect(types('print binary_and(int(1), int(3)), bitset_count_ones(int(3))')).toEqual(['long', 'long']);
  });
});

describe('not, rand', () => {
  it('not negates booleans and keeps null', () => {
    expect(row('print not(true), not(false), not(bool(null)), not(1 > 2)')).toEqual([
      false,
      true,
      null,
      true,
    ]);
  });

  it('rand() is in [0, 1) and differs row to row', () => {
    const values = kql('range i from 1 to 50 step 1 | project r = rand()').rows.map((r) => r[0] as number);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(1);
  });

  it('rand(n) is a whole number in [0, n)', () => {
    const values = kql('range i from 1 to 50 step 1 | project r = rand(4)').rows.map((r) => r[0] as number);
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < 4)).toBe(true);
  });
});

describe('max_of, min_of', () => {
  it('picks the extreme of mixed numeric arguments in the common type', () => {
    expect(row('print max_of(2, 9, -4), min_of(2, 9, -4), max_of(int(3), 2.5), min_of(int(3), 7)')).toEqual([
      9, -4, 3, 3,
    ]);
    expect(types('print max_of(int(3), 2.5), min_of(int(3), 7), min_of(int(1), int(2))')).toEqual([
      'real',
      'long',
      'int',
    ]);
  });

  it('ignores nulls; all null gives null', () => {
    expect(
      row('print max_of(long(null), 4, 1), min_of(real(null), 2.5), max_of(long(null), long(null))'),
    ).toEqual([4, 2.5, null]);
  });

  it('compares datetimes, timespans and strings', () => {
    expect(
      row(
        'print max_of(datetime(2020-03-01), datetime(2021-01-01)), min_of(2h, 30m), max_of("apple", "pear"), min_of("b", "B")',
      ),
    ).toEqual(['2021-01-01T00:00:00Z', '00:30:00', 'pear', 'B']);
  });

  it('works per row over columns', () => {
    const result = kql(
      'datatable(a:long, b:long)[1, 5, 7, long(null), long(null), long(null)] | project m = max_of(a, b)',
    );
    expect(result.rows).toEqual([[5], [7], [null]]);
  });

  it('keeps longs beyond 2^53 exact', () => {
    expect(scalar('print tostring(max_of(9007199254740993, 9007199254740992))')).toBe('9007199254740993');
  });
});

describe('beta distribution', () => {
  it('beta_cdf matches closed forms', () => {
    const [uniform, symmetric, power] = row(
      'print beta_cdf(0.3, 1, 1), beta_cdf(0.2, 2, 2), beta_cdf(0.6, 3, 1)',
    ) as number[];
    expect(uniform).toBeCloseTo(0.3, 14);
    expect(symmetric).toBeCloseTo(3 * 0.2 ** 2 - 2 * 0.2 ** 3, 14);
    expect(power).toBeCloseTo(0.6 ** 3, 14);
    expect(row('print beta_cdf(0, 2, 3), beta_cdf(1, 2, 3)')).toEqual([0, 1]);
  });

  it('beta_pdf matches closed forms', () => {
    const [linear, uniform, parabola] = row(
      'print beta_pdf(0.3, 2, 1), beta_pdf(0.9, 1, 1), beta_pdf(0.5, 2, 2)',
    ) as number[];
    expect(linear).toBeCloseTo(0.6, 14);
    expect(uniform).toBeCloseTo(1, 14);
    expect(parabola).toBeCloseTo(6 * 0.5 * 0.5, 14);
  });

  it('beta_inv inverts beta_cdf', () => {
    expect(scalar('print beta_inv(beta_cdf(0.37, 3.5, 1.2), 3.5, 1.2)') as number).toBeCloseTo(0.37, 12);
    expect(scalar('print beta_inv(0.25, 1, 1)') as number).toBeCloseTo(0.25, 14);
  });

  it('out-of-range arguments give NaN (and null for a bad probability)', () => {
    expect(
      row('print beta_cdf(1.2, 2, 2), beta_cdf(-0.1, 2, 2), beta_cdf(0.5, 0, 2), beta_pdf(0.5, 2, 10001)'),
    ).toEqual(['NaN', 'NaN', 'NaN', 'NaN']);
    expect(row('print beta_inv(1.5, 2, 2), beta_inv(0, 2, 2), beta_inv(0.5, -1, 2)')).toEqual([
      null,
      null,
      'NaN',
    ]);
    expect(row('print beta_cdf(real(null), 2, 2), beta_inv(0.5, long(null), 2)')).toEqual([null, null]);
  });
});
