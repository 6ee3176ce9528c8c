import { CompressionType, compressionRegistry, type Data, type RecordBatch } from 'apache-arrow';
import { decodeLz4Frame, encodeLz4Frame, encodeLz4FrameAsync, storedLz4Frame } from './lz4-frame.js';

/** Frames compressed ahead of a synchronous Arrow write, keyed by the memory they came from. */
let precompressed: Map<ArrayBufferLike, Map<string, Uint8Array>> | undefined;

function lookup(data: Uint8Array): Uint8Array | undefined {
  return precompressed?.get(data.buffer)?.get(`${data.byteOffset}:${data.byteLength}`);
}

/** Frames decoded ahead of a synchronous Arrow read (on the thread pool), keyed by where they sit. */
let predecoded: Map<ArrayBufferLike, Map<number, Uint8Array>> | undefined;

function decodedAhead(data: Uint8Array): Uint8Array | undefined {
  return predecoded?.get(data.buffer)?.get(data.byteOffset);
}

/** Runs `read` (synchronous Arrow reads) with frames already decoded at hand. */
export function withPredecodedFrames<T>(frames: Uint8Array[], decoded: Uint8Array[], read: () => T): T {
  const map = new Map<ArrayBufferLike, Map<number, Uint8Array>>();
  frames.forEach((frame, i) => {
    let byOffset = map.get(frame.buffer);
    if (!byOffset) {
      byOffset = new Map();
      map.set(frame.buffer, byOffset);
    }
    byOffset.set(frame.byteOffset, decoded[i]);
  });
  predecoded = map;
  try {
    return read();
  } finally {
    predecoded = undefined;
  }
}

let registered = false;

/** Partitions are Arrow IPC files with LZ4-frame body compression (readable by pyarrow and other Arrow readers). */
export function registerLz4Codec(): void {
  if (registered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    // A frame no shorter than the buffer makes Arrow store the buffer uncompressed (allowed per buffer).
    encode: (data) =>
      lookup(data) ?? (data.byteLength < STORED_RAW_BELOW ? storedLz4Frame(data) : encodeLz4Frame(data)),
    decode: (data) => decodedAhead(data) ?? decodeLz4Frame(data),
  });
  registered = true;
}

export const PARTITION_COMPRESSION = CompressionType.LZ4_FRAME;

/**
 * Buffers smaller than this (indices, bitmaps and numbers of a batch) are stored uncompressed: a load
 * then uses them where they lie instead of decoding thousands of tiny frames, for about 5% more disk.
 */
const STORED_RAW_BELOW = 64 * 1024;

function dedupeViews(views: Uint8Array[]): Uint8Array[] {
  const seen = new Map<ArrayBufferLike, Set<string>>();
  return views.filter((view) => {
    const key = `${view.byteOffset}:${view.byteLength}`;
    let keys = seen.get(view.buffer);
    if (!keys) {
      keys = new Set();
      seen.set(view.buffer, keys);
    }
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}

function bodyBuffers(data: Data, out: Uint8Array[]): void {
  for (const buffer of [data.nullBitmap, data.valueOffsets, data.values]) {
    if (buffer && buffer.byteLength > 0) {
      out.push(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    }
  }
  for (const child of data.children) bodyBuffers(child, out);
  if (data.dictionary) for (const chunk of data.dictionary.data) bodyBuffers(chunk, out);
}

/**
 * Compresses a batch's buffers on the thread pool, then runs `write` (a synchronous Arrow
 * serialisation) with those frames at hand. Buffers the walk misses are compressed in place: the
 * result is the same file either way.
 */
export async function withPrecompressedBuffers<T>(batches: RecordBatch[], write: () => T): Promise<T> {
  registerLz4Codec();
  const all: Uint8Array[] = [];
  for (const batch of batches) bodyBuffers(batch.data, all);
  // A shared dictionary is walked once per batch: compress each buffer once.
  const buffers = dedupeViews(all).filter((buffer) => buffer.byteLength >= STORED_RAW_BELOW);
  const frames = await Promise.all(buffers.map((buffer) => encodeLz4FrameAsync(buffer)));
  const map = new Map<ArrayBufferLike, Map<string, Uint8Array>>();
  buffers.forEach((buffer, i) => {
    let byOffset = map.get(buffer.buffer);
    if (!byOffset) {
      byOffset = new Map();
      map.set(buffer.buffer, byOffset);
    }
    byOffset.set(`${buffer.byteOffset}:${buffer.byteLength}`, frames[i]);
  });
  precompressed = map;
  try {
    return write();
  } finally {
    precompressed = undefined;
  }
}
