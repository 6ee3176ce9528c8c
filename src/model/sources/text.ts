/**
 * Streaming text input: encoding detection (UTF-8, UTF-8 BOM, UTF-16 LE/BE BOM), binary detection,
 * and a small JSON scanner that splits a document into its records without parsing it whole.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

export const HEAD_BYTES = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface Head {
  readonly text: string;
  readonly size: number;
  readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** Why the file is not text, when it is not. */
  readonly binary?: string;
}

/** The first bytes of a file, decoded, with its encoding and a binary-content verdict. */
export async function readHead(file: string): Promise<Head> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    let encoding: Head['encoding'] = 'utf-8';
    if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
    const text = new TextDecoder(encoding).decode(bytes).replace(/^\uFEFF/, '');
    return { text, size, encoding, binary: encoding === 'utf-8' ? binaryReason(bytes) : undefined };
  } finally {
    await handle.close();
  }
}

function binaryReason(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip-compressed file; decompress it first';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return 'zip archive; extract it first';
  }
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) return 'binary content (NUL bytes), not a text file';
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  if (bytes.length > 0 && control / bytes.length > 0.02)
    return 'binary content (control characters), not a text file';
  if (!isUtf8(bytes)) return 'binary content (not UTF-8 text)';
  return undefined;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // A multi-byte character may be cut at the end of the head: allow up to 3 trailing bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    return true;
  } catch {
    return false;
  }
}

/** Decoded text chunks of a file (never the whole file at once); the BOM is dropped. */
export async function* textChunks(file: string, encoding: Head['encoding']): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  let first = true;
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  for await (const buffer of stream as AsyncIterable<Buffer>) {
    let text = decoder.decode(buffer, { stream: true });
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

// ---- JSON scanner ------------------------------------------------------------------------------------

/** One record's text (possibly broken: the parser then says why) or a note about the document. */
export type JsonPiece =
  | { readonly kind: 'element'; readonly text: string; readonly line: number }
  | { readonly kind: 'note'; readonly message: string; readonly line: number };

const WRAPPER_KEYS = new Set(['value', 'records']);

const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJ = 123;
const CLOSE_OBJ = 125;
const OPEN_ARR = 91;
const CLOSE_ARR = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;
}

/**
 * Splits JSON text into records: top-level values (one document, JSON lines or concatenated
 * documents), the elements of a top-level array, and the elements of a top-level object's `value` /
 * `records` array (Graph pages, storage blobs). Tracks depth, strings and escapes only; each record's
 * text is parsed by the caller. A raw newline inside a string breaks the record (JSON forbids it):
 * the scanner then resumes at the next line that starts with `{`. Text left open at the end of input
 * is returned as a (broken) record.
 */
