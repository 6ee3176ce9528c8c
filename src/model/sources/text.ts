/**
 * Streaming text input: encoding detection (UTF-8, UTF-8 BOM, UTF-16 LE/BE BOM), binary detection,
 * and a small JSON scanner that splits a document into its records without parsing it whole.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

export const HEAD_BYTES = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** Bytes [start, end) of a file; both at line starts (or the file's end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

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

/**
 * One record's text (possibly broken: the parser then says why) or a note about the document. An
 * element whose `value` is set was already parsed (JSON.parse of `text`) by the JSON-lines fast path.
 */
export type JsonPiece =
  | { readonly kind: 'element'; readonly text: string; readonly line: number; readonly value?: unknown }
  | { readonly kind: 'note'; readonly message: string; readonly line: number };

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
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

function isWrapperKey(key: string): boolean {
  return key === 'value' || key === 'records';
}

/**
 * Splits JSON text into records: top-level values (one document, JSON lines or concatenated
 * documents), the elements of a top-level array, and the elements of a top-level object's `value` /
 * `records` array (Graph pages, storage blobs). Tracks depth, strings and escapes only; each record's
 * text is parsed by the caller. A raw newline inside a string breaks the record (JSON forbids it):
 * the scanner then resumes at the next line that starts with `{`. Text left open at the end of input
 * is returned as a (broken) record.
 *
 * A state machine fed with text of any size (`feed`), then closed (`end`); the records found are
 * pushed to the array given. The result does not depend on how the text is cut into pieces.
 */
export class JsonScanner {
  /** 1-based line of the next character. */
  line = 1;
  private depth = 0;
  private inStr = false;
  private esc = false;
  /** Depth at which array elements start (1: top-level array, 2: wrapper array), or -1. */
  private arrayLevel = -1;
  // Capture of the current record.
  private cap = false;
  private capScalar = false;
  private capDepth = 0;
  private capLine = 0;
  private parts: string[] = [];
  // Top-level object: key tracking to find the wrapper array.
  private topObject = false;
  private expectKey = false;
  private keyBuf: string | undefined = undefined;
  private lastKey = '';
  // Recovery after a broken record.
  private resync = false;
  private lineStart = false;

  /**
   * 0 when the next non-space character would start a top-level record, the array level when it
   * would start an element of the current array, -1 otherwise (inside a record, a string, or
   * recovering from a broken record).
   */
  recordLevel(): number {
    if (this.resync || this.inStr || this.cap) return -1;
    if (this.depth === 0) return 0;
    return this.depth === this.arrayLevel ? this.depth : -1;
  }

  /** The effect of a comma read at a record boundary (see recordLevel). */
  separator(): void {
    if (this.depth === 1) this.expectKey = true;
  }

  feed(chunk: string, out: JsonPiece[]): void {
    let line = this.line;
    let depth = this.depth;
    let inStr = this.inStr;
    let esc = this.esc;
    let arrayLevel = this.arrayLevel;
    let cap = this.cap;
    let capScalar = this.capScalar;
    let capDepth = this.capDepth;
    let capLine = this.capLine;
    let parts = this.parts;
    let topObject = this.topObject;
    let expectKey = this.expectKey;
    let keyBuf = this.keyBuf;
    let lastKey = this.lastKey;
    let resync = this.resync;
    let lineStart = this.lineStart;
    let capStart = 0;
    const n = chunk.length;
    // Next backslash / newline at or after the position they were searched from (n: none).
    let nextBackslash = -1;
    let nextNewline = -1;

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
        if (resync && !lineStart) {
          // Skip to the end of the line.
          if (nextNewline <= i) {
            nextNewline = chunk.indexOf('\n', i + 1);
            if (nextNewline < 0) nextNewline = n;
          }
          i = nextNewline - 1;
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
            out.push({ kind: 'element', text: parts.join(''), line: capLine });
            cap = false;
            parts = [];
          }
          inStr = false;
          esc = false;
          keyBuf = undefined;
          line++;
          resync = true;
          lineStart = true;
        } else if (keyBuf !== undefined) {
          if (keyBuf.length < 64) keyBuf += chunk[i];
        } else {
          // Plain string content: jump to the next quote, backslash or newline.
          let stop = chunk.indexOf('"', i + 1);
          if (stop < 0) stop = n;
          if (nextBackslash <= i) {
            nextBackslash = chunk.indexOf('\\', i + 1);
            if (nextBackslash < 0) nextBackslash = n;
          }
          if (nextBackslash < stop) stop = nextBackslash;
          if (nextNewline <= i) {
            nextNewline = chunk.indexOf('\n', i + 1);
            if (nextNewline < 0) nextNewline = n;
          }
          if (nextNewline < stop) stop = nextNewline;
          i = stop - 1;
        }
        continue;
      }
      if (c === NL) line++;
      if (cap && capScalar) {
        // A scalar (or garbage) record: at depth 0 it ends at the end of the line; in an array at the
        // next comma or closing bracket.
        if (capDepth === 0) {
          if (c === NL) {
            parts.push(chunk.slice(capStart, i));
            out.push({ kind: 'element', text: parts.join('').trimEnd(), line: capLine });
            cap = false;
            parts = [];
          } else {
            if (nextNewline <= i) {
              nextNewline = chunk.indexOf('\n', i + 1);
              if (nextNewline < 0) nextNewline = n;
            }
            i = nextNewline - 1;
          }
          continue;
        }
        if (c === QUOTE) {
          inStr = true;
          continue;
        }
        if (c === COMMA || c === CLOSE_ARR || c === CLOSE_OBJ) {
          parts.push(chunk.slice(capStart, i));
          out.push({ kind: 'element', text: parts.join('').trimEnd(), line: capLine });
          cap = false;
          parts = [];
          // fall through: the delimiter is handled below
        } else continue;
      }
      if (c <= SPACE || c === 0xfeff) {
        if (isSpace(c)) continue;
      }

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
          if (topObject && depth === 1 && !expectKey && isWrapperKey(lastKey) && cap) {
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
            let text: string;
            if (parts.length === 0) text = chunk.slice(capStart, i + 1);
            else {
              parts.push(chunk.slice(capStart, i + 1));
              text = parts.join('');
            }
            out.push({ kind: 'element', text, line: capLine });
            cap = false;
            parts = [];
          }
          if (depth === 0) topObject = false;
          break;
      }
    }
    if (cap) parts.push(capStart === 0 ? chunk : chunk.slice(capStart));

    this.line = line;
    this.depth = depth;
    this.inStr = inStr;
    this.esc = esc;
    this.arrayLevel = arrayLevel;
    this.cap = cap;
    this.capScalar = capScalar;
    this.capDepth = capDepth;
    this.capLine = capLine;
    this.parts = parts;
    this.topObject = topObject;
    this.expectKey = expectKey;
    this.keyBuf = keyBuf;
    this.lastKey = lastKey;
    this.resync = resync;
    this.lineStart = lineStart;
  }

  /** End of input: the record left open, or a note when the document is not closed. */
  end(out: JsonPiece[]): void {
    if (this.cap) {
      const text = this.parts.join('').trimEnd();
      if (text) out.push({ kind: 'element', text, line: this.capLine });
      this.cap = false;
      this.parts = [];
    } else if (this.depth > 0 && !this.resync) {
      out.push({
        kind: 'note',
        message: 'unexpected end of file: the JSON document is not closed',
        line: this.line,
      });
    }
  }
}

