import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { xxhash64 } from '../../src/kql/functions/hash.js';
import { kql, scalar } from '../helpers/kql.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const signed = (hash: bigint) => BigInt.asIntN(64, hash).toString();

describe('xxhash64 (published XXH64 test vectors)', () => {
  it('short inputs (under one 32-byte stripe)', () => {
    expect(xxhash64(utf8(''))).toBe(0xef46db3751d8e999n);
    expect(xxhash64(utf8('a'))).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxhash64(utf8('abc'))).toBe(0x44bc2cf5ad770999n);
  });

  it('inputs spanning a full stripe plus 4-byte and 1-byte tails', () => {
    expect(xxhash64(utf8('Nobody inspects the spammish repetition'))).toBe(0xfbcea83c8a378bf1n);
  });

  it('takes a seed', () => {
    expect(xxhash64(utf8(''), 2654435761n)).toBe(0xac75fda2929b17efn);
  });
});

describe('hash / hash_xxhash64', () => {
  it('hashes the UTF-8 bytes of strings as a signed long', () => {
    const text = 'provisioning ✓ für alle';
    const expected = signed(xxhash64(utf8(text)));
    expect(scalar(`print tostring(hash("${text}"))`)).toBe(expected);
    expect(scalar(`print tostring(hash_xxhash64("${text}"))`)).toBe(expected);
    expect(scalar('print tostring(hash(""))')).toBe(signed(0xef46db3751d8e999n));
    expect(kql('print hash("a")').columns[0].type).toBe('long');
  });

  it('hashes datetimes as the 8 little-endian bytes of their .NET ticks', () => {
    // 2001-02-03 is 981158400 s after the Unix epoch, which is 62135596800 s after 0001-01-01.
    const ticks = (981_158_400n + 62_135_596_800n) * 10_000_000n;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, ticks, true);
    expect(scalar('print tostring(hash(datetime(2001-02-03)))')).toBe(signed(xxhash64(bytes)));
  });

  it('with a modulo, returns the unsigned hash modulo mod', () => {
    const unsigned = xxhash64(utf8('abc'));
    expect(scalar('print hash("abc", 1000)')).toBe(Number(unsigned % 1000n));
    const results = kql('range i from 1 to 40 step 1 | project h = hash(tostring(i), 7)').rows.map(
      (r) => r[0],
    );
    expect(results.every((h) => typeof h === 'number' && h >= 0 && h < 7)).toBe(true);
  });

  it('per-row values match the constant-folded ones', () => {
    const result = kql('datatable(s:string)["x", "y"] | project h = tostring(hash(s))');
    expect(result.rows).toEqual([[signed(xxhash64(utf8('x')))], [signed(xxhash64(utf8('y')))]]);
  });

  it('null in, null out', () => {
    expect(scalar('print hash(datetime(null))')).toBe(null);
    expect(scalar('print hash("a", long(null))')).toBe(null);
  });

  it('refuses types whose binary form is not documented', () => {
    expect(() => kql('print hash(1.5)')).toThrow(/not supported/);
    expect(() => kql('print hash(true)')).toThrow(/not supported/);
  });
});

describe('hash_sha256, hash_sha1, hash_md5', () => {
  const digest = (algorithm: string, text: string) =>
    createHash(algorithm).update(text, 'utf8').digest('hex');

  it('hash the UTF-8 text of strings, lowercase hex', () => {
    const text = 'Ünïcode & ascii';
    expect(scalar(`print hash_sha256("${text}")`)).toBe(digest('sha256', text));
    expect(scalar(`print hash_sha1("${text}")`)).toBe(digest('sha1', text));
    expect(scalar(`print hash_md5("${text}")`)).toBe(digest('md5', text));
    expect(scalar('print hash_md5("")')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('hash datetimes in round-trip form with seven fraction digits', () => {
    expect(scalar('print hash_sha256(datetime(2001-02-03 04:05:06.5))')).toBe(
      digest('sha256', '2001-02-03T04:05:06.5000000Z'),
    );
  });

  it('hash integers as their decimal text', () => {
    expect(scalar('print hash_sha1(-42)')).toBe(digest('sha1', '-42'));
  });

  it('return strings, and work per row', () => {
    const result = kql('datatable(s:string)["p", "q"] | project d = hash_md5(s)');
    expect(result.columns[0].type).toBe('string');
    expect(result.rows).toEqual([[digest('md5', 'p')], [digest('md5', 'q')]]);
  });
});
