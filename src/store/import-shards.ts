import { open } from 'node:fs/promises';
import type { PlannedFile } from '../model/sources/index.js';
import type { ByteRange } from '../model/sources/text.js';
import type { SourceFormat } from '../model/sources/types.js';

/** Work for one reader: files read together (CSV groups), or a line-aligned slice of one JSON-lines file. */
export interface Shard {
  readonly files: string[];
  readonly format: SourceFormat | 'auto';
  readonly range?: ByteRange;
  readonly bytes: number;
}

/** A file is cut into slices of at least this size; smaller inputs are read on the importing thread. */
const MIN_SHARD_BYTES = 32 * 1024 * 1024;

export interface SourceFile {
  readonly file: string;
  readonly format: SourceFormat | 'auto';
}

/**
 * Splits the import of checked files into shards for `readers` parallel readers, or undefined when the
 * input is too small to gain from it. A JSON-lines file is cut into line-aligned slices; other JSON
 * files are shards of their own; CSV files stay together (portal CSV files are joined on change id).
 */
export async function planShards(
  sources: readonly SourceFile[],
  plans: readonly PlannedFile[],
  readers: number,
): Promise<Shard[] | undefined> {
  if (readers < 2) return undefined;
  let total = 0;
  for (const plan of plans) if (!('empty' in plan)) total += plan.head.size;
  if (total < 2 * MIN_SHARD_BYTES) return undefined;
  const shards: Shard[] = [];
  const csv = new Map<SourceFormat | 'auto', { files: string[]; bytes: number }>();
  for (const [i, plan] of plans.entries()) {
    if ('empty' in plan) continue;
    const { format } = sources[i];
    const size = plan.head.size;
    if (plan.format === 'la-csv' || plan.format === 'portal-csv') {
      const group = csv.get(format) ?? { files: [], bytes: 0 };
      group.files.push(plan.file);
      group.bytes += size;
      csv.set(format, group);
      continue;
    }
    const pieces = Math.min(readers, Math.floor(size / MIN_SHARD_BYTES));
    const cuts =
      pieces >= 2 && isJsonLines(plan.head.text, plan.head.encoding)
        ? await lineCuts(plan.file, size, pieces)
        : undefined;
    if (!cuts) {
      shards.push({ files: [plan.file], format, bytes: size });
      continue;
    }
    const bounds = [0, ...cuts, size];
    for (let k = 0; k + 1 < bounds.length; k++) {
      shards.push({
        files: [plan.file],
        format,
        range: { start: bounds[k], end: bounds[k + 1] },
        bytes: bounds[k + 1] - bounds[k],
      });
    }
  }
  for (const [format, group] of csv) shards.push({ files: group.files, format, bytes: group.bytes });
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
