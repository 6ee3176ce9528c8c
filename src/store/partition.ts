import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Table as ArrowTable, type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { TableRow } from '../model/rows.js';
import type { TableSchema } from '../model/schema.js';
import type { PartitionFile } from './catalog.js';
import { PARTITION_COMPRESSION, registerLz4Codec, withPrecompressedBuffers } from './codec.js';
import { rowsToBatches, type Utf8Appender } from './columns.js';
import { fsyncDir, writeFileDurable } from './fsutil.js';
import { encodeLz4FrameAsync } from './lz4-frame.js';
import type { Workspace } from './workspace.js';

/**
 * Writes one immutable partition file (and its id sidecar), durably, and describes it for the catalog.
 * Compression and file writes run on the thread pool; the caller's thread only builds the columns.
 */
export async function writePartitionFile(
  workspace: Workspace,
  table: TableSchema,
  day: string,
  importId: string,
  seq: string | number,
  rows: TableRow[],
  encoded?: ReadonlyMap<string, Utf8Appender>,
): Promise<PartitionFile> {
  const order = timeOrder(rows);
  const first = rows[order ? order[0] : 0];
  const last = rows[order ? order[rows.length - 1] : rows.length - 1];
  const base = `data/${table.name}/${day}/${importId}-${seq}`;
  const path = `${base}.arrow`;
  const idsPath = `${base}.ids.lz4`;
  const batches = rowsToBatches(table, rows as unknown as Record<string, unknown>[], { encoded, order });
  const ids = Buffer.from(rows.map((r) => r.Id).join('\n'));
  const file: PartitionFile = {
    path,
    idsPath,
    rows: rows.length,
    bytes: 0,
    minTime: first.TimeGenerated,
    maxTime: last.TimeGenerated,
    importId,
  };
  rows.length = 0; // the caller's buffer: let the row objects go while the file is written
  const bytes = await withPrecompressedBuffers(batches, () =>
    tableToIPC(new ArrowTable(batches), 'file', PARTITION_COMPRESSION),
  );
  const full = workspace.path(path);
  await mkdir(dirname(full), { recursive: true });
  await Promise.all([
    writeFileDurable(full, bytes),
    writeFileDurable(workspace.path(idsPath), await encodeLz4FrameAsync(ids)),
  ]);
  fsyncDir(dirname(full));
  return { ...file, bytes: bytes.byteLength };
}

/** The permutation that sorts rows by TimeGenerated, or undefined when they already are. */
function timeOrder(rows: readonly TableRow[]): Int32Array | undefined {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = rows[i - 1].TimeGenerated <= rows[i].TimeGenerated;
  if (sorted) return undefined;
  const order = Int32Array.from(rows, (_row, i) => i);
  order.sort((a, b) => {
    const x = rows[a].TimeGenerated;
    const y = rows[b].TimeGenerated;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  return order;
}

export function readPartitionFile(workspace: Workspace, file: PartitionFile): Table {
  registerLz4Codec();
  return tableFromIPC(readFileSync(workspace.path(file.path)));
}