/** The records of JSON text given in pieces (see JsonScanner). */
export async function* scanJson(chunks: AsyncIterable<string>): AsyncGenerator<JsonPiece> {
  const scanner = new JsonScanner();
  const out: JsonPiece[] = [];
  for await (const chunk of chunks) {
    scanner.feed(chunk, out);
    yield* out;
    out.length = 0;
  }
  scanner.end(out);
  yield* out;
}

// ---- JSON records of a file --------------------------------------------------------------------------

const READ_BYTES = 256 * 1024;

/** True when a JSON-parsed key could be the scanner's `value` / `records` key (escapes removed). */
function mayBeWrapperKey(key: string): boolean {
  if (key.length < 5) return false;
  if (isWrapperKey(key)) return true;
  let stripped = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    // Characters a simple escape (\" \\ \/ \b \f \n \r \t) stands for: the scanner skips them.
    if (
      c === QUOTE ||
      c === BACKSLASH ||
      c === 47 ||
      c === 8 ||
      c === 12 ||
      c === NL ||
      c === CR ||
      c === TAB
    )
      continue;
    stripped += key[i];
    if (stripped.length > 7) return false;
  }
  return isWrapperKey(stripped);
}

function hasWrapperKey(value: object): boolean {
  for (const key in value) {
    const c = key.charCodeAt(0);
    // Cheap pre-check: the key must start with v / r or with a character an escape stands for.
    if (c === 118 || c === 114 || c <= QUOTE || c === 47 || c === BACKSLASH) {
      if (mayBeWrapperKey(key)) return true;
    }
  }
  return false;
}

/**
 * Tries a line as one whole record: `{…}` (at an element boundary also `{…},`) that JSON.parse
 * accepts, at a record boundary of the scanner. Gives exactly what the scanner would give for the
 * line, or undefined when the line must go through the scanner.
 */
function wholeLineRecord(
  scanner: JsonScanner,
  buffer: Buffer,
  start: number,
  end: number,
  out: JsonPiece[],
): boolean {
  const level = scanner.recordLevel();
  if (level < 0) return false;
  let s = start;
  let e = end;
  while (s < e && (buffer[s] === SPACE || buffer[s] === TAB || buffer[s] === CR)) s++;
  if (s === e || buffer[s] !== OPEN_OBJ) return false;
  while (e > s && (buffer[e - 1] === SPACE || buffer[e - 1] === TAB || buffer[e - 1] === CR)) e--;
  let comma = false;
  if (buffer[e - 1] === COMMA && level > 0) {
    comma = true;
    e--;
    while (e > s && (buffer[e - 1] === SPACE || buffer[e - 1] === TAB || buffer[e - 1] === CR)) e--;
  }
  if (buffer[e - 1] !== CLOSE_OBJ) return false;
  const text = buffer.toString('utf8', s, e);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  // At the top, `{"value":[…]}` / `{"records":[…]}` is an envelope: the scanner streams its elements.
  if (level === 0 && hasWrapperKey(value as object)) return false;
  out.push({ kind: 'element', text, line: scanner.line, value });
  if (comma) scanner.separator();
  return true;
}

