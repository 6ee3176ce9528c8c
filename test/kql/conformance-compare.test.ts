import { describe, expect, it } from 'vitest';
import type { CaseFlags, ConformanceCase, EngineTable } from '../../tools/conformance/cases.js';
import { cellMatches, type Leniency, renderDocCell } from '../../tools/conformance/cells.js';
import { compareResult } from '../../tools/conformance/compare.js';
import { type Json, parseJson } from '../../tools/conformance/json.js';
import { commonReasons, summaryLine, totalsOf } from '../../tools/conformance/report.js';
import { responseTables } from '../../tools/conformance/run.js';

const APPROXIMATE: Leniency = { approximate: true, truncated: false };
const TRUNCATED: Leniency = { approximate: false, truncated: true };

const same = (doc: string, engine: Json, type?: string, lenient?: Leniency) =>
  cellMatches(doc, engine, type, lenient);

describe('conformance JSON reader', () => {
  it('keeps integers beyond 2^53 exact and small ones as numbers', () => {
    expect(parseJson('[3855580634910899594, 12, 1.5]')).toEqual([3855580634910899594n, 12, 1.5]);
    expect(
      responseTables('{"tables":[{"name":"T","columns":[],"rows":[[9007199254740993]]}]}')[0].rows,
    ).toEqual([[9007199254740993n]]);
  });

  it('accepts single quotes and trailing commas only when lenient', () => {
    expect(parseJson("{'a': [1, 2,],}", true)).toEqual({ a: [1, 2] });
    expect(() => parseJson("{'a': 1}")).toThrow();
    expect(() => parseJson('[1,]')).toThrow();
  });
});

describe('doc cell rendering', () => {
  it('turns <br> into line breaks, links and tags into text, decodes entities, drops whole-cell wrapping', () => {
    expect(renderDocCell('a<br>b<br/>c')).toBe('a\nb\nc');
    expect(renderDocCell('[Kusto](https://example.com/kusto)')).toBe('Kusto');
    expect(renderDocCell('<b>bold</b> text')).toBe('bold text');
    expect(renderDocCell('<https://bing.com>')).toBe('https://bing.com');
    expect(renderDocCell('&lt;x&gt; &amp; &#65;&#x42;')).toBe('<x> & AB');
    expect(renderDocCell('`code`')).toBe('code');
    expect(renderDocCell('**strong**')).toBe('strong');
    expect(renderDocCell('*a* and *b*')).toBe('*a* and *b*');
    expect(renderDocCell('`a` and `b`')).toBe('`a` and `b`');
  });
});

