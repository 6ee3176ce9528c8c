import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateTenant,
  importGeneratedTenant,
  readRows,
  responseJson,
  runQuery,
  type TableSource,
  Workspace,
  WorkspaceTableSource,
  workspaceSchemas,
} from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

let workspace: Workspace;
let times: string[];

beforeAll(async () => {
  workspace = Workspace.open(join(tempDir('provlog-prune-'), 'ws'), { create: true });
  await importGeneratedTenant(
    workspace,
    generateTenant({ seed: 3, users: 40, apps: 3, days: 5, end: '2026-03-01T00:00:00Z' }),
  );
  times = [...readRows(workspace, 'AADProvisioningLogs')].map((r) => String(r.TimeGenerated));
});

function count(query: string, source: TableSource): number {
  const output = runQuery(query, { schemas: workspaceSchemas(), source, now: '2026-03-01T00:00:00Z' });
  return (JSON.parse(responseJson(output)) as { tables: { rows: number[][] }[] }).tables[0].rows[0][0];
}

describe('time filters on a workspace table', () => {
  it('read only the partitions the window can match, and count exactly the rows inside it', () => {
    const requested: unknown[] = [];
    const inner = new WorkspaceTableSource(workspace);
    const source: TableSource = {
      table(name, range) {
        requested.push(range ?? null);
        return inner.table(name, range);
      },
    };
    const expected = times.filter((t) => t >= '2026-02-27T06:00:00' && t < '2026-02-28T00:00:00').length;
    expect(expected).toBeGreaterThan(0);
    const n = count(
      'AADProvisioningLogs | where TimeGenerated >= datetime(2026-02-27 06:00) and TimeGenerated < datetime(2026-02-28) | count',
      source,
    );
    expect(n).toBe(expected);
    const ticks = (iso: string) => BigInt(Date.parse(iso)) * 10_000n;
    expect(requested).toEqual([{ from: ticks('2026-02-27T06:00:00Z'), to: ticks('2026-02-28T00:00:00Z') }]);
    const inWindow = inner.table('AADProvisioningLogs', requested[0] as { from: bigint; to: bigint })!;
    expect(inWindow.rowCount).toBeLessThan(times.length);
  });

  it('between, ago() and reversed comparisons give the same counts as a full scan', () => {
    const source = new WorkspaceTableSource(workspace);
    const full = (where: string) => count(`AADProvisioningLogs | where ${where} | count`, source);
    const scan = (where: string) =>
      count(
        `AADProvisioningLogs | extend t = TimeGenerated | where ${where.replaceAll('TimeGenerated', 't')} | count`,
        source,
      );
    for (const where of [
      'TimeGenerated between (datetime(2026-02-26) .. datetime(2026-02-27 12:00))',
      'TimeGenerated > ago(36h)',
      'datetime(2026-02-28) > TimeGenerated and ResultType == "Failure"',
    ]) {
      expect(full(where), where).toBe(scan(where));
    }
  });
});
