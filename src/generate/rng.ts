import { Buffer } from 'node:buffer';

/** Small deterministic PRNG (sfc32 seeded through splitmix32); no Math.random anywhere in the generator. */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));
/** Two hex digit character codes per byte value, for filling GUID text in bulk. */
const HEX_CODES = new Uint16Array(256);
for (let i = 0; i < 256; i++) HEX_CODES[i] = HEX[i].charCodeAt(0) | (HEX[i].charCodeAt(1) << 8);
const GUIDS_PER_POOL = 256;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function writeHex(buffer: Buffer, at: number, byte: number): void {
  const codes = HEX_CODES[byte];
  buffer[at] = codes & 255;
  buffer[at + 1] = codes >>> 8;
}

/** Mixes integers into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 4294967296) >>> 0;
    h = Math.imul(h ^ lo, 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ hi, 0x01000193);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private pool: Buffer = Buffer.alloc(0);
  private poolText = '';
  private poolNext = GUIDS_PER_POOL;

  constructor(seed: number, stream = 0) {
    const init = splitmix32(mixSeed(seed, stream));
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Poisson-distributed count (Knuth for small means, rounded normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) {
      const u = 1 - this.next();
      const v = this.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(mean + z * Math.sqrt(mean)));
    }
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** A random (version 4 shaped) GUID, lower case. */
  guid(): string {
    if (this.poolNext === GUIDS_PER_POOL) this.fillPool();
    const at = this.poolNext++ * 36;
    return this.poolText.slice(at, at + 36);
  }

  /** Writes the text of the next GUIDS_PER_POOL GUIDs into a buffer (flat strings are sliced from it). */
  private fillPool(): void {
    if (this.pool.length === 0) this.pool = Buffer.alloc(36 * GUIDS_PER_POOL);
    for (let g = 0; g < GUIDS_PER_POOL; g++) {
      const a = this.u32();
      const b = this.u32();
      const c = this.u32();
      const d = this.u32();
      const p = this.pool;
      const base = g * 36;
      writeHex(p, base, a >>> 24);
      writeHex(p, base + 2, (a >>> 16) & 255);
      writeHex(p, base + 4, (a >>> 8) & 255);
      writeHex(p, base + 6, a & 255);
      p[base + 8] = 45;
      writeHex(p, base + 9, b >>> 24);
      writeHex(p, base + 11, (b >>> 16) & 255);
      p[base + 13] = 45;
      writeHex(p, base + 14, 0x40 | ((b >>> 8) & 15));
      writeHex(p, base + 16, b & 255);
      p[base + 18] = 45;
      writeHex(p, base + 19, 0x80 | ((c >>> 24) & 0x3f));
      writeHex(p, base + 21, (c >>> 16) & 255);
      p[base + 23] = 45;
      writeHex(p, base + 24, (c >>> 8) & 255);
      writeHex(p, base + 26, c & 255);
      writeHex(p, base + 28, d >>> 24);
      writeHex(p, base + 30, (d >>> 16) & 255);
      writeHex(p, base + 32, (d >>> 8) & 255);
      writeHex(p, base + 34, d & 255);
    }
    this.poolText = this.pool.toString('latin1');
    this.poolNext = 0;
  }

  /** n random lower-case hex digits. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) {
      const v = this.u32();
      out += HEX[v >>> 24] + HEX[(v >>> 16) & 255] + HEX[(v >>> 8) & 255] + HEX[v & 255];
    }
    return out.slice(0, n);
  }
}