describe('cell rules', () => {
  it('empty cells equal null or empty text only', () => {
    expect(same('', null, 'long')).toBe(true);
    expect(same('&nbsp;', null, 'datetime')).toBe(true);
    expect(same('', '', 'string')).toBe(true);
    expect(same('', 'x', 'string')).toBe(false);
    expect(same('', 0, 'long')).toBe(false);
  });

  it('null words equal null for non-string types but not for strings', () => {
    expect(same('null', null, 'long')).toBe(true);
    expect(same('(null)', null, 'datetime')).toBe(true);
    expect(same('null', '', 'string')).toBe(false);
    expect(same('5', null, 'long')).toBe(false);
  });

  it('datetimes compare as instants at 100 ns', () => {
    const engine = '2016-02-17T08:40:00Z';
    for (const doc of ['2016-02-17 08:40:00.0000000', '2016-02-17T08:40:00.000Z', '02/17/2016 08:40:00']) {
      expect(same(doc, engine, 'datetime')).toBe(true);
    }
    expect(same('2016-02-17', '2016-02-17T00:00:00Z', 'datetime')).toBe(true);
    expect(same('2016-02-17 08:40:00.0000001', engine, 'datetime')).toBe(false);
    expect(same('2016-02-18 08:40:00', engine, 'datetime')).toBe(false);
    expect(same('not a date', engine, 'datetime')).toBe(false);
  });

  it('timespans compare as durations, including d:hh:mm:ss and literals', () => {
    expect(same('14:00:00:00', '14.00:00:00', 'timespan')).toBe(true);
    expect(same('14d', '14.00:00:00', 'timespan')).toBe(true);
    expect(same('1.5h', '01:30:00', 'timespan')).toBe(true);
    expect(same('-12:00:00', '-12:00:00', 'timespan')).toBe(true);
    expect(same('00:00:01.5', '00:00:01.5000000', 'timespan')).toBe(true);
    expect(same('1.00:00:00', '1.00:00:01', 'timespan')).toBe(false);
    expect(same('12:00:00', '-12:00:00', 'timespan')).toBe(false);
  });

  it('integers compare exactly at any size', () => {
    expect(same('3855580634910899594', 3855580634910899594n, 'long')).toBe(true);
    expect(same('3855580634910899594', 3855580634910899600n, 'long')).toBe(false);
    expect(same('2.0', 2, 'long')).toBe(true);
    expect(same('1,048,576', 1048576, 'int')).toBe(true);
    expect(same('2.5', 2, 'long')).toBe(false);
    expect(same('1,04,8576', 1048576, 'long')).toBe(false);
    expect(same('-3', 3, 'long')).toBe(false);
  });

  it('approximate cases let numbers differ by 5%', () => {
    expect(same('100', 104, 'long', APPROXIMATE)).toBe(true);
    expect(same('100', 104, 'long')).toBe(false);
    expect(same('100', 106, 'long', APPROXIMATE)).toBe(false);
    expect(same('1.0', 0.96, 'real', APPROXIMATE)).toBe(true);
  });

  it('reals compare within 1e-6 relative, 1e-9 absolute, or half a unit of three or more shown decimals', () => {
    expect(same('1.58113883008419', 1.5811388300841898, 'real')).toBe(true);
    expect(same('0.1', 0.1000000001, 'real')).toBe(true);
    expect(same('0.1', 0.1001, 'real')).toBe(false);
    expect(same('0', 1e-10, 'real')).toBe(true);
    expect(same('0', 1e-8, 'real')).toBe(false);
    expect(same('0.333', 0.3334, 'real')).toBe(true);
    expect(same('0.333', 0.3336, 'real')).toBe(false);
    expect(same('0.12', 0.124, 'real')).toBe(false);
    expect(same('2.20904969985854E-05', 2.20904969985854e-5, 'real')).toBe(true);
    expect(same('1.234E+5', 123_400.04, 'real')).toBe(true);
    expect(same('1.234E+5', 123_460, 'real')).toBe(false);
  });

  it('NaN and infinities match only themselves', () => {
    expect(same('NaN', 'NaN', 'real')).toBe(true);
    expect(same('NaN', 0, 'real')).toBe(false);
    expect(same('∞', 'Infinity', 'real')).toBe(true);
    expect(same('-∞', '-Infinity', 'real')).toBe(true);
    expect(same('-∞', 'Infinity', 'real')).toBe(false);
    expect(same('Infinity', 1e308, 'real')).toBe(false);
  });

  it('booleans accept any case and 1/0', () => {
    for (const doc of ['true', 'True', 'TRUE', '1']) expect(same(doc, true, 'bool')).toBe(true);
    expect(same('0', false, 'bool')).toBe(true);
    expect(same('false', true, 'bool')).toBe(false);
    expect(same('yes', true, 'bool')).toBe(false);
  });

  it('guids ignore case and braces', () => {
    const engine = 'c6a48cb3-9f98-4670-bf5b-589d0e0dcaf5';
    expect(same('{C6A48CB3-9F98-4670-BF5B-589D0E0DCAF5}', engine, 'guid')).toBe(true);
    expect(same('c6a48cb3-9f98-4670-bf5b-589d0e0dcaf6', engine, 'guid')).toBe(false);
  });

  it('dynamic values compare as JSON with lenient docs, key order ignored, array order kept', () => {
    expect(same("{'b': [1, 2,], 'a': 1,}", '{"a":1,"b":[1,2]}', 'dynamic')).toBe(true);
    expect(same('{<br>"a": 1,<br> "b": "x"<br>}', '{"b":"x","a":1}', 'dynamic')).toBe(true);
    expect(same('[1,2]', '[2,1]', 'dynamic')).toBe(false);
    expect(same('{"a":1}', '{"a":1,"b":2}', 'dynamic')).toBe(false);
    expect(same('{"a":"1"}', '{"a":1}', 'dynamic')).toBe(false);
    expect(same('Hello', '"Hello"', 'dynamic')).toBe(true);
    expect(same('2', '2', 'dynamic')).toBe(true);
    expect(same('[0.30000000000000004]', '[0.3]', 'dynamic')).toBe(true);
    expect(same('[0.31]', '[0.3]', 'dynamic')).toBe(false);
    expect(same('[3855580634910899594]', '[3855580634910899600]', 'dynamic')).toBe(false);
    expect(same('["2017-01-01 00:00:00.0000000"]', '["2017-01-01T00:00:00Z"]', 'dynamic')).toBe(true);
    expect(same('["2017-01-01"]', '["2017-01-02T00:00:00Z"]', 'dynamic')).toBe(false);
  });

  it('[ ... ] in a dynamic cell stands for omitted elements only in truncated cases', () => {
    expect(same('[1, 2, ...]', '[1,2,3,4]', 'dynamic', TRUNCATED)).toBe(true);
    expect(same('[1, ..., 4]', '[1,2,3,4]', 'dynamic', TRUNCATED)).toBe(true);
    expect(
      same(
        '{"type": "Polygon", "coordinates": [ ... ]}',
        '{"type":"Polygon","coordinates":[[1,2]]}',
        'dynamic',
        TRUNCATED,
      ),
    ).toBe(true);
    expect(same('[1, ..., 5]', '[1,2,3,4]', 'dynamic', TRUNCATED)).toBe(false);
    expect(same('[1, 2, ...]', '[1,2,3,4]', 'dynamic')).toBe(false);
  });

  it('strings compare case-sensitively after folding whitespace, quotes optional, JSON as JSON', () => {
    expect(same('a  b', 'a\nb', 'string')).toBe(true);
    expect(same('line1<br>line2', 'line1\nline2', 'string')).toBe(true);
    expect(same('"abc"', 'abc', 'string')).toBe(true);
    expect(same('abc', 'ABC', 'string')).toBe(false);
    expect(same('ab', 'a b', 'string')).toBe(false);
    expect(same('{"a":1, "b":2}', '{"b":2,"a":1}', 'string')).toBe(true);
    expect(same('{"a":1, "b":2}', '{"b":2,"a":3}', 'string')).toBe(false);
  });

  it('an unknown type tries every reading', () => {
    expect(same('5', 5, undefined)).toBe(true);
    expect(same('5', '5', undefined)).toBe(true);
    expect(same('2016-02-17', '2016-02-17T00:00:00Z', undefined)).toBe(true);
    expect(same('5', 6, undefined)).toBe(false);
  });
});

