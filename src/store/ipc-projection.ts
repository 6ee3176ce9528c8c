/**
 * Reads chosen columns of an Arrow IPC file: only their buffers are decompressed; the other columns
 * come back empty and must not be read. apache-arrow has no column projection of its own, so this
 * narrows the buffer list its reader decompresses (pinned apache-arrow version; tested on every
 * stored column type).
 */
import { DataType, type Field, RecordBatchReader, Table } from 'apache-arrow';
import { decodedSize } from './lz4-frame.js';

// biome-ignore lint/suspicious/noExplicitAny: apache-arrow's reader internals are untyped
type Any = any;

let wantedBuffers: Set<number> | undefined;
let wantedColumns: readonly string[] | undefined;
let inRecordBatch = false;
let skipBatch = false;
/** When set, the reader only lists the compressed frames it would decode, and decodes none. */
let collecting: Uint8Array[] | undefined;
let patched = false;

/** Patches the reader implementation's prototype once: its record batches decode only wanted buffers. */
function patchReader(reader: Any): boolean {
  if (patched) return true;
  let proto = Object.getPrototypeOf(reader._impl);
  while (proto && !Object.hasOwn(proto, '_decompressBuffers')) proto = Object.getPrototypeOf(proto);
  if (!proto || typeof proto._loadRecordBatch !== 'function') return false;
  const decompress = proto._decompressBuffers;
  const loadRecordBatch = proto._loadRecordBatch;
  proto._loadRecordBatch = function (this: Any, ...args: unknown[]) {
    inRecordBatch = true;
    try {
      return loadRecordBatch.apply(this, args);
    } finally {
      inRecordBatch = false;
    }
  };
  const loadDictionaryBatch = proto._loadDictionaryBatch;
  proto._loadDictionaryBatch = function (this: Any, header: Any, ...rest: unknown[]) {
    // A dictionary no wanted column uses is loaded with empty buffers.
    const columns = wantedColumns;
    skipBatch =
      columns !== undefined &&
      !(this.schema.fields as Field[]).some(
        (f) =>
          columns.includes(f.name) &&
          DataType.isDictionary(f.type) &&
          Number((f.type as Any).id) === Number(header.id),
      );
    try {
      return loadDictionaryBatch.call(this, header, ...rest);
    } finally {
      skipBatch = false;
    }
  };
  proto._decompressBuffers = function (this: Any, header: Any, body: Uint8Array, codec: unknown) {
    if (collecting) {
      for (const region of header.buffers) {
        if (region.length <= 8) continue;
        const prefixed = body.subarray(region.offset, region.offset + region.length);
        const uncompressed = new DataView(prefixed.buffer, prefixed.byteOffset, 8).getBigInt64(0, true);
        if (uncompressed !== -1n) collecting.push(prefixed.subarray(8));
      }
      const buffers = header.buffers.map((region: Any) => ({ offset: region.offset, length: 0 }));
      return decompress.call(this, { ...header, buffers }, body, codec);
    }
    if (skipBatch) {
      const buffers = header.buffers.map((region: Any) => ({ offset: region.offset, length: 0 }));
      return decompress.call(this, { ...header, buffers }, body, codec);
    }
    const wanted = wantedBuffers;
    if (!inRecordBatch || !wanted) return decompress.call(this, header, body, codec);
    const buffers = header.buffers.map((region: Any, i: number) =>
      wanted.has(i) ? region : { offset: region.offset, length: 0 },
    );
    return decompress.call(this, { ...header, buffers }, body, codec);
  };
  patched = true;
  return true;
}

/** How many IPC buffers a field of the stored schema has (validity first). */
function bufferCount(field: Field): number | undefined {
  const type = field.type;
  if (DataType.isDictionary(type)) return 2;
  if (DataType.isUtf8(type) || DataType.isBinary(type)) return 3;
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isTimestamp(type) || DataType.isBool(type))
    return 2;
  return undefined;
}

/**
 * The file's record batches with only `columns` decoded (every column when the schema has a type this
 * does not know how to skip).
 */
export function readColumns(bytes: Uint8Array, columns: readonly string[]): Table {
  const reader = RecordBatchReader.from(bytes) as Any;
  const known = patchReader(reader);
  wantedColumns = known ? columns : undefined;
  try {
    reader.open();
  } finally {
    wantedColumns = undefined;
  }
  const fields: Field[] = reader.schema.fields;
  const wanted = new Set<number>();
  let index = 0;
  let decodable = known;
  for (const field of fields) {
    const count = bufferCount(field);
    if (count === undefined) {
      decodable = false;
      break;
    }
    if (columns.includes(field.name)) for (let i = 0; i < count; i++) wanted.add(index + i);
    index += count;
  }
  wantedBuffers = decodable ? wanted : undefined;
  try {
    return new Table(reader.readAll());
  } finally {
    wantedBuffers = undefined;
  }
}

/** The compressed frames a full read of the file would decode (for decoding them ahead, in parallel). */
export function compressedFrames(bytes: Uint8Array): Uint8Array[] {
  const reader = RecordBatchReader.from(bytes) as Any;
  if (!patchReader(reader)) return [];
  const frames: Uint8Array[] = [];
  collecting = frames;
  try {
    reader.open();
    reader.readAll();
  } finally {
    collecting = undefined;
  }
  return frames;
}

/**
 * Writes each compressed buffer's uncompressed length into its 8-byte prefix, as the Arrow format
 * requires. apache-arrow's writer puts the compressed length there; its own reader only looks for -1
 * (stored uncompressed), but other readers (pyarrow, Arrow C++) size their output by it and fail.
 */
export function setUncompressedLengths(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const frame of compressedFrames(bytes)) {
    const size = decodedSize(frame);
    if (!Number.isFinite(size)) throw new Error('an LZ4 frame without its content size');
    view.setBigInt64(frame.byteOffset - bytes.byteOffset - 8, BigInt(size), true);
  }
  return bytes;
}
