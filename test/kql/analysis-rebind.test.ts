import { readdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { cachedAnalyze } from '../../src/kql/analysis-cache.js';
import { stringLiteralSpans } from '../../src/kql/analysis-rebind.js';
import { analyze, type TableColumns } from '../../src/kql/analyzer.js';
import { runQuery } from '../../src/kql/engine.js';
import { tableFromRecords } from '../../src/kql/records.js';
import { workspaceSchemas } from '../../src/kql/workspace-source.js';
import { loadLibrary } from '../../src/queries/library.js';
import { parameterTexts, prepareQuery } from '../../src/queries/prepare.js';
import { tempDir } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function cacheDir(): string {
  const dir = tempDir('provlog-analyses-');
  dirs.push(dir);
  return dir;
}

describe('analyses reused for other string literal values', () => {
  test('a shipped query analysed for one user serves another exactly as a fresh analysis would', () => {
    const library = loadLibrary();
    const now = 639_000_000_000_000_000n;
    const text = (user: string) =>
      prepareQuery(library, library.query('user-trace')!, parameterTexts([`User=${user}`]), { now }).text;
    const dir = cacheDir();
    const schemas = workspaceSchemas();
    cachedAnalyze(text('first@contoso.com'), schemas, { dir });
    const entries = readdirSync(dir);
    expect(entries.filter((f) => f.startsWith('shape-'))).toHaveLength(1);
    // Longer, shorter, quotes and non-ASCII: every later position moves.
    for (const user of [
      "o'brien.löwe@contoso.com",
      'x',
      'ünïcødé <img src=x onerror=alert(1)>@fabrikam.com',
    ]) {
      const reused = cachedAnalyze(text(user), schemas, { dir });
      expect(reused).toEqual(analyze(text(user), schemas));
    }
    // Served from the first analysis: nothing new was analysed (a fresh analysis writes its entries).
    expect(readdirSync(dir)).toEqual(entries);
  });

  test('the engine answers with the new value, not the cached one', () => {
    const dir = cacheDir();
    const rows = [{ Name: 'alpha' }, { Name: 'beta' }, { Name: 'beta' }];
    const table = tableFromRecords([{ name: 'Name', type: 'string' }], rows);
    const schemas: TableColumns[] = [{ name: 'T', columns: [{ name: 'Name', type: 'string' }] }];
    const count = (name: string) =>
      runQuery(`T | where Name == '${name}' | count`, {
        schemas,
        source: { table: (n) => (n === 'T' ? table : undefined) },
        analysisCache: { dir },
      }).tables[0].table.data[0][0];
    expect(count('alpha')).toBe(1);
    const entries = readdirSync(dir);
    expect(count('beta')).toBe(2);
    expect(count('gamma')).toBe(0);
    expect(readdirSync(dir)).toEqual(entries);
  });

  test('a literal that names a table or column is never swapped', () => {
    const dir = cacheDir();
    const schemas: TableColumns[] = [
      { name: 'A', columns: [{ name: 'x', type: 'long' }] },
      { name: 'B', columns: [{ name: 'y', type: 'string' }] },
    ];
    const first = cachedAnalyze("table('A') | project x", schemas, { dir });
    expect(first.diagnostics).toEqual([]);
    const second = cachedAnalyze("table('B') | project x", schemas, { dir });
    expect(second.diagnostics.some((d) => d.severity === 'Error')).toBe(true);
    const fresh = cachedAnalyze("print v = column_ifexists('zz', 1)", schemas, { dir });
    expect(fresh).toEqual(analyze("print v = column_ifexists('zz', 1)", schemas));
  });

  test('the literal scanner reads every string form and skips comments', () => {
    const text = `T // it's a comment\n| where a == 'x\\'y' and b == "q\\"r" and c == @'p''q' and d == h'secret' and e == \`\`\`multi\nline\`\`\``;
    const spans = stringLiteralSpans(text)!;
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
      "'x\\'y'",
      '"q\\"r"',
      "@'p''q'",
      "h'secret'",
      '```multi\nline```',
    ]);
    expect(stringLiteralSpans("T | where a == 'unterminated")).toBeUndefined();
  });
});
