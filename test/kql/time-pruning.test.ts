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

describe('time filters after a parser function', () => {
  function recording(requested: unknown[]): TableSource {
    const inner = new WorkspaceTableSource(workspace);
    return {
      table(name, range) {
        requested.push(range ?? null);
        return inner.table(name, range);
      },
    };
  }
  const parser =
    'let Events = () { AADProvisioningLogs | extend App = tostring(parse_json(ServicePrincipal).Name) | where isnotempty(Id) };';
  const window = 'TimeGenerated >= datetime(2026-02-27 06:00) and TimeGenerated < datetime(2026-02-28)';
  const expected = () => times.filter((t) => t >= '2026-02-27T06:00:00' && t < '2026-02-28T00:00:00').length;

  it('read the window only when the rows reach the filter with their TimeGenerated unchanged', () => {
    const requested: unknown[] = [];
    expect(count(`${parser} Events() | where ${window} | count`, recording(requested))).toBe(expected());
    const ticks = (iso: string) => BigInt(Date.parse(iso)) * 10_000n;
    expect(requested).toEqual([{ from: ticks('2026-02-27T06:00:00Z'), to: ticks('2026-02-28T00:00:00Z') }]);
  });

  it('read everything when an operator on the way changes TimeGenerated, and still count right', () => {
    const requested: unknown[] = [];
    const shifted = times.filter((t) => {
      const moved = new Date(Date.parse(`${t.slice(0, 23)}Z`) + 86_400_000).toISOString();
      return moved >= '2026-02-27T06:00:00' && moved < '2026-02-28T00:00:00';
    }).length;
    const n = count(
      `${parser} Events() | extend TimeGenerated = TimeGenerated + 1d | where ${window} | count`,
      recording(requested),
    );
    expect(requested).toEqual([null]);
    expect(n).toBe(shifted);
  });
});

describe('columns read after a filter', () => {
  it('hold the values of the matching rows, whether decoded for those rows only or whole', () => {
    const stored = [...readRows(workspace, 'AADProvisioningLogs')];
    const expected = new Map(
      stored
        .filter((r) => r.ResultType === 'Failure')
        .map((r) => [String(r.Id), [String(r.ProvisioningSteps), String(r.ChangeId)]]),
    );
    expect(expected.size).toBeGreaterThan(5);
    const query = `let Parsed = () { AADProvisioningLogs | extend Steps = parse_json(ProvisioningSteps), Last = tostring(parse_json(ProvisioningSteps)[-1].name) };
      Parsed() | where ResultType == 'Failure' | where isnotempty(Id) | project Id, ProvisioningSteps, ChangeId, Steps, Last`;
    const source = new WorkspaceTableSource(workspace);
    const rows = JSON.parse(responseJson(runQuery(query, { schemas: workspaceSchemas(), source }))).tables[0]
      .rows as string[][];
    expect(rows).toHaveLength(expected.size);
    for (const [id, steps, change, parsed, last] of rows) {
      expect([steps, change]).toEqual(expected.get(id));
      expect(JSON.parse(parsed)).toEqual(JSON.parse(steps));
      expect(last).toBe(JSON.parse(steps).at(-1).name);
    }
    // The same rows when the whole columns were read first.
    const whole = runQuery('AADProvisioningLogs | summarize dcount(ProvisioningSteps), dcount(ChangeId)', {
      schemas: workspaceSchemas(),
      source,
    });
    expect(whole.tables[0].table.rowCount).toBe(1);
    const again = JSON.parse(responseJson(runQuery(query, { schemas: workspaceSchemas(), source }))).tables[0]
      .rows;
    expect(again).toEqual(rows);
  });
});
