import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkspaceInfo } from '../src/store/reader.js';
import { readRows } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';
import { provlogJson, startProvlog, tempDir, tenantArgs } from './helpers/cli.js';

const END = '2026-08-01T00:00:00Z';

/** Seeded, so a failing schedule of kills can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function storedIds(dir: string): string[] {
  const ws = Workspace.open(dir);
  return [...readRows(ws, 'AADProvisioningLogs'), ...readRows(ws, 'AuditLogs')].map((r) => r.Id as string);
}

function filesOnDisk(dir: string): string[] {
  const data = join(dir, 'data');
  if (!existsSync(data)) return [];
  return readdirSync(data, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function killAfter(args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = startProvlog(args);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('crash safety', () => {
  it('an import killed with SIGKILL at random moments leaves the workspace as before, and a re-run completes', async () => {
    const dir = tempDir('provlog-crash-');
    const all = join(dir, 'all.jsonl');
    const first = join(dir, 'first.jsonl');
    const second = join(dir, 'second.json');
    // The second file holds the whole tenant as diagnostic records; the first, part of it as LA rows.
    const tenant = tenantArgs(9, { users: 150, apps: 5, days: 6, end: END });
    provlogJson(['generate', '--out', all, ...tenant]);
    const lines = readFileSync(all, 'utf8').trimEnd().split('\n');
    writeFileSync(first, lines.slice(0, Math.floor(lines.length * 0.4)).join('\n'));
    provlogJson(['generate', '--out', second, '--format', 'diagnostic', ...tenant]);

    // Reference: how many rows the full imports give, and how long the second one takes.
    const reference = join(dir, 'reference');
    provlogJson(['import', first, '--workspace', reference]);
    const started = performance.now();
    provlogJson(['import', second, '--workspace', reference]);
    const fullMs = performance.now() - started;
    const expectedIds = storedIds(reference).sort();
    expect(new Set(expectedIds).size).toBe(expectedIds.length);
    expect(expectedIds.length).toBe(lines.length);

    const ws = join(dir, 'ws');
    provlogJson(['import', first, '--workspace', ws]);
    const before = storedIds(ws).sort();
    const beforeFiles = filesOnDisk(ws);

    const random = mulberry32(20261127);
    const outcomes = { before: 0, after: 0 };
    for (let attempt = 0; attempt < 12; attempt++) {
      const delay = Math.round(random() * fullMs * 1.1);
      await killAfter(['import', second, '--workspace', ws], delay);
      const ids = storedIds(ws).sort();
      // All or nothing: the workspace holds exactly the rows before the import, or all of them.
      if (ids.length === before.length) {
        expect(ids).toEqual(before);
        outcomes.before++;
      } else {
        expect(ids).toEqual(expectedIds);
        outcomes.after++;
        break;
      }
    }
    expect(outcomes.before).toBeGreaterThan(0);

    const rerun = provlogJson<{ added: number; duplicates: number; rejected: number }>([
      'import',
      second,
      '--workspace',
      ws,
    ]);
    expect(rerun.rejected).toBe(0);
    const finalIds = storedIds(ws).sort();
    expect(finalIds).toEqual(expectedIds);
    expect(new Set(finalIds).size).toBe(finalIds.length);

    // Orphan partition files left by the killed runs are gone once a writer has run.
    const info = provlogJson<WorkspaceInfo>(['workspace', 'info', '--workspace', ws]);
    const listed = filesOnDisk(ws);
    expect(listed.length).toBe(info.tables.reduce((n, t) => n + t.files * 2, 0));
    expect(listed).toEqual(expect.arrayContaining(beforeFiles));
  });
});
