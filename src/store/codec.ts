import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decodeLz4Frame, encodeLz4Frame } from './lz4-frame.js';

let registered = false;

/** Partitions are Arrow IPC files with LZ4-frame body compression (readable by pyarrow, DuckDB, …). */
export function registerLz4Codec(): void {
  if (registered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: encodeLz4Frame, decode: decodeLz4Frame });
  registered = true;
}

export const PARTITION_COMPRESSION = CompressionType.LZ4_FRAME;
