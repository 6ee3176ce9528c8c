import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type PlannedFile, planSources, readPlanned } from '../model/sources/index.js';
import { SourceError, type SourceFormat } from '../model/sources/types.js';
import { packageRoot } from '../package-root.js';
import { assignShards, linesBefore, planShards, type Shard } from './import-shards.js';
import type { ReaderData, ReaderMessage } from './import-worker.js';
import {
  CHUNK_ROWS,
  type ImportOptions,
  type ImportSummary,
  type ImportTransaction,
  importItems,
  withImport,
} from './importer.js';
import type { Workspace } from './workspace.js';

/** A file to import and the format to read it as. */
export interface SourceFile {
  readonly file: string;
  readonly format: SourceFormat | 'auto';
}

export interface FileImportOptions extends ImportOptions {
  /**
   * Threads that read and normalise the files; default: the machine's cores, at most 4. Inputs under
   * 64 MB, and `1`, are read on the importing thread.
   */
  readers?: number;
}

/**
 * One importing thread keeps up with about this many readers (it deduplicates and writes what they
 * read); more would only hold more rows in memory.
 */
const MAX_DEFAULT_READERS = 4;

/** Chunks a reader may have waiting for the importing thread (about 50 MB of rows at 3 KB each). */
const MAX_PENDING_CHUNKS = 32;

/**
 * Imports files into the workspace as one transaction (see importItems). Every file is checked first,
 * so a whole-file problem stops the import before any row is read. Large inputs are read by parallel
 * reader threads, a JSON-lines file in line-aligned slices; the rows, counts, rejects (with file and
 * line) and the dedupe are the same as a sequential read, except that when one import holds two
 * different records with the same Id, which of them is kept is not fixed.
 */
export async function importFiles(
  workspace: Workspace,
  sources: readonly SourceFile[],
  options: FileImportOptions,
): Promise<ImportSummary> {
  const plans: PlannedFile[] = [];
  for (const source of sources) plans.push(...(await planSources([source.file], { format: source.format })));
  const readers = options.readers ?? Math.min(availableParallelism(), MAX_DEFAULT_READERS);
  const shards = await planShards(plans, readers);
  if (!shards) return importItems(workspace, readPlanned(plans), options);
  const lists = assignShards(shards, readers);
  const summary = await withImport(workspace, options, (transaction) =>
    readInParallel(workspace, lists, transaction),
  );
  return { ...summary, readers: lists.length };
}

function workerUrl(): URL | string {
  const beside = new URL('./import-worker.js', import.meta.url);
  // Run from the TypeScript sources (tests), the compiled worker is the one to start.
  return existsSync(fileURLToPath(beside)) ? beside : join(packageRoot(), 'dist/src/store/import-worker.js');
}

type Event = { reader: number } & (ReaderMessage | { type: 'exit'; code: number });

async function readInParallel(
  workspace: Workspace,
  lists: Shard[][],
  transaction: ImportTransaction,
): Promise<void> {
  const events: Event[] = [];
  let next = 0;
  let wake: (() => void) | undefined;
  const push = (event: Event) => {
    events.push(event);
    wake?.();
    wake = undefined;
  };
  const url = workerUrl();
  const workers = lists.map((shards, reader) => {
    const workerData: ReaderData = {
      shards,
      workspaceId: workspace.id,
      chunkRows: CHUNK_ROWS,
      maxPending: MAX_PENDING_CHUNKS,
    };
    const worker = new Worker(url, { workerData });
    worker.on('message', (message: ReaderMessage) => push({ reader, ...message }));
    worker.on('error', (error) => push({ reader, type: 'error', message: error.message }));
    worker.on('exit', (code) => push({ reader, type: 'exit', code }));
    return worker;
  });
  // Line numbers of a slice count from its start: the lines before it are counted when first needed.
  const offsets = new Map<Shard, Promise<number>>();
  const lineOf = async (shard: Shard, line: number): Promise<number> => {
    if (!shard.range || shard.range.start === 0) return line;
    let before = offsets.get(shard);
    if (!before) {
      before = linesBefore(shard.plans[0].file, shard.range.start);
      offsets.set(shard, before);
    }
    return (await before) + line;
  };
  const done = new Set<number>();
  try {
    while (done.size < workers.length) {
      if (next === events.length) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const event = events[next];
      events[next++] = undefined as never;
      if (next > 1024 && next * 2 > events.length) {
        events.splice(0, next);
        next = 0;
      }
      const shard = 'shard' in event ? lists[event.reader][event.shard] : undefined;
      switch (event.type) {
        case 'chunk':
          await transaction.add(event.chunk);
          workers[event.reader].postMessage({ type: 'ack' });
          break;
        case 'reject':
          transaction.reject({ ...event, line: await lineOf(shard!, event.line) });
          break;
        case 'warning':
          transaction.warning({
            ...event,
            line: event.line === undefined ? undefined : await lineOf(shard!, event.line),
          });
          break;
        case 'done':
          done.add(event.reader);
          break;
        case 'error':
          if (event.source) throw new SourceError(event.source.file, event.source.reason, event.source.line);
          throw new Error(`import reader failed: ${event.message}`);
        case 'exit':
          if (!done.has(event.reader))
            throw new Error(`import reader stopped early (exit code ${event.code})`);
      }
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