/**
 * The records of a JSON file, in batches (one per read), as `scanJson` finds them. UTF-8 files are read
 * as bytes and split at newlines: a line holding one whole record (JSON lines, or one array element
 * per line as in Graph pages) is parsed directly; other lines, and lines longer than a read, go
 * through the scanner, with the same result.
 */
export async function* jsonPieces(
  file: string,
  encoding: Head['encoding'],
  readBytes = READ_BYTES,
  range?: ByteRange,
): AsyncGenerator<JsonPiece[]> {
  if (range && encoding !== 'utf-8') throw new Error('a byte range of a file can only be read as UTF-8');
  const carryBytes = Math.max(4, readBytes >> 2);
  const scanner = new JsonScanner();
  if (encoding !== 'utf-8') {
    for await (const chunk of textChunks(file, encoding)) {
      const out: JsonPiece[] = [];
      scanner.feed(chunk, out);
      if (out.length) yield out;
    }
    const out: JsonPiece[] = [];
    scanner.end(out);
    if (out.length) yield out;
    return;
  }

  // A line longer than a read goes to the scanner in pieces, never cut inside a character (so that
  // decoding the pieces gives the text of the whole line, invalid bytes included).
  let longLine = false;
  const handle = await open(file, 'r');
  // Two buffers: one is read into (ahead) while the other is scanned. Each has room before the read
  // bytes for the incomplete last line of the previous read.
  const buffers = [Buffer.allocUnsafe(carryBytes + readBytes), Buffer.allocUnsafe(carryBytes + readBytes)];
  // Reads go to explicit positions, so that a range of the file can be read.
  let position = range?.start ?? 0;
  const stop = range?.end ?? Number.POSITIVE_INFINITY;
  const readInto = (b: Buffer) => {
    const length = Math.max(0, Math.min(readBytes, stop - position));
    const read = handle.read(b, carryBytes, length, position);
    position += length;
    return read;
  };
  let ahead: ReturnType<typeof readInto> | undefined;
  try {
    let current = 0;
    let pending = readInto(buffers[current]);
    let carry: Buffer = Buffer.alloc(0);
    let first = position === 0;
    for (;;) {
      const { bytesRead } = await pending;
      ahead = undefined;
      let buffer = buffers[current];
      let start = carryBytes - carry.length;
      let end = carryBytes + bytesRead;
      if (carry.length <= carryBytes) carry.copy(buffer, start);
      else {
        buffer = Buffer.concat([carry, buffer.subarray(carryBytes, end)]);
        start = 0;
        end = buffer.length;
      }
      // The carry is copied: the other buffer is free for the next read.
      if (bytesRead > 0) {
        current = 1 - current;
        pending = ahead = readInto(buffers[current]);
      }
      const out: JsonPiece[] = [];
      let pos = start;
      if (first) {
        if (end - start < 3 && bytesRead > 0) {
          carry = Buffer.from(buffer.subarray(start, end));
          continue;
        }
        first = false;
        if (end - pos >= 3 && buffer[pos] === 0xef && buffer[pos + 1] === 0xbb && buffer[pos + 2] === 0xbf) {
          pos += 3;
        }
      }
      if (bytesRead === 0) {
        // End of file: the last line has no newline.
        if (pos < end && (longLine || !wholeLineRecord(scanner, buffer, pos, end, out))) {
          scanner.feed(buffer.toString('utf8', pos, end), out);
        }
        scanner.end(out);
        if (out.length) yield out;
        return;
      }
      const view = end === buffer.length ? buffer : buffer.subarray(0, end);
      for (;;) {
        const nl = view.indexOf(NL, pos);
        if (nl < 0) break;
        if (longLine) {
          scanner.feed(buffer.toString('utf8', pos, nl + 1), out);
          longLine = false;
        } else if (wholeLineRecord(scanner, buffer, pos, nl, out)) {
          scanner.line++;
        } else {
          scanner.feed(buffer.toString('utf8', pos, nl + 1), out);
        }
        pos = nl + 1;
      }
      if (longLine || (pos === start && end - start >= readBytes)) {
        // Cut before the lead byte of a character that may be incomplete (so at most 4 bytes wait).
        let k = end;
        while (k > pos && end - k < 3 && (buffer[k - 1] & 0xc0) === 0x80) k--;
        const cut = k > pos && buffer[k - 1] >= 0xc0 ? k - 1 : end;
        scanner.feed(buffer.toString('utf8', pos, cut), out);
        longLine = true;
        pos = cut;
      }
      // The incomplete last line waits for the next read (copied: its buffer is read into next).
      carry = buffer.subarray(pos, end);
      if (out.length) yield out;
    }
  } finally {
    // Let a read still under way finish before closing.
    await ahead?.catch(() => undefined);
    await handle.close();
  }
}
