import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkspaceInfo } from '../src/store/reader.js';
import { provlog, provlogJson, tempDir, tenantArgs } from './helpers/cli.js';

interface GenerateJson {
  truth: { rowCount: number; auditCount: number; byResult: Record<string, number> };
  added: number;
}

const END = '2026-10-01T00:00:00Z';

describe('provlog CLI', () => {
  it('prints help listing the commands', () => {
    const result = provlog(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['generate', 'import', 'workspace', 'demo'])
      expect(result.stdout).toContain(command);
  });

  it('rejects an unknown command in one line with exit code 2', () => {
    const result = provlog(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^provlog: Unknown argument: frobnicate/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('generates into a workspace and reports it with workspace info', () => {
    const ws = join(tempDir(), 'ws');
    const generated = provlogJson<GenerateJson>([
      'generate',
      '--workspace',
      ws,
      ...tenantArgs(3, { users: 40, apps: 4, days: 3, end: END }),
    ]);
    expect(generated.added).toBe(generated.truth.rowCount + generated.truth.auditCount);
    const info = provlogJson<WorkspaceInfo>(['workspace', 'info', '--workspace', ws]);
    const logs = info.tables.find((t) => t.table === 'AADProvisioningLogs')!;
    expect(logs.rows).toBe(generated.truth.rowCount);
    expect(info.tables.find((t) => t.table === 'AuditLogs')!.rows).toBe(generated.truth.auditCount);
    expect(logs.maxTime! < '2026-10-01T00:00:00.0000000Z').toBe(true);
    expect(logs.minTime! >= '2026-09-28T00:00:00.0000000Z').toBe(true);
    expect(info.bytes).toBeGreaterThan(0);
    const text = provlog(['workspace', 'info', '--workspace', ws]);
    expect(text.stdout).toContain('AADProvisioningLogs');
  });

  it('uses PROVLOG_WORKSPACE when no --workspace is given', () => {
    const ws = join(tempDir(), 'env-ws');
    const file = join(tempDir(), 'logs.jsonl');
    provlogJson(['generate', '--out', file, ...tenantArgs(4, { users: 20, apps: 2, days: 1, end: END })]);
    const imported = provlogJson<{ added: number; workspace: string }>(['import', file], {
      env: { PROVLOG_WORKSPACE: ws },
    });
    expect(imported.workspace).toBe(ws);
    expect(imported.added).toBeGreaterThan(0);
  });

  it('imports idempotently: a second import of the same file adds nothing', () => {
    const dir = tempDir();
    const file = join(dir, 'graph.json');
    provlogJson([
      'generate',
      '--out',
      file,
      '--format',
      'graph',
      ...tenantArgs(5, { users: 30, apps: 3, days: 2, end: END }),
    ]);
    const ws = join(dir, 'ws');
    const first = provlogJson<{ read: number; added: number; duplicates: number }>([
      'import',
      file,
      '--workspace',
      ws,
    ]);
    expect(first.added).toBe(first.read);
    const second = provlogJson<{ read: number; added: number; duplicates: number }>([
      'import',
      file,
      '--workspace',
      ws,
    ]);
    expect(second).toMatchObject({ read: first.read, added: 0, duplicates: first.read });
  });

  it('reports a missing file in one line', () => {
    const result = provlog(['import', '/nonexistent/logs.json', '--workspace', join(tempDir(), 'ws')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('provlog: no such file or folder: /nonexistent/logs.json');
  });

  it('refuses generate without a destination', () => {
    const result = provlog(['generate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give --workspace DIR or --out FILE');
  });

  it('builds the demo workspace and prints a summary computed from it', () => {
    const dir = tempDir();
    const result = provlog(['demo', '--dir', dir, '--end', END]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Events by result');
    expect(result.stdout).toContain('Failures by error code');
    expect(existsSync(join(dir, 'workspace', 'catalog.json'))).toBe(true);
    const json = provlogJson<{ summary: { rows: number; byResult: Record<string, number> } }>([
      'demo',
      '--dir',
      dir,
      '--end',
      END,
    ]);
    const info = provlogJson<WorkspaceInfo>(['workspace', 'info', '--workspace', join(dir, 'workspace')]);
    expect(json.summary.rows).toBe(info.tables.find((t) => t.table === 'AADProvisioningLogs')!.rows);
    for (const result of ['Success', 'Failure', 'Skipped'])
      expect(json.summary.byResult[result]).toBeGreaterThan(0);
  });

  it('refuses to replace a folder that is not a demo workspace', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'workspace'), 'not a folder');
    const result = provlog(['demo', '--dir', dir]);
    expect(result.code).toBe(1);
    expect(readFileSync(join(dir, 'workspace'), 'utf8')).toBe('not a folder');
  });
});
