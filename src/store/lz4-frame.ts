import { compress, compressSync, decompressFrameSync, uncompress, uncompressSync } from 'lz4-napi';

/**
 * LZ4 frames (the format Arrow IPC requires for LZ4 body compression) built from independent blocks.
 * lz4-napi's frame codec streams 64 KiB blocks and decodes at ~0.4 GB/s; its block codec runs ~3x
 * faster, so frames are written as independent 4 MiB blocks with the content size in the header and
 * decoded block by block. Frames from other writers (linked blocks, no content size) fall back to the
 * library's frame decoder.
 */

const MAGIC = 0x184d2204;
const BLOCK_SIZE = 4 * 1024 * 1024;
const BLOCK_SIZE_ID = 7; // 4 MiB
const FLG_VERSION = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_DICT_ID = 0x01;
const UNCOMPRESSED_BIT = 0x80000000;

const PRIME1 = 2654435761;
const PRIME2 = 2246822519;
const PRIME3 = 3266489917;
const PRIME4 = 668265263;
const PRIME5 = 374761393;

/** xxHash32 of a few bytes (used only for the 2-byte-long frame descriptor checksum). */
function xxh32Small(bytes: Uint8Array): number {
  let h = (PRIME5 + bytes.length) >>> 0;
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) {
    const word = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h = (h + Math.imul(word, PRIME3)) >>> 0;
    h = Math.imul((h << 17) | (h >>> 15), PRIME4) >>> 0;
  }
  for (; i < bytes.length; i++) {
    h = (h + Math.imul(bytes[i], PRIME5)) >>> 0;
    h = Math.imul((h << 11) | (h >>> 21), PRIME1) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function frameHeader(contentSize: number): Buffer {
  const descriptor = Buffer.alloc(10);
  descriptor[0] = FLG_VERSION | FLG_BLOCK_INDEPENDENCE | FLG_CONTENT_SIZE;
  descriptor[1] = BLOCK_SIZE_ID << 4;
  descriptor.writeBigUInt64LE(BigInt(contentSize), 2);
  const header = Buffer.alloc(4 + descriptor.length + 1);
  header.writeUInt32LE(MAGIC, 0);
  descriptor.copy(header, 4);
  header[header.length - 1] = (xxh32Small(descriptor) >>> 8) & 0xff;
  return header;
}

function blocksOf(data: Uint8Array): Buffer[] {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const blocks: Buffer[] = [];
  for (let start = 0; start < input.length; start += BLOCK_SIZE) {
    blocks.push(input.subarray(start, Math.min(start + BLOCK_SIZE, input.length)));
  }
  return blocks;
}

/** Assembles the frame; `compressed[i]` is lz4-napi's output for block i (raw block after a 4-byte size). */
function assembleFrame(contentSize: number, blocks: Buffer[], compressed: Buffer[]): Buffer {
  const parts: Buffer[] = [frameHeader(contentSize)];
  blocks.forEach((chunk, i) => {
    const block = compressed[i].subarray(4);
    const size = Buffer.alloc(4);
    if (block.length >= chunk.length) {
      size.writeUInt32LE((chunk.length | UNCOMPRESSED_BIT) >>> 0, 0);
      parts.push(size, chunk);
    } else {
      size.writeUInt32LE(block.length, 0);
      parts.push(size, block);
    }
  });
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

/** A frame holding the data as one stored (uncompressed) block: always longer than the data. */
export function storedLz4Frame(data: Uint8Array): Uint8Array {
  const size = Buffer.alloc(4);
  size.writeUInt32LE((data.byteLength | UNCOMPRESSED_BIT) >>> 0, 0);
  const parts = [
    frameHeader(data.byteLength),
    size,
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ];
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

export function encodeLz4Frame(data: Uint8Array): Uint8Array {
  const blocks = blocksOf(data);
  return assembleFrame(
    data.byteLength,
    blocks,
    blocks.map((block) => compressSync(block)),
  );
}

/** The same frame, compressed on libuv's thread pool so the caller's thread can go on. */
export async function encodeLz4FrameAsync(data: Uint8Array): Promise<Uint8Array> {
  const blocks = blocksOf(data);
  return assembleFrame(data.byteLength, blocks, await Promise.all(blocks.map((block) => compress(block))));
}

/** The decoded size a frame declares, or Infinity when it does not say. */
export function decodedSize(data: Uint8Array): number {
  if (data.byteLength < 14 || (data[4] & FLG_CONTENT_SIZE) === 0) return Number.POSITIVE_INFINITY;
  return Number(Buffer.from(data.buffer, data.byteOffset, data.byteLength).readBigUInt64LE(6));
}

export function decodeLz4Frame(data: Uint8Array): Uint8Array {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (input.length < 7 || input.readUInt32LE(0) !== MAGIC) throw new Error('not an LZ4 frame');
  const flg = input[4];
  const independent = (flg & FLG_BLOCK_INDEPENDENCE) !== 0;
  const hasContentSize = (flg & FLG_CONTENT_SIZE) !== 0;
  if (!independent || !hasContentSize || (flg & FLG_DICT_ID) !== 0) return decompressFrameSync(input);
  const blockMax = 1 << (8 + 2 * ((input[5] >> 4) & 0x7));
  const contentSize = Number(input.readBigUInt64LE(6));
  const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  // Allocated lazily: a single-block frame returns the decoded block itself.
  let output: Buffer | undefined;
  let pos = 4 + 2 + 8 + 1;
  let written = 0;
  for (;;) {
    const word = input.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const length = word & 0x7fffffff;
    if (word & UNCOMPRESSED_BIT) {
      output ??= Buffer.allocUnsafe(contentSize);
      input.copy(output, written, pos, pos + length);
      written += length;
    } else {
      // The block codec wants the uncompressed size in the 4 bytes before the block: lend it the
      // block-size word in place (restored right after) instead of copying the block.
      input.writeUInt32LE(Math.min(blockMax, contentSize - written), pos - 4);
      let plain: Buffer;
      try {
        plain = uncompressSync(input.subarray(pos - 4, pos + length));
      } finally {
        input.writeUInt32LE(word, pos - 4);
      }
      if (written === 0 && plain.length === contentSize) return plain;
      output ??= Buffer.allocUnsafe(contentSize);
      plain.copy(output, written);
      written += plain.length;
    }
    pos += length + (blockChecksum ? 4 : 0);
  }
  if (written !== contentSize)
    throw new Error(`LZ4 frame: expected ${contentSize} bytes, decoded ${written}`);
  return output ?? Buffer.alloc(0);
}

/**
 * The same decoding on libuv's thread pool, block by block, so several frames decode at once. Like the
 * synchronous decoder, each block borrows its own size word for the codec's size prefix until it is
 * decoded, so the caller must not read the frame, or decode it again, before the promise settles.
 */
export async function decodeLz4FrameAsync(data: Uint8Array): Promise<Uint8Array> {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (input.length < 7 || input.readUInt32LE(0) !== MAGIC) throw new Error('not an LZ4 frame');
  const flg = input[4];
  if ((flg & FLG_BLOCK_INDEPENDENCE) === 0 || (flg & FLG_CONTENT_SIZE) === 0 || (flg & FLG_DICT_ID) !== 0) {
    return decompressFrameSync(input);
  }
  const blockMax = 1 << (8 + 2 * ((input[5] >> 4) & 0x7));
  const contentSize = Number(input.readBigUInt64LE(6));
  const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  const parts: Promise<Uint8Array>[] = [];
  let pos = 4 + 2 + 8 + 1;
  let planned = 0;
  for (;;) {
    const word = input.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const length = word & 0x7fffffff;
    const size = Math.min(blockMax, contentSize - planned);
    if (word & UNCOMPRESSED_BIT) {
      parts.push(Promise.resolve(input.subarray(pos, pos + length)));
    } else {
      const at = pos - 4;
      input.writeUInt32LE(size, at);
      parts.push(uncompress(input.subarray(at, pos + length)).finally(() => input.writeUInt32LE(word, at)));
    }
    planned += size;
    pos += length + (blockChecksum ? 4 : 0);
  }
  const blocks = await Promise.all(parts);
  if (blocks.length === 1 && blocks[0].length === contentSize) return blocks[0];
  const output = Buffer.allocUnsafe(contentSize);
  let written = 0;
  for (const block of blocks) {
    output.set(block, written);
    written += block.length;
  }
  if (written !== contentSize)
    throw new Error(`LZ4 frame: expected ${contentSize} bytes, decoded ${written}`);
  return output;
}
