import { open } from 'node:fs/promises';
import type { PlannedFile } from '../model/sources/index.js';
import type { ByteRange } from '../model/sources/text.js';

/** Work for one reader: files read together (CSV groups), or a line-aligned slice of one JSON-lines file. */
export interface Shard {
  readonly plans: PlannedFile[];
  readonly range?: ByteRange;
  readonly bytes: number;
}

/** A file is cut into slices of at least this size; smaller inputs are read on the importing thread. */
const MIN_SHARD_BYTES = 32 * 1024 * 1024;

/**
 * Splits the import of checked files into shards for `readers` parallel readers, or undefined when the
 * input is too small to gain from it. A JSON-lines file is cut into line-aligned slices; other JSON
 * files are shards of their own; CSV files (portal CSV files are joined on change id) and empty files
 * (which only warn) go together in one shard.
 */
export async function planShards(
  plans: readonly PlannedFile[],
  readers: number,
): Promise<Shard[] | undefined> {
  if (readers < 2) return undefined;
  let total = 0;
  for (const plan of plans) if (!('empty' in plan)) total += plan.head.size;
  if (total < 2 * MIN_SHARD_BYTES) return undefined;
  const shards: Shard[] = [];
  const rest: PlannedFile[] = [];
  let restBytes = 0;
  for (const plan of plans) {
    if ('empty' in plan || plan.format === 'la-csv' || plan.format === 'portal-csv') {
      rest.push(plan);
      if (!('empty' in plan)) restBytes += plan.head.size;
      continue;
    }
    const size = plan.head.size;
    const pieces = Math.min(readers, Math.floor(size / MIN_SHARD_BYTES));
    const cuts =
      pieces >= 2 && isJsonLines(plan.head.text, plan.head.encoding)
        ? await lineCuts(plan.file, size, pieces)
        : undefined;
    if (!cuts) {
      shards.push({ plans: [plan], bytes: size });
      continue;
    }
    const bounds = [0, ...cuts, size];
    for (let k = 0; k + 1 < bounds.length; k++) {
      shards.push({
        plans: [plan],
        range: { start: bounds[k], end: bounds[k + 1] },
        bytes: bounds[k + 1] - bounds[k],
      });
    }
  }
  if (rest.length) shards.push({ plans: rest, bytes: restBytes });
  return shards.length >= 2 ? shards : undefined;
}

/** The shards of each reader, the biggest first to the least loaded, so readers finish together. */
export function assignShards(shards: readonly Shard[], readers: number): Shard[][] {
  const lists: Shard[][] = Array.from({ length: Math.min(readers, shards.length) }, () => []);
  const loads = lists.map(() => 0);
  for (const shard of [...shards].sort((a, b) => b.bytes - a.bytes)) {
    const k = loads.indexOf(Math.min(...loads));
    lists[k].push(shard);
    loads[k] += shard.bytes;
  }
  return lists;
}

const WRAPPER_KEYS = ['tables', 'records', 'value'];

/** True when the file starts as JSON lines: a first line holding one whole record that is not an envelope. */
function isJsonLines(head: string, encoding: string): boolean {
  if (encoding !== 'utf-8') return false;
  const newline = head.indexOf('\n');
  if (newline < 0) return false;
  const first = head
    .slice(0, newline)
    .replace(/^\uFEFF/, '')
    .trim();
  if (!first.startsWith('{') || !first.endsWith('}')) return false;
  try {
    const value = JSON.parse(first) as unknown;
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !WRAPPER_KEYS.some((key) => key in value)
    );
  } catch {
    return false;
  }
}

const PROBE_BYTES = 1024 * 1024;

/**
 * Offsets that cut the file into `pieces` slices at line starts, each line there opening a record
 * (`{`); undefined when no such line is found near a cut.
 */
async function lineCuts(file: string, size: number, pieces: number): Promise<number[] | undefined> {
  const handle = await open(file, 'r');
  try {
    const cuts: number[] = [];
    const buffer = Buffer.allocUnsafe(PROBE_BYTES);
    for (let k = 1; k < pieces; k++) {
      const target = Math.floor((k * size) / pieces);
      const { bytesRead } = await handle.read(buffer, 0, PROBE_BYTES, target - 1);
      const view = buffer.subarray(0, bytesRead);
      // A newline at target - 1 makes target itself a line start.
      const newline = view.indexOf(0x0a);
      if (newline < 0 || newline + 1 >= bytesRead || view[newline + 1] !== 0x7b) return undefined;
      const cut = target + newline;
      if (cut <= (cuts.at(-1) ?? 0) || cut >= size) return undefined;
      cuts.push(cut);
    }
    return cuts;
  } finally {
    await handle.close();
  }
}

/** Lines before `offset` (the line number of a range's first line, minus one). */
export async function linesBefore(file: string, offset: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    let lines = 0;
    let position = 0;
    while (position < offset) {
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(buffer.length, offset - position),
        position,
      );
      if (bytesRead === 0) break;
      let at = buffer.indexOf(0x0a, 0);
      while (at >= 0 && at < bytesRead) {
        lines++;
        at = buffer.indexOf(0x0a, at + 1);
      }
      position += bytesRead;
    }
    return lines;
  } finally {
    await handle.close();
  }
}
