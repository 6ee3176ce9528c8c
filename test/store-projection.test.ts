import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTenant, importGeneratedTenant, partitionFiles, TABLES, Workspace } from '../src/index.js';
import { tableRows } from '../src/store/columns.js';
import { compressedFrames, readColumns } from '../src/store/ipc-projection.js';
import { decodeLz4Frame } from '../src/store/lz4-frame.js';
import { readPartitionFile } from '../src/store/partition.js';
import { loadTable, loadTableAsync } from '../src/store/reader.js';
import { tempDir } from './helpers/cli.js';

async function generatedWorkspace(): Promise<Workspace> {
  const workspace = Workspace.open(join(tempDir('provlog-projection-'), 'ws'), { create: true });
  await importGeneratedTenant(
    workspace,
    generateTenant({ seed: 9, users: 40, apps: 4, days: 3, end: '2026-03-01T00:00:00Z' }),
  );
  return workspace;
}

describe('loading a table with its frames decoded on the thread pool', () => {
  it('gives the same rows as the synchronous load, for both tables', async () => {
    const workspace = await generatedWorkspace();
    for (const table of ['AADProvisioningLogs', 'AuditLogs'] as const) {
      const rows = (tables: Awaited<ReturnType<typeof loadTableAsync>>) =>
        tables.flatMap((t) => [...tableRows(t)]);
      const expected = rows(loadTable(workspace, table));
      expect(expected.length).toBeGreaterThan(0);
      expect(rows(await loadTableAsync(workspace, table))).toEqual(expected);
    }
  });
});

describe('partition files as other Arrow readers see them', () => {
  it('prefix every compressed buffer with its uncompressed length, as the IPC format requires', async () => {
    const workspace = await generatedWorkspace();
    let checked = 0;
    for (const table of ['AADProvisioningLogs', 'AuditLogs'] as const) {
      for (const file of partitionFiles(workspace, table)) {
        const bytes = readFileSync(workspace.path(file.path));
        for (const frame of compressedFrames(bytes)) {
          const prefix = bytes.readBigInt64LE(frame.byteOffset - bytes.byteOffset - 8);
          expect(prefix).toBe(BigInt(decodeLz4Frame(frame).byteLength));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('reading chosen columns of a partition file', () => {
  it('gives every column exactly as a full read does, for both tables', async () => {
    const workspace = await generatedWorkspace();
    for (const table of ['AADProvisioningLogs', 'AuditLogs'] as const) {
      const files = partitionFiles(workspace, table);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const full = readPartitionFile(workspace, file);
        const bytes = readFileSync(workspace.path(file.path));
        for (const column of TABLES[table].columns) {
          const projected = readColumns(bytes, [column.name]);
          expect(projected.numRows).toBe(full.numRows);
          const other = TABLES[table].columns.find((c) => c.name !== column.name)!;
          const skipped = projected.getChild(other.name)!.data[0];
          expect(skipped.values.length, `${other.name} was decompressed`).toBe(0);
          expect(projected.getChild(column.name)?.toArray(), `${table}.${column.name}`).toEqual(
            full.getChild(column.name)?.toArray(),
          );
        }
      }
    }
  });
});