export async function* scanJson(chunks: AsyncIterable<string>): AsyncGenerator<JsonPiece> {
  let line = 1;
  let depth = 0;
  let inStr = false;
  let esc = false;
  /** Depth at which array elements start (1: top-level array, 2: wrapper array), or -1. */
  let arrayLevel = -1;
  // Capture of the current record.
  let cap = false;
  let capScalar = false;
  let capDepth = 0;
  let capLine = 0;
  let capStart = 0;
  let parts: string[] = [];
  // Top-level object: key tracking to find the wrapper array.
  let topObject = false;
  let expectKey = false;
  let keyBuf: string | undefined;
  let lastKey = '';
  // Recovery after a broken record.
  let resync = false;
  let lineStart = false;

  for await (const chunk of chunks) {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (resync) {
        if (c === NL) {
          line++;
          lineStart = true;
        } else if (lineStart && !isSpace(c)) {
          lineStart = false;
          if (c === OPEN_OBJ) {
            resync = false;
            depth = Math.max(arrayLevel, 0);
            if (depth === 0) topObject = false;
            cap = true;
            capScalar = false;
            capDepth = depth;
            capLine = line;
            capStart = i;
            parts = [];
            depth++;
          }
        }
        continue;
      }
      if (inStr) {
        if (esc) esc = false;
        else if (c === BACKSLASH) esc = true;
        else if (c === QUOTE) {
          inStr = false;
          if (keyBuf !== undefined) {
            lastKey = keyBuf;
            keyBuf = undefined;
          }
        } else if (c === NL) {
          // Raw newline in a string: the record is broken.
          if (cap) {
            parts.push(chunk.slice(capStart, i));
            yield { kind: 'element', text: parts.join(''), line: capLine };
            cap = false;
            parts = [];
          }
          inStr = false;
          esc = false;
          keyBuf = undefined;
          line++;
          resync = true;
          lineStart = true;
        } else if (keyBuf !== undefined && keyBuf.length < 64) keyBuf += chunk[i];
        continue;
      }
      if (c === NL) line++;
      if (cap && capScalar) {
        // A scalar (or garbage) record: at depth 0 it ends at the end of the line; in an array at the
        // next comma or closing bracket.
        if (capDepth === 0) {
          if (c === NL) {
            parts.push(chunk.slice(capStart, i));
            yield { kind: 'element', text: parts.join('').trimEnd(), line: capLine };
            cap = false;
            parts = [];
          }
          continue;
        }
        if (c === QUOTE) {
          inStr = true;
          continue;
        }
        if (c === COMMA || c === CLOSE_ARR || c === CLOSE_OBJ) {
          parts.push(chunk.slice(capStart, i));
          yield { kind: 'element', text: parts.join('').trimEnd(), line: capLine };
          cap = false;
          parts = [];
          // fall through: the delimiter is handled below
        } else continue;
      }
      if (isSpace(c)) continue;

      // Start of a record?
      if (!cap && (depth === 0 || depth === arrayLevel)) {
        if (depth === 0 && c === OPEN_ARR) {
          arrayLevel = 1;
          depth = 1;
          continue;
        }
        if (depth === arrayLevel && (c === COMMA || c === CLOSE_ARR)) {
          // separators between elements: handled below
        } else {
          cap = true;
          capDepth = depth;
          capLine = line;
          capStart = i;
          parts = [];
          capScalar = c !== OPEN_OBJ && c !== OPEN_ARR;
          if (depth === 0) {
            topObject = c === OPEN_OBJ;
            expectKey = topObject;
            lastKey = '';
          }
          if (capScalar) {
            if (c === QUOTE && capDepth > 0) inStr = true;
            continue;
          }
          depth++;
          continue;
        }
      }

      switch (c) {
        case QUOTE:
          inStr = true;
          if (topObject && depth === 1 && expectKey) keyBuf = '';
          break;
        case COLON:
          if (depth === 1) expectKey = false;
          break;
        case COMMA:
          if (depth === 1) expectKey = true;
          break;
        case OPEN_OBJ:
          depth++;
          break;
        case OPEN_ARR:
          if (topObject && depth === 1 && !expectKey && WRAPPER_KEYS.has(lastKey) && cap) {
            // `{"value":[…]}` / `{"records":[…]}`: stream the elements, drop the envelope.
            cap = false;
            parts = [];
            arrayLevel = 2;
          }
          depth++;
          break;
        case CLOSE_OBJ:
        case CLOSE_ARR:
          if (depth === 0) {
            // A stray closing bracket at the top: garbage up to the end of the line.
            cap = true;
            capScalar = true;
            capDepth = 0;
            capLine = line;
            capStart = i;
            parts = [];
            break;
          }
          depth--;
          if (depth === arrayLevel - 1 && !cap) arrayLevel = -1;
          if (cap && depth === capDepth) {
            parts.push(chunk.slice(capStart, i + 1));
            yield { kind: 'element', text: parts.join(''), line: capLine };
            cap = false;
            parts = [];
          }
          if (depth === 0) topObject = false;
          break;
      }
    }
    if (cap) {
      parts.push(chunk.slice(capStart));
      capStart = 0;
    } else capStart = 0;
  }
  if (cap) {
    const text = parts.join('').trimEnd();
    if (text) yield { kind: 'element', text, line: capLine };
  } else if (depth > 0 && !resync) {
    yield { kind: 'note', message: 'unexpected end of file: the JSON document is not closed', line };
  }
}
