/**
 * A reader thread of a parallel import: reads its shards, checks and normalises the rows and posts
 * them as column chunks (buffers transferred, not copied); rejects and warnings go as they are. At
 * most a few chunks wait for the importing thread at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TABLES, type TableName } from '../model/schema.js';
import { readPlanned, SourceError } from '../model/sources/index.js';
import type { Shard } from './import-shards.js';
import { ChunkEncoder, chunkBuffers, prepareRow, type RowChunk } from './row-chunk.js';

export interface ReaderData {
  readonly shards: Shard[];
  readonly workspaceId: string;
  readonly chunkRows: number;
  readonly maxPending: number;
}

/** Messages from a reader: `shard` is the index of the shard in the reader's list. */
export type ReaderMessage =
  | { readonly type: 'chunk'; readonly shard: number; readonly chunk: RowChunk }
  | {
      readonly type: 'reject';
      readonly shard: number;
      readonly file: string;
      readonly line: number;
      readonly reason: string;
      readonly excerpt: string;
    }
  | {
      readonly type: 'warning';
      readonly shard: number;
      readonly file: string;
      readonly line?: number;
      readonly message: string;
    }
  | { readonly type: 'done' }
  | {
      readonly type: 'error';
      readonly message: string;
      /** Set for a SourceError (a whole-file problem), whose message is rebuilt from them. */
      readonly source?: { readonly file: string; readonly reason: string; readonly line?: number };
    };

const port = parentPort!;
const data = workerData as ReaderData;
let pending = 0;
let wake: (() => void) | undefined;
port.on('message', (message: { type: 'ack' }) => {
  if (message.type !== 'ack') return;
  pending--;
  wake?.();
  wake = undefined;
});

async function send(shard: number, chunk: RowChunk): Promise<void> {
  while (pending >= data.maxPending) await new Promise<void>((resolve) => (wake = resolve));
  pending++;
  const message: ReaderMessage = { type: 'chunk', shard, chunk };
  port.postMessage(message, chunkBuffers(chunk));
}

/** One encoder per table for the whole reader. */
const encoders = new Map<TableName, ChunkEncoder>();

async function readShard(shard: Shard, index: number): Promise<void> {
  for await (const item of readPlanned(shard.plans, shard.range)) {
    if (item.kind === 'warning') {
      port.postMessage({
        type: 'warning',
        shard: index,
        file: item.file,
        line: item.line,
        message: item.message,
      } satisfies ReaderMessage);
    } else if (item.kind === 'reject') {
      const { file, line, reason, excerpt } = item;
      port.postMessage({ type: 'reject', shard: index, file, line, reason, excerpt } satisfies ReaderMessage);
    } else {
      const problem = prepareRow(item.row, data.workspaceId);
      if (problem) {
        const excerpt = JSON.stringify(item.row).slice(0, 200);
        port.postMessage({
          type: 'reject',
          shard: index,
          file: item.file,
          line: item.line,
          reason: problem,
          excerpt,
        } satisfies ReaderMessage);
        continue;
      }
      let encoder = encoders.get(item.table);
      if (!encoder) {
        encoder = new ChunkEncoder(TABLES[item.table], data.chunkRows);
        encoders.set(item.table, encoder);
      }
      if (encoder.add(item.row)) await send(index, encoder.take()!);
    }
  }
  for (const encoder of encoders.values()) {
    const chunk = encoder.take();
    if (chunk) await send(index, chunk);
  }
}

try {
  for (const [index, shard] of data.shards.entries()) await readShard(shard, index);
  port.postMessage({ type: 'done' } satisfies ReaderMessage);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const source =
    error instanceof SourceError ? { file: error.file, reason: error.reason, line: error.line } : undefined;
  port.postMessage({ type: 'error', message, source } satisfies ReaderMessage);
}
