import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableName } from '../src/model/schema.js';
import type { SourceItem } from '../src/model/sources/types.js';
import { importItems } from '../src/store/importer.js';
import { loadTable, readRows, workspaceInfo } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';
import { auditRow, provisioningRow } from './helpers/rows.js';

function tempWorkspace(): Workspace {
  return Workspace.open(join(mkdtempSync(join(tmpdir(), 'provlog-store-')), 'ws'), { create: true });
}

function items(table: TableName, rows: object[]): SourceItem[] {
  return rows.map(
    (row, i) => ({ kind: 'row', table, row: structuredClone(row), file: 'mem', line: i + 1 }) as SourceItem,
  );
}

describe('workspace store', () => {
  it('stores rows in day partitions and gives back every column exactly', async () => {
    const ws = tempWorkspace();
    const rows = [
      provisioningRow({ Id: 'a', TimeGenerated: '2024-05-02T23:59:59.9999999Z' }),
      provisioningRow({
        Id: 'b',
        TimeGenerated: '2024-05-03T00:00:00.0000001Z',
        DurationMs: null,
        _BilledSize: null,
      }),
      provisioningRow({ Id: 'c', TimeGenerated: '2024-05-01T01:02:03.4560000Z', DurationMs: 2 ** 40 }),
    ];
    const summary = await importItems(ws, items('AADProvisioningLogs', rows), { sources: ['mem'] });
    expect(summary).toMatchObject({ read: 3, added: 3, duplicates: 0, rejected: 0 });
    const back = [...readRows(ws, 'AADProvisioningLogs')];
    expect(back.map((r) => r.Id)).toEqual(['c', 'a', 'b']);
    const byId = new Map(back.map((r) => [r.Id, r]));
    expect(byId.get('a')).toEqual({ ...rows[0], TenantId: ws.id });
    expect(byId.get('b')?.DurationMs).toBeNull();
    expect(byId.get('b')?._BilledSize).toBeGreaterThan(0);
    expect(byId.get('c')?.DurationMs).toBe(2 ** 40);
    const info = workspaceInfo(ws);
    const logs = info.tables.find((t) => t.table === 'AADProvisioningLogs')!;
    expect(logs).toMatchObject({
      rows: 3,
      days: 3,
      minTime: '2024-05-01T01:02:03.4560000Z',
      maxTime: '2024-05-03T00:00:00.0000001Z',
    });
  });

  it('keeps dynamic AuditLogs columns as JSON values', async () => {
    const ws = tempWorkspace();
    const row = auditRow();
    await importItems(ws, items('AuditLogs', [row, auditRow({ Id: 'audit-2', AdditionalDetails: null })]), {
      sources: ['mem'],
    });
    const back = [...readRows(ws, 'AuditLogs')];
    expect(back[0]).toEqual({ ...row, TenantId: ws.id });
    expect(back[1].AdditionalDetails).toBeNull();
  });

  it('dedupes by Id within an import and across imports', async () => {
    const ws = tempWorkspace();
    const rows = [provisioningRow({ Id: 'x' }), provisioningRow({ Id: 'y' }), provisioningRow({ Id: 'x' })];
    const first = await importItems(ws, items('AADProvisioningLogs', rows), { sources: ['mem'] });
    expect(first).toMatchObject({ read: 3, added: 2, duplicates: 1 });
    const second = await importItems(ws, items('AADProvisioningLogs', rows), { sources: ['mem'] });
    expect(second).toMatchObject({ read: 3, added: 0, duplicates: 3 });
    expect([...readRows(ws, 'AADProvisioningLogs')]).toHaveLength(2);
  });

  it('records rejected records with file and line', async () => {
    const ws = tempWorkspace();
    const input: SourceItem[] = [
      { kind: 'reject', file: 'in.json', line: 7, reason: 'invalid JSON: Unexpected end', excerpt: '{"id":' },
      {
        kind: 'row',
        table: 'AADProvisioningLogs',
        row: provisioningRow({ Id: '' }),
        file: 'in.json',
        line: 9,
      },
      {
        kind: 'row',
        table: 'AADProvisioningLogs',
        row: provisioningRow({ Id: 'ok' }),
        file: 'in.json',
        line: 10,
      },
    ];
    const summary = await importItems(ws, input, { sources: ['in.json'] });
    expect(summary).toMatchObject({ read: 3, added: 1, rejected: 2 });
    const lines = readFileSync(ws.path(summary.rejectsPath!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { file: 'in.json', line: 7, reason: 'invalid JSON: Unexpected end', excerpt: '{"id":' },
      expect.objectContaining({ file: 'in.json', line: 9, reason: 'Id: missing' }),
    ]);
  });

  it('writes several partition files when buffers fill and loads them as Arrow tables', async () => {
    const ws = tempWorkspace();
    const rows = Array.from({ length: 25 }, (_, i) =>
      provisioningRow({ Id: `r${i}`, TimeGenerated: `2024-05-0${1 + (i % 3)}T10:00:00.0000000Z` }),
    );
    await importItems(ws, items('AADProvisioningLogs', rows), {
      sources: ['mem'],
      flushRows: 4,
      maxBufferedRows: 6,
    });
    const tables = loadTable(ws, 'AADProvisioningLogs');
    expect(tables.length).toBeGreaterThan(3);
    expect(tables.reduce((n, t) => n + t.numRows, 0)).toBe(25);
    const range = loadTable(ws, 'AADProvisioningLogs', { from: '2024-05-02', to: '2024-05-03' });
    expect(range.reduce((n, t) => n + t.numRows, 0)).toBe(8);
  });

  it('merges a day into one file when repeated small imports would leave too many', async () => {
    const ws = tempWorkspace();
    const dayFiles = () => ws.catalog().tables.AADProvisioningLogs!.days['2024-05-02'];
    for (let i = 0; i < 4; i++) {
      const rows = [provisioningRow({ Id: `p${i}`, TimeGenerated: `2024-05-02T0${i}:00:00.0000000Z` })];
      await importItems(ws, items('AADProvisioningLogs', rows), { sources: ['mem'], maxFilesPerDay: 3 });
    }
    // Three imports left three files; the fourth merged all four rows into one.
    expect(dayFiles()).toHaveLength(1);
    expect(dayFiles()[0].rows).toBe(4);
    expect([...readRows(ws, 'AADProvisioningLogs')].map((r) => r.Id)).toEqual(['p0', 'p1', 'p2', 'p3']);
    const again = await importItems(ws, items('AADProvisioningLogs', [provisioningRow({ Id: 'p2' })]), {
      sources: ['mem'],
    });
    expect(again).toMatchObject({ added: 0, duplicates: 1 });
    expect(readdirSync(ws.path('data/AADProvisioningLogs/2024-05-02'))).toHaveLength(2); // file + ids
  });

  it('writes rows that arrive out of time order sorted, each with its own values', async () => {
    const ws = tempWorkspace();
    const minutes = [7, 3, 9, 1, 5, 2, 8, 0, 6, 4];
    const rows = minutes.map((m) =>
      provisioningRow({
        Id: `o${m}`,
        ChangeId: `change-${m}`,
        CorrelationId: `change-${m}`,
        TimeGenerated: `2024-05-02T10:0${m}:00.0000000Z`,
        ProvisioningSteps: JSON.stringify([{ name: `Step ${m} — Zoë`, provisioningStepType: 0, status: 0 }]),
      }),
    );
    await importItems(ws, items('AADProvisioningLogs', rows), { sources: ['mem'] });
    const back = [...readRows(ws, 'AADProvisioningLogs')];
    expect(back.map((r) => r.Id)).toEqual(
      minutes
        .slice()
        .sort()
        .map((m) => `o${m}`),
    );
    for (const row of back) {
      const m = (row.Id as string).slice(1);
      expect(row.ChangeId).toBe(`change-${m}`);
      expect(JSON.parse(row.ProvisioningSteps as string)[0].name).toBe(`Step ${m} — Zoë`);
    }
  });
});
