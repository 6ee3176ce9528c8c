import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkLock,
  checkQuery,
  currentEntries,
  defaultLibraryDir,
  defaultReportsDir,
  LOCK_FILE,
  type Lock,
  loadLibrary,
  loadReports,
  ParameterError,
  parameterTexts,
  parseQueryFile,
  prepareQuery,
  QueryFileError,
  responseJson,
  runQuery,
  TABLES,
  workspaceSchemas,
} from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

const library = loadLibrary();
const NOW = BigInt(Date.parse('2026-06-01T00:00:00Z')) * 10_000n;

/** Values for the parameters a query requires (it has no default for them). */
function required(id: string): Map<string, string[]> {
  const texts = new Map<string, string[]>();
  for (const p of library.query(id)!.parameters)
    if (p.default === undefined) texts.set(p.name, ['someone@contoso.example']);
  return texts;
}

describe('the shipped library', () => {
  it('has the queries the reports need, each with a header the loader accepts', () => {
    expect(library.queries.length).toBeGreaterThanOrEqual(15);
    expect(library.functions.map((f) => f.name).sort()).toEqual(['ProvisioningAudit', 'ProvisioningEvents']);
    for (const report of loadReports())
      for (const section of report.sections)
        if ('query' in section)
          expect(library.query(section.query), `${report.id}/${section.id}`).toBeDefined();
    for (const q of library.queries) {
      expect(q.description.length, q.id).toBeGreaterThan(40);
      for (const table of q.tables) expect(Object.keys(TABLES), q.id).toContain(table);
    }
  });

  it('passes the analyser against the real table schemas with zero diagnostics, every query', () => {
    for (const query of library.queries) {
      const { text } = prepareQuery(library, query, required(query.id), { now: NOW });
      const diagnostics = checkQuery(text, workspaceSchemas());
      expect(
        diagnostics.map((d) => `${d.code} ${d.message}`),
        query.id,
      ).toEqual([]);
    }
  });

  it('names no system literally: only the parser knows "Azure Active Directory"', () => {
    for (const query of library.queries)
      expect(query.body, query.id).not.toMatch(/Azure Active Directory|Entra ID'/);
  });
});

describe('query parameters', () => {
  const trace = library.query('user-trace')!;

  it('turns every string into an escaped literal: hostile values match themselves and change nothing else', () => {
    for (const hostile of [
      "x' or 1 == 1 or '",
      'x" or 1 == 1 or "',
      'back\\slash\\',
      'line\nbreak\r\ttab',
      '{TimeRange} {User:escape} }{',
      '<img src=x onerror=alert(1)>',
      'Zoë 李 \u2028',
    ]) {
      const { text } = prepareQuery(library, trace, new Map([['User', [hostile]]]), { now: NOW });
      expect(
        checkQuery(text, workspaceSchemas()).filter((d) => d.severity === 'Error'),
        hostile,
      ).toEqual([]);
      const literal = /SourceUPN =~ ('(?:[^'\\]|\\.)*')/.exec(text)![1];
      const echoed = JSON.parse(responseJson(runQuery(`print v = ${literal}`))).tables[0].rows[0][0];
      expect(echoed, hostile).toBe(hostile);
    }
  });

  it('formats time ranges as the workbook formatter does, relative and absolute', () => {
    const query = parseQueryFile(
      'inline.kql',
      [
        '// Id: time-forms',
        '// Version: 1.0.0',
        '// Display name: Time forms',
        '// Description: Every time range token.',
        '// Parameter: TimeRange: timerange = 7d',
        'print q = "{TimeRange}", s = {TimeRange:start}, e = {TimeRange:end}, g = {TimeRange:grain},',
        '  si = "{TimeRange:startISO}", ei = "{TimeRange:endISO}", d = "{TimeRange:durationISO}", l = "{TimeRange:label}"',
      ].join('\n'),
    );
    if (query.kind !== 'query') throw new Error('not a query');
    const cells = (texts: Map<string, string[]>) => {
      const { text } = prepareQuery(library, query, texts, { now: NOW });
      return JSON.parse(responseJson(runQuery(text, { now: NOW }))).tables[0].rows[0];
    };
    expect(cells(new Map())).toEqual([
      'between (ago(7d) .. now())',
      '2026-05-25T00:00:00Z',
      '2026-06-01T00:00:00Z',
      '06:00:00',
      '2026-05-25T00:00:00Z',
      '2026-06-01T00:00:00Z',
      'PT168H',
      'Last 7 days',
    ]);
    expect(cells(new Map([['TimeRange', ['2026-01-01/2026-04-01T12:00']]]))).toEqual([
      'between (datetime(2026-01-01T00:00:00Z) .. datetime(2026-04-01T12:00:00Z))',
      '2026-01-01T00:00:00Z',
      '2026-04-01T12:00:00Z',
      '2.00:00:00',
      '2026-01-01T00:00:00Z',
      '2026-04-01T12:00:00Z',
      'PT2172H',
      '2026-01-01 00:00Z to 2026-04-01 12:00Z (UTC)',
    ]);
    expect(cells(new Map([['TimeRange', ['PT36H']]]))[0]).toBe('between (ago(36h) .. now())');
  });

  it('types values and says what is wrong with a bad one', () => {
    const bad: [string, string, RegExp][] = [
      ['attribute-changes', 'HideNoise=maybe', /HideNoise \(bool\): not true or false: maybe/],
      ['provisioning-stopped', 'Silence=soon', /Silence \(timespan\): not a timespan: soon/],
      ['failures-by-app', 'TimeRange=yesterday', /TimeRange \(timerange\): not a time range: yesterday/],
      ['failures-by-app', 'TimeRange=2026-02-01/2026-01-01', /ends before it starts/],
      ['failures-by-app', 'Apps=["a",1]', /not a JSON array of strings/],
      [
        'failures-by-app',
        'Nope=1',
        /query failures-by-app has no parameter Nope \(it has: TimeRange, Apps\)/,
      ],
      ['user-trace', 'TimeRange=7d', /query user-trace needs --param User=/],
    ];
    for (const [id, arg, message] of bad) {
      expect(
        () => prepareQuery(library, library.query(id)!, parameterTexts([arg]), { now: NOW }),
        arg,
      ).toThrow(message);
    }
    expect(() => parameterTexts(['NoEquals'])).toThrow(ParameterError);
  });

  it('takes a list as repeated values or a JSON array', () => {
    const query = library.query('failures-by-app')!;
    const repeated = prepareQuery(library, query, parameterTexts(['Apps=Box', "Apps=O'Brien HR"]), {
      now: NOW,
    });
    const json = prepareQuery(library, query, parameterTexts([`Apps=["Box","O'Brien HR"]`]), { now: NOW });
    expect(repeated.text).toContain("App in ('Box', 'O\\'Brien HR') or '*' in ('Box', 'O\\'Brien HR')");
    expect(json.text).toBe(repeated.text);
  });
});

