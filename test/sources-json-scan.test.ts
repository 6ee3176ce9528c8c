/**
 * The JSON record splitter (`jsonPieces`: JSON-lines fast path + scanner) gives exactly what the
 * original character-by-character scanner gave, on random JSON-ish input cut into reads of any size.
 * The reference below is that original scanner, kept verbatim as the oracle.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { type JsonPiece, jsonPieces } from '../src/model/sources/text.js';

type Piece =
  | { kind: 'element'; text: string; line: number }
  | { kind: 'note'; message: string; line: number };

// ---- the original scanner (oracle) ------------------------------------------------------------------

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
function oracleScan(chunks: string[]): Piece[] {
  const result: Piece[] = [];
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
  for (const chunk of chunks) {
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
            result.push({ kind: 'element', text: parts.join(''), line: capLine });
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
            result.push({ kind: 'element', text: parts.join('').trimEnd(), line: capLine });
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
          result.push({ kind: 'element', text: parts.join('').trimEnd(), line: capLine });
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
            result.push({ kind: 'element', text: parts.join(''), line: capLine });
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
    if (text) result.push({ kind: 'element', text, line: capLine });
  } else if (depth > 0 && !resync) {
    result.push({ kind: 'note', message: 'unexpected end of file: the JSON document is not closed', line });
  }
  return result;
}

// ---- random input ------------------------------------------------------------------------------------

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['a', 'Zoë ✓', 'x\\"y', 'back\\\\', 'p\\u00e9', '', 'tab\\tnl\\n', '{[', '"]}', 'value', '𝄞'];
const KEYS = ['id', 'value', 'records', 'val\\u0075e', 'value\\\\', 'v\\/alue', 'tables', 'time', 'a'];

function randomValue(r: () => number, depth: number): string {
  const k = Math.floor(r() * (depth > 2 ? 4 : 7));
  switch (k) {
    case 0:
      return String(Math.floor(r() * 1000));
    case 1:
      return `"${STRINGS[Math.floor(r() * STRINGS.length)]}"`;
    case 2:
      return ['true', 'null', 'false'][Math.floor(r() * 3)];
    case 3:
      return `"${'s'.repeat(Math.floor(r() * 40))}"`;
    case 4:
    case 5:
      return randomObject(r, depth + 1);
    default: {
      const n = Math.floor(r() * 3);
      return `[${Array.from({ length: n }, () => randomValue(r, depth + 1)).join(r() < 0.2 ? ', ' : ',')}]`;
    }
  }
}

function randomObject(r: () => number, depth: number): string {
  const n = Math.floor(r() * 4);
  const members = Array.from(
    { length: n },
    () => `"${KEYS[Math.floor(r() * KEYS.length)]}":${r() < 0.1 ? ' ' : ''}${randomValue(r, depth + 1)}`,
  );
  return `{${members.join(r() < 0.1 ? ' , ' : ',')}}`;
}

const GARBAGE = [
  '',
  ' ',
  '\t',
  'garbage',
  ']',
  '}',
  ',',
  '{"a":"x',
  '"str"',
  '12',
  '\uFEFF',
  '\\',
  '{',
  '[',
  '"',
];

/** A random line: mostly whole records (some with a trailing comma), sometimes broken or garbage. */
function randomLine(r: () => number): string {
  const x = r();
  const pad = () => (r() < 0.1 ? [' ', '\t', '\r', '  '][Math.floor(r() * 4)] : '');
  if (x < 0.55) return `${pad()}${randomObject(r, 0)}${pad()}${r() < 0.3 ? ',' : ''}${pad()}`;
  if (x < 0.65) return `{"${r() < 0.5 ? 'value' : 'records'}":[${randomObject(r, 1)}${r() < 0.5 ? ',' : ''}`;
  if (x < 0.72) return ']}';
  if (x < 0.78) return r() < 0.5 ? '[' : ']';
  if (x < 0.84) {
    const obj = randomObject(r, 0);
    const cut = Math.floor(r() * obj.length);
    return obj.slice(0, cut);
  }
  if (x < 0.9) return `${randomObject(r, 0)} ${randomObject(r, 0)}`;
  return GARBAGE[Math.floor(r() * GARBAGE.length)];
}

function randomDocument(r: () => number): string {
  const lines = Array.from({ length: 1 + Math.floor(r() * 12) }, () => randomLine(r));
  const nl = r() < 0.2 ? '\r\n' : '\n';
  let text = lines.join(nl);
  if (r() < 0.5) text += nl;
  if (r() < 0.1) text = `\uFEFF${text}`;
  if (r() < 0.05) text = `\uFEFF${text}`;
  return text;
}

// ---- comparison --------------------------------------------------------------------------------------

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-scan-'));
});

function expected(bytes: Buffer): Piece[] {
  const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  return oracleScan([text]);
}

async function actual(path: string, readBytes: number): Promise<Piece[]> {
  const pieces: Piece[] = [];
  for await (const batch of jsonPieces(path, 'utf-8', readBytes)) {
    for (const piece of batch as JsonPiece[]) {
      if (piece.kind === 'note') pieces.push({ kind: 'note', message: piece.message, line: piece.line });
      else {
        if (piece.value !== undefined) expect(piece.value).toEqual(JSON.parse(piece.text));
        pieces.push({ kind: 'element', text: piece.text, line: piece.line });
      }
    }
  }
  return pieces;
}

describe('jsonPieces matches the original scanner', () => {
  test('random documents, random read sizes', async () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const r = rng(seed);
      const bytes = Buffer.from(randomDocument(r), 'utf8');
      const path = join(dir, `doc-${seed % 10}.json`);
      writeFileSync(path, bytes);
      const want = expected(bytes);
      for (const readBytes of [1, 3, 7, 16, 64, 1024 * 1024]) {
        const got = await actual(path, readBytes);
        expect(got, `seed ${seed}, reads of ${readBytes} bytes`).toEqual(want);
      }
    }
  });

  test('escaped newline, invalid UTF-8 and long lines', async () => {
    const cases: Buffer[] = [
      Buffer.from('{"a":"x\\\ny"}\n{"b":1}\n'),
      Buffer.concat([
        Buffer.from('{"a":"'),
        Buffer.from([0xc3, 0x28, 0xe2, 0x82]),
        Buffer.from('"}\n{"b":"é"}'),
      ]),
      Buffer.from(
        `{"a":"${'é'.repeat(5000)}"}\n{"b":"${'x'.repeat(20000)}"},\n[${'{"c":1},'.repeat(3000)}{}]\n`,
      ),
      Buffer.from(
        `{"value":[\n${'{"id":"x","n":[1,2]},\n'.repeat(50)}{"id":"last"}\n],"next":"y"}\n{"id":2}`,
      ),
      Buffer.from('\uFEFF\uFEFF{"a":1}\n\uFEFF{"b":2}\n'),
    ];
    for (const [i, bytes] of cases.entries()) {
      const path = join(dir, `case-${i}.json`);
      writeFileSync(path, bytes);
      const want = expected(bytes);
      for (const readBytes of [1, 5, 100, 4096, 1024 * 1024]) {
        expect(await actual(path, readBytes), `case ${i}, reads of ${readBytes} bytes`).toEqual(want);
      }
    }
  });
});
