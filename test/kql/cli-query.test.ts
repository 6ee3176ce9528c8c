import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, provlog, repoRoot, tempDir, tenantArgs } from '../helpers/cli.js';

let dir: string;
let workspace: string;
let cacheEnv: NodeJS.ProcessEnv;

function queryFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => {
  dir = tempDir('provlog-query-');
  workspace = join(dir, 'ws');
  cacheEnv = { PROVLOG_CACHE_DIR: join(dir, 'cache') };
  const generated = provlog([
    'generate',
    '--workspace',
    workspace,
    ...tenantArgs(5, { users: 30, apps: 3, days: 2, end: '2026-03-01T00:00:00Z' }),
  ]);
  expect(generated.code, generated.stderr).toBe(0);
});

describe('provlog query run', () => {
  it('prints the Log Analytics query API response with --format json', () => {
    const file = queryFile(
      'count.kql',
      'AADProvisioningLogs | summarize n = count(), earliest = min(TimeGenerated), span = max(TimeGenerated) - min(TimeGenerated), d = make_set(ResultType) by Type',
    );
    const result = provlog(['query', 'run', file, '--workspace', workspace, '--format', 'json'], {
      env: cacheEnv,
    });
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as {
      tables: { name: string; columns: { name: string; type: string }[]; rows: unknown[][] }[];
    };
    expect(Object.keys(body)).toEqual(['tables']);
    expect(body.tables[0].name).toBe('PrimaryResult');
    expect(body.tables[0].columns).toEqual([
      { name: 'Type', type: 'string' },
      { name: 'n', type: 'long' },
      { name: 'earliest', type: 'datetime' },
      { name: 'span', type: 'timespan' },
      { name: 'd', type: 'dynamic' },
    ]);
    const [type, n, first, span, set] = body.tables[0].rows[0] as [string, number, string, string, string];
    expect(type).toBe('AADProvisioningLogs');
    expect(n).toBeGreaterThan(100);
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/);
    expect(span).toMatch(/^(\d+\.)?\d\d:\d\d:\d\d(\.\d{7})?$/);
    expect(typeof set).toBe('string');
    expect(JSON.parse(set)).toEqual(expect.arrayContaining(['Success']));
  });

  it('gives the same answer from the analysis cache on a second run', () => {
    const file = queryFile(
      'jobs.kql',
      'AADProvisioningLogs | summarize count() by JobId | order by JobId asc',
    );
    const first = provlog(['query', 'run', file, '--workspace', workspace, '--format', 'json'], {
      env: cacheEnv,
    });
    const second = provlog(['query', 'run', file, '--workspace', workspace, '--format', 'json'], {
      env: cacheEnv,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it('reads the query from stdin with -', () => {
    const result = spawnSync(process.execPath, [cliPath, 'query', 'run', '-', '--format', 'json'], {
      cwd: repoRoot,
      input: 'print x = 41 + 1',
      encoding: 'utf8',
      env: { ...process.env, ...cacheEnv },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).tables[0].rows).toEqual([[42]]);
  });

  it('neutralises spreadsheet formulas in CSV output', () => {
    const file = queryFile('csv.kql', 'print name = "=HYPERLINK(\\"http://x\\")", n = 1');
    const result = provlog(['query', 'run', file, '--format', 'csv'], { env: cacheEnv });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe(`"'=HYPERLINK(""http://x"")",1`);
  });

  it('fails with a message naming line and column for errors', () => {
    const file = queryFile('bad.kql', 'AADProvisioningLogs\n| where resultType == "Failure"');
    const result = provlog(['query', 'run', file, '--workspace', workspace], { env: cacheEnv });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/2:9: .*resultType/);
    const unsupported = queryFile('fork.kql', 'print x = 1 | fork (take 1)');
    const failed = provlog(['query', 'run', unsupported], { env: cacheEnv });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/not supported: fork at 1:15/);
  });
});

describe('provlog query check', () => {
  it('prints diagnostics with a caret under the span and exits 1 on errors', () => {
    const file = queryFile('check.kql', 'AADProvisioningLogs\n| where DurationMs > "x"\n| project Nope');
    const result = provlog(['query', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file}:2:20:`);
    expect(result.stdout).toMatch(/\n {2}\| where DurationMs > "x"\n {21}\^\n/);
    expect(result.stdout).toContain(`${file}:3:11:`);
  });

  it('exits 0 and prints nothing for a clean query', () => {
    const file = queryFile('clean.kql', 'AADProvisioningLogs | where ResultType == "Failure" | count');
    const result = provlog(['query', 'check', file]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toBe('');
  });
});
