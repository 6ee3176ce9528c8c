/**
 * Hash functions. `hash()`/`hash_xxhash64()` run XXH64 (seed 0) over a value's binary form: UTF-8
 * for strings, the 8 little-endian bytes of the .NET ticks for datetimes. The digest functions
 * (`hash_sha256`, `hash_sha1`, `hash_md5`) hash the UTF-8 text of the value, datetimes in .NET's
 * round-trip form with seven fraction digits.
 */
import { createHash } from 'node:crypto';
import { KqlError } from '../errors.js';
import { datetimeParts, formatTimespan } from '../text.js';
import { type KType, longToBigInt, normLong, type Value } from '../values.js';
import { registerScalar } from './registry.js';

// ---- XXH64, from the algorithm's specification ----

const MASK = 0xffff_ffff_ffff_ffffn;
const PRIME1 = 0x9e37_79b1_85eb_ca87n;
const PRIME2 = 0xc2b2_ae3d_27d4_eb4fn;
const PRIME3 = 0x1656_67b1_9e37_79f9n;
const PRIME4 = 0x85eb_ca77_c2b2_ae63n;
const PRIME5 = 0x27d4_eb2f_1656_67c5n;

const rotateLeft = (x: bigint, bits: bigint): bigint => ((x << bits) | (x >> (64n - bits))) & MASK;

/** One lane step: accumulate an 8-byte input into a lane. */
const laneRound = (acc: bigint, input: bigint): bigint =>
  (rotateLeft((acc + input * PRIME2) & MASK, 31n) * PRIME1) & MASK;

const mergeLane = (acc: bigint, lane: bigint): bigint =>
  ((acc ^ laneRound(0n, lane)) * PRIME1 + PRIME4) & MASK;

/** XXH64 of `bytes` as an unsigned 64-bit bigint. */
export function xxhash64(bytes: Uint8Array, seed = 0n): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;
  let offset = 0;
  let acc: bigint;
  if (length >= 32) {
    const lanes = [
      (seed + PRIME1 + PRIME2) & MASK,
      (seed + PRIME2) & MASK,
      seed & MASK,
      (seed - PRIME1) & MASK,
    ];
    for (; offset + 32 <= length; offset += 32) {
      for (let i = 0; i < 4; i++) lanes[i] = laneRound(lanes[i], view.getBigUint64(offset + i * 8, true));
    }
    acc =
      (rotateLeft(lanes[0], 1n) +
        rotateLeft(lanes[1], 7n) +
        rotateLeft(lanes[2], 12n) +
        rotateLeft(lanes[3], 18n)) &
      MASK;
    for (const lane of lanes) acc = mergeLane(acc, lane);
  } else {
    acc = (seed + PRIME5) & MASK;
  }
  acc = (acc + BigInt(length)) & MASK;
  for (; offset + 8 <= length; offset += 8) {
    acc ^= laneRound(0n, view.getBigUint64(offset, true));
    acc = (rotateLeft(acc, 27n) * PRIME1 + PRIME4) & MASK;
  }
  if (offset + 4 <= length) {
    acc ^= (BigInt(view.getUint32(offset, true)) * PRIME1) & MASK;
    acc = (rotateLeft(acc, 23n) * PRIME2 + PRIME3) & MASK;
    offset += 4;
  }
  for (; offset < length; offset++) {
    acc ^= (BigInt(bytes[offset]) * PRIME5) & MASK;
    acc = (rotateLeft(acc, 11n) * PRIME1) & MASK;
  }
  return avalanche(acc);
}

function avalanche(value: bigint): bigint {
  let h = value;
  h ^= h >> 33n;
  h = (h * PRIME2) & MASK;
  h ^= h >> 29n;
  h = (h * PRIME3) & MASK;
  h ^= h >> 32n;
  return h;
}

// ---- Value encodings ----

/** Unix-epoch ticks → .NET DateTime ticks (since 0001-01-01). */
const DOTNET_EPOCH_OFFSET = 621_355_968_000_000_000n;

function int64Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt.asIntN(64, value), true);
  return bytes;
}

function notSupported(fn: string, type: KType): KqlError {
  return new KqlError(`not supported: ${fn}() of a ${type} value`, 'NotSupported');
}

/** The bytes XXH64 hashes for a type; types whose encoding Kusto does not document are refused. */
function binaryEncoder(fn: string, type: KType): (value: Value) => Uint8Array {
  switch (type) {
    case 'string':
      return (value) => Buffer.from(value as string, 'utf8');
    case 'datetime':
      return (value) => int64Bytes((value as bigint) + DOTNET_EPOCH_OFFSET);
    case 'timespan':
      return (value) => int64Bytes(value as bigint);
    case 'long':
      return (value) => int64Bytes(longToBigInt(value as number | bigint));
    default:
      throw notSupported(fn, type);
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** .NET round-trip ("o") text of a UTC datetime: always seven fraction digits. */
function roundTripDatetime(ticks: bigint): string {
  const p = datetimeParts(ticks);
  return `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}.${pad(p.fraction, 7)}Z`;
}

/** The text the digest functions hash for a type. */
function textEncoder(fn: string, type: KType): (value: Value) => string {
  switch (type) {
    case 'string':
      return (value) => value as string;
    case 'datetime':
      return (value) => roundTripDatetime(value as bigint);
    case 'timespan':
      return (value) => formatTimespan(value as bigint);
    case 'int':
    case 'long':
      return (value) => String(value);
    case 'guid':
      return (value) => value as string;
    default:
      throw notSupported(fn, type);
  }
}

// ---- Registrations ----

/** `hash(source [, mod])`: the signed XXH64, or the unsigned hash modulo `mod`. */
function registerXxhash(name: string): void {
  registerScalar(name, ({ argTypes }) => {
    const encode = binaryEncoder(name, argTypes[0]);
    return (value, mod) => {
      if (value === null) return null;
      const hash = xxhash64(encode(value));
      if (mod === undefined) return normLong(BigInt.asIntN(64, hash));
      if (mod === null) return null;
      const divisor = longToBigInt(mod as number | bigint);
      return divisor <= 0n ? null : normLong(hash % divisor);
    };
  });
}

registerXxhash('hash');
registerXxhash('hash_xxhash64');

function registerDigest(name: string, algorithm: string): void {
  registerScalar(name, ({ argTypes: [type] }) => {
    const encode = textEncoder(name, type);
    return (value) =>
      value === null ? '' : createHash(algorithm).update(encode(value), 'utf8').digest('hex');
  });
}

registerDigest('hash_sha256', 'sha256');
registerDigest('hash_sha1', 'sha1');
registerDigest('hash_md5', 'md5');
