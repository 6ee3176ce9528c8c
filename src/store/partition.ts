import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Table as ArrowTable, type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { TableRow } from '../model/rows.js';
import type { TableSchema } from '../model/schema.js';
import type { PartitionFile } from './catalog.js';
import { PARTITION_COMPRESSION, registerLz4Codec, withPrecompressedBuffers } from './codec.js';
import { fsyncDir, writeFileDurable } from './fsutil.js';
import { setUncompressedLengths } from './ipc-projection.js';
import { encodeLz4FrameAsync } from './lz4-frame.js';
import { buildPartition, type ChunkSegment } from './partition-builder.js';
import { ChunkEncoder, type RowChunk } from './row-chunk.js';
import type { Workspace } from './workspace.js';

/**
 * Writes one immutable partition file (and its id sidecar) from chunk segments, durably, and describes
 * it for the catalog. Compression and file writes run on the thread pool; the caller's thread only
 * assembles the columns.
 */
export async function writePartitionFile(
  workspace: Workspace,
  table: TableSchema,
  day: string,
  importId: string,
  seq: string | number,
  segments: readonly ChunkSegment[],
): Promise<PartitionFile> {
  const base = `data/${table.name}/${day}/${importId}-${seq}`;
  const path = `${base}.arrow`;
  const idsPath = `${base}.ids.lz4`;
  const built = buildPartition(table, segments);
  const ids = Buffer.from(built.ids.join('\n'));
  const bytes = await withPrecompressedBuffers(built.batches, () =>
    setUncompressedLengths(tableToIPC(new ArrowTable(built.batches), 'file', PARTITION_COMPRESSION)),
  );
  const full = workspace.path(path);
  await mkdir(dirname(full), { recursive: true });
  await Promise.all([
    writeFileDurable(full, bytes),
    writeFileDurable(workspace.path(idsPath), await encodeLz4FrameAsync(ids)),
  ]);
  fsyncDir(dirname(full));
  return {
    path,
    idsPath,
    rows: built.rows,
    bytes: bytes.byteLength,
    minTime: built.minTime,
    maxTime: built.maxTime,
    importId,
  };
}

/** Row objects (as read back from stored files) → chunks of the table. */
export function rowsToChunks(table: TableSchema, rows: Iterable<TableRow>): RowChunk[] {
  const encoder = new ChunkEncoder(table, 8192);
  const chunks: RowChunk[] = [];
  for (const row of rows) {
    if (encoder.add(row)) chunks.push(encoder.take()!);
  }
  const last = encoder.take();
  if (last) chunks.push(last);
  return chunks;
}

export function readPartitionFile(workspace: Workspace, file: PartitionFile): Table {
  registerLz4Codec();
  return tableFromIPC(readFileSync(workspace.path(file.path)));
}
