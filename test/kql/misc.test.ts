import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

const table = 'datatable(Alpha:string, Beta:long, Gamma:real, Alps:bool)["a", 1, 1.5, true]';

describe('project-by-names', () => {
  it('picks columns in argument order; wildcards take matches in table order; unknown names drop', () => {
    const result = kql(`${table} | project-by-names "Gamma", "Al*", dynamic(["Beta", "Nope", "Gamma"])`);
    expect(result.columns.map((c) => c.name)).toEqual(['Gamma', 'Alpha', 'Alps', 'Beta']);
    expect(result.rows).toEqual([[1.5, 'a', true, 1]]);
  });

  it('accepts column_names_of() of another table', () => {
    const result = kql(
      `let Other = datatable(Beta:long, Zeta:string)[]; ${table} | project-by-names column_names_of(Other)`,
    );
    expect(result.columns).toEqual([{ name: 'Beta', type: 'long' }]);
  });
});

describe('invoke', () => {
  it('passes the input as the function first tabular argument', () => {
    const result = kql(
      'let keepAbove = (T:(x:long), limit:long) { T | where x > limit }; range x from 1 to 5 step 1 | invoke keepAbove(3)',
    );
    expect(result.rows).toEqual([[4], [5]]);
  });
});

describe('tohex', () => {
  it('formats ints as 32-bit and longs as 64-bit two complement, lower case, padded to a minimum', () => {
    expect(scalar('print tohex(3054)')).toBe('bee');
    expect(scalar('print tohex(-1)')).toBe('ffffffffffffffff');
    expect(scalar('print tohex(toint(-2))')).toBe('fffffffe');
    expect(scalar('print tohex(10, 4)')).toBe('000a');
    expect(scalar('print tohex(4096, 2)')).toBe('1000');
    expect(scalar('print tohex(long(null))')).toBe('');
  });
});

describe('convert_*', () => {
  it('converts through the base unit', () => {
    expect(scalar("print convert_length(3, 'Foot', 'Inch')")).toBeCloseTo(36, 12);
    expect(scalar("print convert_length(2, 'Kilometer', 'Meter')")).toBe(2000);
    expect(scalar("print convert_temperature(100, 'DegreeCelsius', 'Kelvin')")).toBeCloseTo(373.15, 12);
    expect(scalar("print convert_angle(90, 'Degree', 'Arcsecond')")).toBe(324000);
    expect(scalar("print convert_mass(1, 'Pound', 'Kilogram')")).toBeCloseTo(0.45359237, 15);
    expect(scalar("print convert_energy(1, 'KilowattHour', 'Joule')")).toBe(3600000);
  });

  it('returns the value unchanged for equal units and null for unknown units', () => {
    expect(scalar("print convert_speed(7.25, 'FootPerSecond', 'FootPerSecond')")).toBe(7.25);
    expect(scalar("print convert_volume(1, 'Liter', 'Bucket')")).toBeNull();
  });
});

describe('buildschema', () => {
  it('merges bags key by key, arrays under `indexer`, and differing types into unions', () => {
    const result = kql(
      'datatable(d:dynamic)[dynamic({"a": 1, "b": ["x"]}), dynamic({"a": "s", "c": {"e": 2.5}}), dynamic({"b": [3], "c": 4})] | summarize buildschema(d)',
    );
    expect(JSON.parse(result.rows[0][0] as string)).toEqual({
      a: ['long', 'string'],
      b: { '`indexer`': ['string', 'long'] },
      c: [{ e: 'double' }, 'long'],
    });
  });
});
