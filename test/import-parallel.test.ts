import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRows } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';
import { provlog, provlogJson, startProvlog, tempDir, tenantArgs } from './helpers/cli.js';

interface Summary {
  read: number;
  added: number;
  duplicates: number;
  rejected: number;
  readers: number;
  warnings: string[];
  rejectsPath?: string;
}

const END = '2026-11-01T00:00:00Z';

function sortedRows(dir: string): Record<string, unknown>[] {
  const ws = Workspace.open(dir);
  const rows = [...readRows(ws, 'AADProvisioningLogs'), ...readRows(ws, 'AuditLogs')];
  return rows.sort((a, b) => ((a.Id as string) < (b.Id as string) ? -1 : 1));
}

function rejects(summary: Summary): { file: string; line: number; reason: string }[] {
  return readFileSync(summary.rejectsPath!, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const { file, line: at, reason } = JSON.parse(line) as { file: string; line: number; reason: string };
      return { file, line: at, reason };
    })
    .sort((a, b) => a.line - b.line);
}

describe('parallel import of a large JSON-lines file', () => {
  const dir = tempDir('provlog-parallel-');
  const input = join(dir, 'big.jsonl');
  let lines: string[];
  let badLines: number[];

  beforeAll(() => {
    const generated = join(dir, 'generated.jsonl');
    provlogJson([
      'generate',
      '--out',
      generated,
      '--format',
      'la',
      ...tenantArgs(5, { users: 300, apps: 6, days: 7, end: END }),
    ]);
    lines = readFileSync(generated, 'utf8').trimEnd().split('\n');
    // Broken records in the second half (the second reader's slice), and one repeated record.
    const truncated = Math.floor(lines.length * 0.7);
    const badTime = Math.floor(lines.length * 0.9);
    lines[truncated] = lines[truncated].slice(0, 40);
    const row = JSON.parse(lines[badTime]) as Record<string, unknown>;
    row.TimeGenerated = 'yesterday';
    lines[badTime] = JSON.stringify(row);
    lines.push(lines[4]);
    badLines = [truncated + 1, badTime + 1];
    writeFileSync(input, `${lines.join('\n')}\n`);
    expect(statSync(input).size).toBeGreaterThan(64 * 2 ** 20);
  });

  it('reads in slices on two threads and stores exactly what one thread stores', () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const sequential = provlogJson<Summary>([
      'import',
      input,
      empty,
      '--workspace',
      one,
      '--readers',
      '1',
      '--allow-rejects',
    ]);
    const parallel = provlogJson<Summary>([
      'import',
      input,
      empty,
      '--workspace',
      two,
      '--readers',
      '2',
      '--allow-rejects',
    ]);
    expect(sequential.readers).toBe(1);
    expect(parallel.readers).toBe(2);
    for (const summary of [sequential, parallel]) {
      expect(summary.read).toBe(lines.length);
      expect(summary.rejected).toBe(2);
      expect(summary.duplicates).toBe(1);
      expect(summary.added).toBe(lines.length - 3);
      expect(summary.warnings).toEqual([`${empty}: empty file`]);
    }
    // Rejects carry the line numbers of the whole file, not of a slice.
    expect(rejects(parallel)).toEqual(rejects(sequential));
    expect(rejects(parallel).map((r) => r.line)).toEqual(badLines);
    expect(rejects(parallel)[1].reason).toMatch(/^TimeGenerated/);

    const stored = sortedRows(two);
    expect(stored.length).toBe(lines.length - 3);
    expect(stored).toEqual(sortedRows(one));
  });

  it('a parallel import killed with SIGKILL leaves the workspace as before, and a re-run completes', async () => {
    const ws = join(dir, 'killed');
    const started = performance.now();
    const reference = join(dir, 'reference');
    provlogJson<Summary>(['import', input, '--workspace', reference, '--readers', '2', '--allow-rejects']);
    const fullMs = performance.now() - started;
    for (const share of [0.3, 0.6, 0.85]) {
      await new Promise<void>((resolve) => {
        const child = startProvlog(['import', input, '--workspace', ws, '--readers', '2']);
        const timer = setTimeout(() => child.kill('SIGKILL'), Math.round(share * fullMs));
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const count = Workspace.open(ws, { create: true }).catalog().imports.length;
      const rows = sortedRows(ws).length;
      // All or nothing.
      expect([0, lines.length - 3]).toContain(rows);
      expect(count === 0 ? 0 : lines.length - 3).toBe(rows);
    }
    const rerun = provlogJson<Summary>([
      'import',
      input,
      '--workspace',
      ws,
      '--readers',
      '2',
      '--allow-rejects',
    ]);
    const stored = sortedRows(ws);
    expect(new Set(stored.map((r) => r.Id)).size).toBe(lines.length - 3);
    expect(rerun.added + rerun.duplicates + rerun.rejected).toBe(lines.length);
  });

  it('a whole-file problem found by a reader thread stops the import with one line naming the file', () => {
    const ws = join(dir, 'stopped');
    const csv = join(dir, 'export.csv');
    writeFileSync(csv, 'Id,ResultType\nabc,Success\n');
    const result = provlog(['import', input, csv, '--format', 'la', '--workspace', ws, '--readers', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${csv}:1: no TimeGenerated column`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(sortedRows(ws)).toEqual([]);
  });
});
