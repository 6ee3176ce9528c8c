import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Table as ArrowTable, type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { TableRow } from '../model/rows.js';
import type { TableSchema } from '../model/schema.js';
import type { PartitionFile } from './catalog.js';
import { PARTITION_COMPRESSION, registerLz4Codec } from './codec.js';
import { rowsToBatch } from './columns.js';
import { fsyncDir, writeFileDurable } from './fsutil.js';
import { encodeLz4Frame } from './lz4-frame.js';
import type { Workspace } from './workspace.js';

/** Writes one immutable partition file (and its id sidecar), durably, and describes it for the catalog. */
export function writePartitionFile(
  workspace: Workspace,
  table: TableSchema,
  day: string,
  importId: string,
  seq: number,
  rows: TableRow[],
): PartitionFile {
  registerLz4Codec();
  rows.sort((a, b) => (a.TimeGenerated < b.TimeGenerated ? -1 : a.TimeGenerated > b.TimeGenerated ? 1 : 0));
  const base = `data/${table.name}/${day}/${importId}-${String(seq).padStart(4, '0')}`;
  const path = `${base}.arrow`;
  const idsPath = `${base}.ids.lz4`;
  const batch = rowsToBatch(table, rows as unknown as Record<string, unknown>[]);
  const bytes = tableToIPC(new ArrowTable([batch]), 'file', PARTITION_COMPRESSION);
  const full = workspace.path(path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileDurable(full, bytes);
  writeFileDurable(workspace.path(idsPath), encodeLz4Frame(Buffer.from(rows.map((r) => r.Id).join('\n'))));
  fsyncDir(dirname(full));
  return {
    path,
    idsPath,
    rows: rows.length,
    bytes: bytes.byteLength,
    minTime: rows[0].TimeGenerated,
    maxTime: rows[rows.length - 1].TimeGenerated,
    importId,
  };
}

export function readPartitionFile(workspace: Workspace, file: PartitionFile): Table {
  registerLz4Codec();
  return tableFromIPC(readFileSync(workspace.path(file.path)));
}
