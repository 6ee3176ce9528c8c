import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { provlog, provlogJson, tempDir, tenantArgs } from './helpers/cli.js';

const END = '2026-10-01T00:00:00Z';

interface ImportJson {
  read: number;
  added: number;
  rejected: number;
  warnings: string[];
  rejectsPath?: string;
}

function importJson(file: string, ws: string, extra: string[] = []) {
  const result = provlog(['import', file, '--workspace', ws, '--json', ...extra]);
  return { ...result, summary: result.stdout ? (JSON.parse(result.stdout) as ImportJson) : undefined };
}

function rejects(
  summary: ImportJson | undefined,
): { file: string; line: number; reason: string; excerpt: string }[] {
  return readFileSync(summary!.rejectsPath!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('internal error');
}

describe('bad input', () => {
  const dir = tempDir('provlog-bad-');
  const good = join(dir, 'good.jsonl');
  provlogJson(['generate', '--out', good, ...tenantArgs(2, { users: 20, apps: 2, days: 1, end: END })]);
  const goodLines = readFileSync(good, 'utf8').trimEnd().split('\n');

  it('truncated JSON: the cut record is rejected with its line, the others import', () => {
    const file = join(dir, 'truncated.jsonl');
    const last = goodLines.length;
    writeFileSync(file, `${goodLines.slice(0, -1).join('\n')}\n${goodLines[last - 1].slice(0, 100)}`);
    const result = importJson(file, join(dir, 'ws-truncated'));
    expect(result.code).toBe(4);
    expect(result.summary).toMatchObject({ read: last, added: last - 1, rejected: 1 });
    const [reject] = rejects(result.summary);
    expect(reject).toMatchObject({ file, line: last });
    expect(reject.reason).toMatch(/JSON/i);
    expect(result.stderr).toContain('rejected');
    expectNoStack(result.stderr);
  });

  it('truncated JSON array (Graph page cut short) rejects the unterminated element', () => {
    const graph = join(dir, 'graph.json');
    provlogJson([
      'generate',
      '--out',
      graph,
      '--format',
      'graph',
      ...tenantArgs(2, { users: 20, apps: 2, days: 1, end: END }),
    ]);
    const text = readFileSync(graph, 'utf8');
    const cut = join(dir, 'graph-cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const result = importJson(cut, join(dir, 'ws-graph-cut'));
    expect(result.code).toBe(4);
    expect(result.summary!.added).toBeGreaterThan(0);
    expect(result.summary!.rejected).toBeGreaterThanOrEqual(1);
    expect(rejects(result.summary)[0].line).toBeGreaterThan(0);
    expectNoStack(result.stderr);
  });

  it('wrong types are rejected naming the field; --allow-rejects exits 0', () => {
    const file = join(dir, 'types.jsonl');
    const a = JSON.parse(goodLines[0]);
    const b = JSON.parse(goodLines[1]);
    a.TimeGenerated = 'yesterday-ish';
    b.DurationMs = { not: 'a number' };
    writeFileSync(file, [JSON.stringify(a), JSON.stringify(b), goodLines[2]].join('\n'));
    const result = importJson(file, join(dir, 'ws-types'));
    expect(result.code).toBe(4);
    expect(result.summary).toMatchObject({ read: 3, added: 1, rejected: 2 });
    const reasons = rejects(result.summary);
    expect(reasons.map((r) => r.line)).toEqual([1, 2]);
    expect(reasons[0].reason).toMatch(/TimeGenerated/);
    expect(reasons[1].reason).toMatch(/DurationMs/);
    const allowed = importJson(file, join(dir, 'ws-types-allowed'), ['--allow-rejects']);
    expect(allowed.code).toBe(0);
  });

  it('unknown format: a clear one-line error naming the file', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'Dear admin,\nplease find the logs attached.\n');
    const result = provlog(['import', file, '--workspace', join(dir, 'ws-unknown')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expectNoStack(result.stderr);
  });

  it('empty file: says so, adds nothing', () => {
    const file = join(dir, 'empty.json');
    writeFileSync(file, '');
    const result = provlog(['import', file, '--workspace', join(dir, 'ws-empty')]);
    expect(result.stderr).toContain('empty');
    expect(result.stderr).toContain(file);
    expectNoStack(result.stderr);
  });

  it('binary garbage: a clear error, no crash', () => {
    const file = join(dir, 'garbage.json');
    writeFileSync(file, randomBytes(64 * 1024));
    const result = provlog(['import', file, '--workspace', join(dir, 'ws-garbage')]);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBe(70);
    expect(result.stderr).toContain(file);
    expectNoStack(result.stderr);
  });

  it('a 50 MB line: a valid record imports, an invalid one is rejected with a short excerpt', () => {
    const file = join(dir, 'huge.jsonl');
    const big = JSON.parse(goodLines[0]);
    big.ResultDescription = 'x'.repeat(50 * 2 ** 20);
    const broken = `{"TimeGenerated":"${'y'.repeat(50 * 2 ** 20)}`;
    writeFileSync(file, [JSON.stringify(big), broken, goodLines[1]].join('\n'));
    const result = importJson(file, join(dir, 'ws-huge'));
    expect(result.code).toBe(4);
    expect(result.summary).toMatchObject({ read: 3, added: 2, rejected: 1 });
    const [reject] = rejects(result.summary);
    expect(reject.line).toBe(2);
    expect(reject.excerpt.length).toBeLessThanOrEqual(200);
  });

  it('a CSV with unknown headers: they are named in a warning', () => {
    const file = join(dir, 'ProvisioningLogs.csv');
    writeFileSync(
      file,
      'Date,Change ID,Job ID,Cycle ID,Id,Status,Action,Favourite Colour\n' +
        '2026-09-30T10:00:00Z,chg-1,scim.x.y,cyc-1,evt-1,Success,Create,teal\n',
    );
    const result = importJson(file, join(dir, 'ws-csv'), ['--allow-rejects']);
    expect(result.summary?.warnings.join('\n') ?? result.stderr).toContain('Favourite Colour');
    expectNoStack(result.stderr);
  });
});