describe('query files', () => {
  const header = [
    '// Id: demo-query',
    '// Version: 1.0.0',
    '// Display name: Demo',
    '// Description: A demo.',
  ];

  it('reject a header mistake with the file and line', () => {
    const cases: [string[], RegExp][] = [
      [[...header, '// Colour: blue', 'print 1'], /x\.kql:5: unknown header key "Colour"/],
      [
        [...header.slice(0, 1), '// Version: 1.0', ...header.slice(2), 'print 1'],
        /x\.kql:2: Version is not semver/,
      ],
      [[...header, 'print a = {Missing}'], /x\.kql:5: \{Missing\} is not a declared parameter/],
      [
        [...header, '// Parameter: N: long = 3', 'print {N:start}'],
        /x\.kql:6: \{N:start\}: long has no format :start/,
      ],
      [[...header, '// Parameter: N: number', 'print 1'], /x\.kql:5: unknown parameter type number/],
      [header, /x\.kql:5: the file has no query after its header/],
    ];
    for (const [lines, message] of cases) {
      expect(() => parseQueryFile('x.kql', lines.join('\n'))).toThrow(QueryFileError);
      expect(() => parseQueryFile('x.kql', lines.join('\n'))).toThrow(message);
    }
  });
});

describe('the version lock', () => {
  it('matches the shipped queries, functions and reports', () => {
    const lock = JSON.parse(readFileSync(join(defaultLibraryDir(), LOCK_FILE), 'utf8')) as Lock;
    const check = checkLock(currentEntries(defaultLibraryDir(), defaultReportsDir()), lock);
    expect(check).toEqual({ errors: [], stale: [] });
  });

  it('fails a changed body without a version bump, and accepts it with one', () => {
    const dir = tempDir('provlog-lock-');
    const queries = join(dir, 'queries');
    const reports = join(dir, 'reports');
    mkdirSync(join(queries, 'functions'), { recursive: true });
    mkdirSync(reports);
    const file = join(queries, 'q.kql');
    const write = (version: string, body: string) =>
      writeFileSync(
        file,
        `// Id: q\n// Version: ${version}\n// Display name: Q\n// Description: Q.\n${body}\n`,
      );
    write('1.0.0', 'print 1');
    const lock = currentEntries(queries, reports);
    expect(checkLock(lock, lock)).toEqual({ errors: [], stale: [] });

    write('1.0.0', 'print 2');
    expect(checkLock(currentEntries(queries, reports), lock).errors).toEqual([
      'query:q changed but its version is still 1.0.0: bump the version',
    ]);
    write('1.0.0', 'print 1   ');
    expect(checkLock(currentEntries(queries, reports), lock).errors).toEqual([]);

    write('1.1.0', 'print 2');
    expect(checkLock(currentEntries(queries, reports), lock)).toEqual({
      errors: [],
      stale: ['query:q 1.0.0 -> 1.1.0'],
    });
    write('0.9.0', 'print 2');
    expect(checkLock(currentEntries(queries, reports), lock).errors).toEqual([
      'query:q version 0.9.0 is lower than the locked 1.0.0',
    ]);
  });
});
