import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Table, tableFromIPC } from 'apache-arrow';
import { TABLES, type TableName } from '../model/schema.js';
import { type PartitionFile, tableFiles } from './catalog.js';
import { registerLz4Codec, withPredecodedFrames } from './codec.js';
import { tableRows } from './columns.js';
import { compressedFrames } from './ipc-projection.js';
import { decodeLz4FrameAsync } from './lz4-frame.js';
import { readPartitionFile } from './partition.js';
import type { Workspace } from './workspace.js';

export interface ReadRange {
  /** Inclusive lower bound, canonical datetime or yyyy-MM-dd. */
  from?: string;
  /** Exclusive upper bound, canonical datetime or yyyy-MM-dd. */
  to?: string;
}

/** The committed partition files of a table whose time span meets the range. */
export function partitionFiles(
  workspace: Workspace,
  table: TableName,
  range: ReadRange = {},
): PartitionFile[] {
  return tableFiles(workspace.catalog(), table).filter(
    (file) => (!range.from || file.maxTime >= range.from) && (!range.to || file.minTime < range.to),
  );
}

/** Loads the table's partitions as Arrow tables (columns in memory, strings still UTF-8 buffers). */
export function loadTable(workspace: Workspace, table: TableName, range: ReadRange = {}): Table[] {
  return partitionFiles(workspace, table, range).map((file) => readPartitionFile(workspace, file));
}

/**
 * The same tables, loaded with the files read and their LZ4 frames decoded on the thread pool (both
 * cores), then assembled by the synchronous Arrow reader. Files are pipelined: one is assembled while
 * the frames of others decode.
 */
export async function loadTableAsync(
  workspace: Workspace,
  table: TableName,
  range: ReadRange = {},
): Promise<Table[]> {
  registerLz4Codec();
  return Promise.all(
    partitionFiles(workspace, table, range).map(async (file) => {
      const bytes = await readFile(workspace.path(file.path));
      const frames = compressedFrames(bytes);
      const decoded = await Promise.all(frames.map((frame) => decodeLz4FrameAsync(frame)));
      return withPredecodedFrames(frames, decoded, () => tableFromIPC(bytes));
    }),
  );
}

/** Every stored row of a table as a row object, in partition order (for exports and tests). */
export function* readRows(workspace: Workspace, table: TableName): Generator<Record<string, unknown>> {
  for (const file of partitionFiles(workspace, table)) {
    yield* tableRows(readPartitionFile(workspace, file));
  }
}

export interface TableInfo {
  table: TableName;
  rows: number;
  files: number;
  days: number;
  bytes: number;
  minTime: string | null;
  maxTime: string | null;
}

export interface WorkspaceInfo {
  path: string;
  id: string;
  tables: TableInfo[];
  bytes: number;
  imports: number;
}

export function workspaceInfo(workspace: Workspace): WorkspaceInfo {
  const catalog = workspace.catalog();
  const tables = (Object.keys(TABLES) as TableName[]).map((table): TableInfo => {
    const files = tableFiles(catalog, table);
    let bytes = 0;
    for (const file of files) bytes += file.bytes + statSync(workspace.path(file.idsPath)).size;
    return {
      table,
      rows: files.reduce((n, f) => n + f.rows, 0),
      files: files.length,
      days: Object.keys(catalog.tables[table]?.days ?? {}).length,
      bytes,
      minTime: files.length ? files.map((f) => f.minTime).sort()[0] : null,
      maxTime: files.length ? files.map((f) => f.maxTime).sort()[files.length - 1] : null,
    };
  });
  return {
    path: workspace.dir,
    id: workspace.id,
    tables,
    bytes: tables.reduce((n, t) => n + t.bytes, 0),
    imports: catalog.imports.length,
  };
}
