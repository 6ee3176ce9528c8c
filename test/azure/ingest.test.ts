/**
 * `provlog ingest` end to end, as a user runs it against the emulator: setup (table + rule), a backfill
 * of a generated workspace with --verify, and the promise that every row lands exactly once, checked
 * by query, through injected throttling, unavailability and dropped connections, through 413 splits,
 * and across a run killed with SIGKILL and then resumed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateTenant } from '../../src/generate/index.js';
import type { ProvisioningLogRow } from '../../src/model/rows.js';
import { writeSourceFile } from '../../src/model/sources/writers.js';
import { readRows, workspaceInfo } from '../../src/store/reader.js';
import { Workspace } from '../../src/store/workspace.js';
import { cliPath, provlogAsync, repoRoot, tempDir, tenantArgs } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

interface SetupJson {
  table: string;
  stream: string;
  dcrImmutableId: string;
  endpoint: string;
  workspaceId: string;
  functionName: string;
  functionKql: string;
}

interface SummaryJson {
  rowsRead: number;
  rowsSent: number;
  rowsAlreadyIngested: number;
  rowsFoundLanded: number;
  rejected: number;
  rejectsPath?: string;
  retries: number;
  splits: number;
  unknownOutcomes: number;
  lookups: number;
  ledger: string;
  verify?: { ok: boolean; landedRows: number; expectedRows: number; duplicates: number };
}

describe('provlog ingest', () => {
  let dir: string;
  let wsDir: string;
  let emu: TestEmulator;
  let query: LogsQueryClient;
  let sourceRows: number;
  let auditRows: number;

  beforeAll(async () => {
    dir = tempDir('provlog-ingest-');
    wsDir = join(dir, 'ws');
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const generated = await provlogAsync([
      'generate',
      '--workspace',
      wsDir,
      ...tenantArgs(11, { users: 60, apps: 3, days: 5, end }),
    ]);
    expect(generated.code, generated.stderr).toBe(0);
    const info = workspaceInfo(Workspace.open(wsDir));
    sourceRows = info.tables.find((t) => t.table === 'AADProvisioningLogs')!.rows;
    auditRows = info.tables.find((t) => t.table === 'AuditLogs')!.rows;
    emu = await startTestEmulator({ settings: { arm: { asyncTableOperations: false } } });
    query = new LogsQueryClient(emu.connection.credential, {
      endpoint: emu.connection.endpoints.query,
      ...emu.connection.clientOptions,
    });
  }, 60_000);

  afterAll(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function setup(dcr: string, extra: string[] = []): Promise<SetupJson> {
    const result = await provlogAsync(['ingest', 'setup', ...emu.cliArgs, '--dcr', dcr, ...extra, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as SetupJson;
  }

  function ingestArgs(target: SetupJson, extra: string[] = []): string[] {
    return [
      'ingest',
      ...emu.cliArgs,
      '--workspace',
      wsDir,
      '--dcr-immutable-id',
      target.dcrImmutableId,
      '--endpoint',
      target.endpoint,
      '--stream',
      target.stream,
      '--custom-table',
      target.table,
      '--workspace-id',
      target.workspaceId,
      ...extra,
      '--json',
    ];
  }

  async function ingest(target: SetupJson, extra: string[] = [], code = 0): Promise<SummaryJson> {
    const result = await provlogAsync(ingestArgs(target, extra));
    expect(result.code, result.stderr).toBe(code);
    return JSON.parse(result.stdout) as SummaryJson;
  }

  async function rows(workspaceId: string, kql: string): Promise<unknown[][]> {
    const result = await query.queryWorkspace(workspaceId, kql, { duration: 'P30D' });
    if (result.status !== 'Success') throw new Error('query failed');
    return result.tables[0].rows;
  }

  /** Rows in the table and distinct source rows among them. */
  async function landed(target: SetupJson): Promise<{ rows: number; distinct: number }> {
    const [[total]] = await rows(target.workspaceId, `${target.table} | count`);
    const [[distinct]] = await rows(target.workspaceId, `${target.table} | summarize by RecordId | count`);
    return { rows: Number(total), distinct: Number(distinct) };
  }

  test('setup, then a backfill with --verify; the function restores the original names; a rerun sends nothing', async () => {
    const target = await setup('backfill');
    expect(target.table).toBe('EntraProvisioning_CL');
    const summary = await ingest(target, ['--verify']);
    expect(summary.rowsRead).toBe(sourceRows);
    expect(summary.rowsSent).toBe(sourceRows);
    expect(summary.verify).toMatchObject({
      ok: true,
      landedRows: sourceRows,
      expectedRows: sourceRows,
      duplicates: 0,
    });
    expect(await landed(target)).toEqual({ rows: sourceRows, distinct: sourceRows });

    const source = [...readRows(Workspace.open(wsDir), 'AADProvisioningLogs')];
    const ids = source.map((r) => String(r.Id)).sort();
    const times = source.map((r) => String(r.TimeGenerated)).sort();
    const fn = `let ${target.functionName} = () {\n${target.functionKql}\n};\n${target.functionName}`;
    const [[count, distinctIds, typed, first, last]] = await rows(
      target.workspaceId,
      `${fn} | summarize count(), dcount(Id), countif(Type == 'AADProvisioningLogs'), min(TimeGenerated), max(TimeGenerated)`,
    );
    expect([count, distinctIds, typed]).toEqual([sourceRows, sourceRows, sourceRows]);
    expect((first as Date).getTime()).toBe(Date.parse(times[0]));
    expect((last as Date).getTime()).toBe(Date.parse(times[times.length - 1]));
    const sample = await rows(target.workspaceId, `${fn} | where Id == '${ids[0]}' | project JobId`);
    expect(sample).toEqual([[source.find((r) => r.Id === ids[0])!.JobId]]);

    const again = await ingest(target, ['--verify']);
    expect(again.rowsSent).toBe(0);
    expect(again.rowsAlreadyIngested).toBe(sourceRows);
    expect(again.verify?.ok).toBe(true);
  }, 60_000);

  test('the setup saves the function in the workspace; queries call it by name', async () => {
    const target = await setup('backfill-function', ['--custom-table', 'FunctionCheck_CL']);
    await ingest(target);
    const [[count]] = await rows(
      target.workspaceId,
      `${target.functionName} | where Type == 'AADProvisioningLogs' | count`,
    );
    expect(Number(count)).toBe(sourceRows);
  }, 60_000);

  test('a target saved by setup --workspace: ingest needs no ids, and looks nothing up', async () => {
    const setupRun = await provlogAsync([
      'ingest',
      'setup',
      ...emu.cliArgs,
      '--dcr',
      'backfill-saved',
      '--custom-table',
      'SavedCheck_CL',
      '--workspace',
      wsDir,
      '--json',
    ]);
    expect(setupRun.code, setupRun.stderr).toBe(0);
    expect(JSON.parse(setupRun.stdout).savedIn).toBeDefined();
    const run = await provlogAsync(['ingest', ...emu.cliArgs, '--workspace', wsDir, '--verify', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as SummaryJson & { lookups: number; customTable?: string };
    expect(summary.rowsSent).toBe(sourceRows);
    expect(summary.lookups).toBe(0);
    expect(summary.verify?.ok).toBe(true);
    const [[landedRows]] = await rows(JSON.parse(setupRun.stdout).workspaceId, 'SavedCheck_CL | count');
    expect(Number(landedRows)).toBe(sourceRows);
  }, 60_000);

  test('a window of the workspace sends only its rows; a later full backfill sends only the others', async () => {
    const target = await setup('backfill-window', ['--custom-table', 'WindowCheck_CL']);
    const times = [...readRows(Workspace.open(wsDir), 'AADProvisioningLogs')].map((r) =>
      String(r.TimeGenerated),
    );
    const sorted = [...times].sort();
    const from = sorted[Math.floor(sorted.length / 3)].slice(0, 13);
    const to = sorted[Math.floor((2 * sorted.length) / 3)].slice(0, 13);
    const inWindow = times.filter((t) => t >= `${from}:00:00` && t < `${to}:00:00`).length;
    expect(inWindow).toBeGreaterThan(0);
    const windowed = await ingest(target, ['--from', `${from}:00:00Z`, '--to', `${to}:00:00Z`, '--verify']);
    expect(windowed.rowsSent).toBe(inWindow);
    expect(windowed.verify?.ok).toBe(true);
    const full = await ingest(target, ['--verify']);
    expect(full.rowsSent).toBe(sourceRows - inWindow);
    expect(full.verify?.ok).toBe(true);
    expect(await landed(target)).toEqual({ rows: sourceRows, distinct: sourceRows });
  }, 90_000);

  test('AuditLogs go to a table of their own', async () => {
    const target = await setup('backfill-audit', ['--table', 'AuditLogs']);
    expect(target.table).toBe('EntraAudit_CL');
    const summary = await ingest(target, ['--table', 'AuditLogs', '--verify']);
    expect(summary.verify).toMatchObject({ ok: true, landedRows: auditRows });
  }, 60_000);

  test('throttling, unavailability and dropped connections: every row lands exactly once', async () => {
    const target = await setup('faulty', ['--custom-table', 'Faulty_CL', '--stream', 'Custom-Faulty']);
    emu.emulator.updateSettings({
      faults: {
        throttleRate: 0.15,
        unavailableRate: 0.1,
        dropRate: 0.1,
        retryAfterSeconds: 0,
        seed: 7,
        paths: ['/dataCollectionRules'],
      },
    });
    let summary: SummaryJson;
    try {
      summary = await ingest(target, ['--chunk-bytes', '60000', '--concurrency', '4']);
    } finally {
      emu.emulator.updateSettings({
        faults: { throttleRate: 0, unavailableRate: 0, dropRate: 0, paths: [] },
      });
    }
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.unknownOutcomes).toBeGreaterThan(0);
    expect(await landed(target)).toEqual({ rows: sourceRows, distinct: sourceRows });
  }, 60_000);

  test('a body over the service limit is split until it fits', async () => {
    const target = await setup('small-bodies', ['--custom-table', 'Split_CL', '--stream', 'Custom-Split']);
    emu.emulator.updateSettings({ ingestion: { maxBodyBytes: 150_000 } });
    let summary: SummaryJson;
    try {
      summary = await ingest(target);
    } finally {
      emu.emulator.updateSettings({ ingestion: { maxBodyBytes: 1_048_576 } });
    }
    expect(summary.splits).toBeGreaterThan(0);
    expect(await landed(target)).toEqual({ rows: sourceRows, distinct: sourceRows });
  }, 60_000);

  test('killed with SIGKILL mid-run, then resumed: every row lands exactly once', async () => {
    const target = await setup('killed', ['--custom-table', 'Killed_CL', '--stream', 'Custom-Killed']);
    emu.emulator.updateSettings({ faults: { latencyMs: 150, paths: ['/dataCollectionRules'] } });
    const args = ingestArgs(target, ['--chunk-bytes', '20000', '--concurrency', '4']);
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolvePromise) =>
      child.on('exit', (code) => resolvePromise(code)),
    );
    const ledgerDir = join(wsDir, 'ingest');
    const acked = (): number => {
      for (const name of existsSync(ledgerDir) ? readdirSync(ledgerDir) : []) {
        if (!name.startsWith('Custom-Killed-') || !name.endsWith('.json')) continue;
        try {
          const ledger = JSON.parse(readFileSync(join(ledgerDir, name), 'utf8')) as {
            acked: [number, number][];
          };
          return ledger.acked.reduce((n, [a, b]) => n + b - a + 1, 0);
        } catch {
          return 0;
        }
      }
      return 0;
    };
    try {
      const deadline = Date.now() + 30_000;
      while (acked() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(acked()).toBeGreaterThanOrEqual(10);
      child.kill('SIGKILL');
      expect(await exited).toBe(null);
    } finally {
      emu.emulator.updateSettings({ faults: { latencyMs: 0, paths: [] } });
    }
    const partial = await landed(target);
    expect(partial.rows).toBeLessThan(sourceRows);

    const resumed = await ingest(target, ['--chunk-bytes', '20000', '--verify']);
    expect(resumed.rowsAlreadyIngested).toBeGreaterThan(0);
    // The chunks the killed run had leased but not acknowledged were looked up before sending.
    expect(resumed.lookups).toBeGreaterThan(0);
    expect(resumed.rowsAlreadyIngested + resumed.rowsFoundLanded + resumed.rowsSent).toBe(sourceRows);
    expect(resumed.verify?.ok).toBe(true);
    expect(await landed(target)).toEqual({ rows: sourceRows, distinct: sourceRows });
  }, 60_000);

  test('after the source grew, --restart plans again and sends only the rows not in the workspace', async () => {
    const target = await setup('growing', ['--custom-table', 'Grow_CL', '--stream', 'Custom-Grow']);
    const growDir = join(dir, 'grow');
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const generate = async (seed: number) => {
      const result = await provlogAsync([
        'generate',
        '--workspace',
        growDir,
        ...tenantArgs(seed, { users: 20, apps: 2, days: 3, end }),
      ]);
      expect(result.code, result.stderr).toBe(0);
    };
    const growArgs = (extra: string[]) => [
      ...ingestArgs(target, extra).filter((a, i, all) => a !== '--workspace' && all[i - 1] !== '--workspace'),
      '--workspace',
      growDir,
    ];
    await generate(21);
    const first = JSON.parse((await provlogAsync(growArgs([]))).stdout) as SummaryJson;
    await generate(22);
    const total = workspaceInfo(Workspace.open(growDir)).tables.find(
      (t) => t.table === 'AADProvisioningLogs',
    )!.rows;
    expect(total).toBeGreaterThan(first.rowsSent);

    const refused = await provlogAsync(growArgs([]));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--restart');
    const restarted = await provlogAsync(growArgs(['--restart', '--verify']));
    expect(restarted.code, restarted.stderr).toBe(0);
    const summary = JSON.parse(restarted.stdout) as SummaryJson;
    expect(summary.rowsFoundLanded).toBe(first.rowsSent);
    expect(summary.rowsSent).toBe(total - first.rowsSent);
    expect(summary.verify?.ok).toBe(true);
    expect(await landed(target)).toEqual({ rows: total, distinct: total });
  }, 60_000);

  test('files: a record too big for any request is rejected with its file and line', async () => {
    const target = await setup('files', ['--custom-table', 'Files_CL', '--stream', 'Custom-Files']);
    const tenant = generateTenant({ seed: 3, users: 20, apps: 2, days: 2, end: new Date().toISOString() });
    const picked: ProvisioningLogRow[] = [];
    for (const row of tenant.provisioningRows()) {
      picked.push(row);
      if (picked.length === 40) break;
    }
    picked[9] = { ...picked[9], ProvisioningSteps: JSON.stringify([{ description: 'x'.repeat(1_100_000) }]) };
    const file = join(dir, 'rows.jsonl');
    await writeSourceFile('la-json', picked, [], file);
    const args = ingestArgs(target, ['--verify']).filter(
      (a, i, all) => a !== '--workspace' && all[i - 1] !== '--workspace',
    );
    const result = await provlogAsync([...args, file]);
    expect(result.code, result.stderr).toBe(4);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary.rejected).toBe(1);
    expect(summary.verify).toMatchObject({ ok: true, landedRows: 39 });
    const rejects = readFileSync(summary.rejectsPath!, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(1);
    const reject = JSON.parse(rejects[0]) as { origin: string; reason: string };
    expect(reject.origin).toBe(`${file}:10`);
    expect(reject.reason).toContain('limit');
    expect(result.stderr).toContain('1 row was not sent');

    const allowed = await provlogAsync([...args, file, '--allow-rejects']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect((JSON.parse(allowed.stdout) as SummaryJson).rowsSent).toBe(0);
  }, 60_000);
});
