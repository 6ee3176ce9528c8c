/**
 * Queries written the way Microsoft's provisioning workbooks write them, run by the engine on a
 * generated workspace; every expectation is computed independently from the stored rows in plain JS.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateTenant,
  importGeneratedTenant,
  readRows,
  responseJson,
  runQuery,
  Workspace,
  WorkspaceTableSource,
  workspaceSchemas,
} from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

interface Row {
  TimeGenerated: string;
  JobId: string;
  ResultType: string;
  ResultSignature: string;
  SourceIdentity: string;
  SourceSystem: string;
  TargetSystem: string;
  ProvisioningSteps: string;
  ProvisioningStatusInfo: string;
}

let rows: Row[];
let source: WorkspaceTableSource;

function run(query: string): { columns: { name: string; type: string }[]; rows: unknown[][] } {
  const output = runQuery(query, { schemas: workspaceSchemas(), source, now: '2026-03-01T00:00:00Z' });
  return (
    JSON.parse(responseJson(output)) as {
      tables: { columns: { name: string; type: string }[]; rows: unknown[][] }[];
    }
  ).tables[0];
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

beforeAll(async () => {
  const workspace = Workspace.open(join(tempDir('provlog-kql-'), 'ws'), { create: true });
  const tenant = generateTenant({ seed: 11, users: 60, apps: 5, days: 4, end: '2026-03-01T00:00:00Z' });
  await importGeneratedTenant(workspace, tenant);
  rows = [...readRows(workspace, 'AADProvisioningLogs')] as unknown as Row[];
  source = new WorkspaceTableSource(workspace);
});

describe('workbook-style queries on a generated workspace', () => {
  it('countif and dcount over parse_json columns, with a "*" in ("*") filter', () => {
    const result = run(`AADProvisioningLogs
      | extend Source = tostring(parse_json(SourceSystem).Name), Target = tostring(parse_json(TargetSystem).Name)
      | where '*' in ("*") or JobId in ("nothing")
      | summarize Total = count(), Failures = countif(ResultType == "Failure"),
                  Users = dcount(tostring(parse_json(SourceIdentity).Id)), Targets = make_set(Target) by JobId
      | order by JobId asc`);
    expect(result.columns.map((c) => c.name)).toEqual(['JobId', 'Total', 'Failures', 'Users', 'Targets']);
    const jobs = [...new Set(rows.map((r) => r.JobId))].sort();
    expect(result.rows.map((r) => r[0])).toEqual(jobs);
    for (const [job, total, failures, users, targets] of result.rows as [
      string,
      number,
      number,
      number,
      string,
    ][]) {
      const mine = rows.filter((r) => r.JobId === job);
      expect(total).toBe(mine.length);
      expect(failures).toBe(mine.filter((r) => r.ResultType === 'Failure').length);
      expect(users).toBe(new Set(mine.map((r) => (JSON.parse(r.SourceIdentity) as { Id: string }).Id)).size);
      const names = new Set(mine.map((r) => (JSON.parse(r.TargetSystem) as { Name: string }).Name));
      expect(new Set(JSON.parse(targets) as string[])).toEqual(names);
    }
  });

  it('join kind=inner on a let table', () => {
    const result =
      run(`let failures = AADProvisioningLogs | where ResultType == "Failure" | summarize Failed = count() by JobId;
      AADProvisioningLogs
      | summarize Total = count() by JobId
      | join kind=inner failures on JobId
      | project JobId, Rate = todouble(Failed) / Total`);
    const failed = countBy(
      rows.filter((r) => r.ResultType === 'Failure'),
      (r) => r.JobId,
    );
    const total = countBy(rows, (r) => r.JobId);
    expect(result.rows).toHaveLength(failed.size);
    for (const [job, rate] of result.rows as [string, number][]) {
      expect(rate).toBeCloseTo(failed.get(job)! / total.get(job)!, 12);
    }
  });

  it('dynamic access by name, index, negative index and x.[n]', () => {
    const result = run(`AADProvisioningLogs
      | where ResultType == "Failure"
      | extend Steps = parse_json(ProvisioningSteps)
      | project First = tostring(Steps[0].name), Last = tostring(Steps[-1].name), Second = tostring(Steps.[1]["name"]),
                Code = tostring(parse_json(ProvisioningStatusInfo).errorInformation.errorCode), ResultSignature`);
    const failures = rows.filter((r) => r.ResultType === 'Failure');
    expect(result.rows).toHaveLength(failures.length);
    const expected = failures.map((r) => {
      const steps = JSON.parse(r.ProvisioningSteps) as { name: string }[];
      return [
        steps[0].name,
        steps[steps.length - 1].name,
        steps[1]?.name ?? '',
        r.ResultSignature,
        r.ResultSignature,
      ];
    });
    expect(sortRows(result.rows)).toEqual(sortRows(expected));
  });

  it('mv-expand ProvisioningSteps counts every step', () => {
    const result = run(`AADProvisioningLogs
      | extend Steps = parse_json(ProvisioningSteps)
      | mv-expand Step = Steps
      | summarize Steps = count() by StepType = tostring(Step.provisioningStepType)`);
    const expected = new Map<string, number>();
    for (const r of rows) {
      for (const step of JSON.parse(r.ProvisioningSteps || '[]') as { provisioningStepType: number }[]) {
        const key = String(step.provisioningStepType);
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    expect(new Map(result.rows as [string, number][])).toEqual(expected);
  });

  it('parse with * "text" Name "text" *', () => {
    const result = run(`AADProvisioningLogs
      | where ResultType == "Failure"
      | parse ProvisioningStatusInfo with * '"errorCode":"' Code '"' *
      | summarize n = count() by Code`);
    const expected = countBy(
      rows.filter((r) => r.ResultType === 'Failure'),
      (r) => r.ResultSignature,
    );
    expect(new Map(result.rows as [string, number][])).toEqual(expected);
  });

  it('make-series from/to/step by result', () => {
    const result = run(`AADProvisioningLogs
      | make-series Events = count() default = 0 on TimeGenerated from datetime(2026-02-25) to datetime(2026-03-01) step 1d by ResultType`);
    expect(result.columns.map((c) => c.name)).toEqual(['ResultType', 'Events', 'TimeGenerated']);
    for (const [resultType, events, times] of result.rows as [string, string, string][]) {
      const days = (JSON.parse(times) as string[]).map((t) => t.slice(0, 10));
      expect(days).toEqual(['2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28']);
      const perDay = days.map(
        (d) => rows.filter((r) => r.ResultType === resultType && r.TimeGenerated.startsWith(d)).length,
      );
      expect(JSON.parse(events)).toEqual(perDay);
    }
  });
});

function sortRows(table: unknown[][]): unknown[][] {
  return table.map((r) => r.map(String)).sort((a, b) => (a.join('\u0001') < b.join('\u0001') ? -1 : 1));
}