const NO_FLAGS: CaseFlags = {
  nondeterministic: false,
  ordered: false,
  truncated: false,
  html: false,
  approximate: false,
  external: false,
  malformed: false,
  schemaMismatch: false,
  multipleResults: false,
  erratum: false,
};

function docCase(
  columns: string[],
  rows: string[][],
  extra: Partial<ConformanceCase> & { flags?: Partial<CaseFlags> } = {},
) {
  return {
    id: 'x.md#L1',
    source: { path: 'x.md', line: 1 },
    query: '',
    schema: null,
    orderBy: null,
    ...extra,
    expected: { columns, rows },
    flags: { ...NO_FLAGS, ...extra.flags },
  } as ConformanceCase;
}

function engineTable(columns: [string, string][], rows: Json[][]): EngineTable {
  return { name: 'PrimaryResult', columns: columns.map(([name, type]) => ({ name, type })), rows };
}

const ok = (c: ConformanceCase, ...tables: EngineTable[]) => compareResult(c, tables).ok;

describe('table rules', () => {
  const ab = engineTable(
    [
      ['a', 'long'],
      ['b', 'string'],
    ],
    [[1, 'x']],
  );

  it('column names must equal the header in order', () => {
    expect(ok(docCase(['a', 'b'], [['1', 'x']]), ab)).toBe(true);
    expect(ok(docCase(['b', 'a'], [['x', '1']]), ab)).toBe(false);
    expect(ok(docCase(['a'], [['1']]), ab)).toBe(false);
  });

  it('schemaMismatch matches documented columns by name as a subset, else by position', () => {
    expect(ok(docCase(['b'], [['x']], { flags: { schemaMismatch: true } }), ab)).toBe(true);
    expect(ok(docCase(['A', 'B'], [['1', 'x']], { flags: { schemaMismatch: true } }), ab)).toBe(true);
    expect(ok(docCase(['A', 'B'], [['2', 'x']], { flags: { schemaMismatch: true } }), ab)).toBe(false);
    expect(ok(docCase(['c'], [['x']], { flags: { schemaMismatch: true } }), ab)).toBe(false);
  });

  const longs = (...values: number[]) =>
    engineTable(
      [['n', 'long']],
      values.map((v) => [v]),
    );

  it('rows are a multiset unless ordered', () => {
    const doc = docCase(['n'], [['1'], ['1'], ['2']]);
    expect(ok(doc, longs(2, 1, 1))).toBe(true);
    expect(ok(doc, longs(1, 2, 2))).toBe(false);
    expect(ok(doc, longs(1, 1))).toBe(false);
    expect(ok(doc, longs(1, 1, 2, 2))).toBe(false);
  });

  it('ordered without orderBy needs the exact order', () => {
    const doc = docCase(['n'], [['1'], ['2']], { flags: { ordered: true } });
    expect(ok(doc, longs(1, 2))).toBe(true);
    expect(ok(doc, longs(2, 1))).toBe(false);
  });

  it('ordered with orderBy lets rows that tie on the keys come in any order', () => {
    const doc = docCase(
      ['k', 'v'],
      [
        ['1', 'a'],
        ['1', 'b'],
        ['2', 'c'],
      ],
      { orderBy: ['k'], flags: { ordered: true } },
    );
    const table = (...rows: [number, string][]) =>
      engineTable(
        [
          ['k', 'long'],
          ['v', 'string'],
        ],
        rows,
      );
    expect(ok(doc, table([1, 'b'], [1, 'a'], [2, 'c']))).toBe(true);
    expect(ok(doc, table([2, 'c'], [1, 'a'], [1, 'b']))).toBe(false);
    expect(ok(doc, table([1, 'a'], [1, 'c'], [2, 'b']))).toBe(false);
  });

  it('truncated tables: shown rows must be found; ordered ones anchor top and bottom', () => {
    const rows = [['1'], ['2'], ['...'], ['9']];
    const ordered = docCase(['n'], rows, { flags: { ordered: true, truncated: true } });
    expect(ok(ordered, longs(1, 2, 3, 4, 5, 6, 7, 8, 9))).toBe(true);
    expect(ok(ordered, longs(1, 2, 3, 4, 5, 6, 7, 9, 8))).toBe(false);
    const unordered = docCase(['n'], rows, { flags: { truncated: true } });
    expect(ok(unordered, longs(9, 5, 2, 1))).toBe(true);
    expect(ok(unordered, longs(9, 5, 2))).toBe(false);
  });

  it('a blank row without one cell per column means no rows', () => {
    const doc = docCase(['a', 'b'], [['']]);
    expect(
      ok(
        doc,
        engineTable(
          ab.columns.map((c) => [c.name, c.type]),
          [],
        ),
      ),
    ).toBe(true);
    expect(ok(doc, ab)).toBe(false);
  });

  it('any of several engine tables may match', () => {
    const doc = docCase(['n'], [['7']]);
    expect(ok(doc, ab, longs(7))).toBe(true);
    expect(ok(doc, ab, longs(8))).toBe(false);
  });

  it('explains the first mismatch', () => {
    const verdict = compareResult(docCase(['n'], [['1'], ['3']]), [longs(1, 2)]);
    expect(verdict).toEqual({ ok: false, reason: 'row 2, column n (long): expected "3", got 2' });
  });
});

describe('run summary', () => {
  it('counts outcomes into the summary line and folds reasons by kind', () => {
    const c = docCase(['n'], [['1']]);
    const results = [
      { case: c, status: 'passed' as const },
      { case: c, status: 'failed' as const, reason: 'NotSupportedError: not supported: foo() at 1:7' },
      { case: c, status: 'failed' as const, reason: 'NotSupportedError: not supported: foo() at 3:2' },
      { case: c, status: 'skipped' as const, cause: 'external' as const },
    ];
    expect(summaryLine(totalsOf(results))).toBe('1 passed, 2 failed, 1 skipped');
    expect(commonReasons(results)).toEqual([['NotSupportedError: not supported: foo()', 2]]);
  });
});
