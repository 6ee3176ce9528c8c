import { describe, expect, it } from 'vitest';
import { kql } from '../helpers/kql.js';

const line = 'job=Sync42 user=alice@contoso.com count=17 at=2024-03-05T10:20:30Z';

describe('parse', () => {
  it('extracts between constants, skipping junk with * (the provisioning query shape)', () => {
    const result = kql(`print s="${line}" | parse s with * "user=" User " count=" *`);
    expect(result.columns.map((c) => c.name)).toEqual(['s', 'User']);
    expect(result.rows[0][1]).toBe('alice@contoso.com');
  });

  it('converts typed columns and gives the last column the rest of the text', () => {
    const result = kql(
      `print s="${line}" | parse s with "job=" Job " user=" * " count=" N:long " at=" At:datetime`,
    );
    expect(result.columns.slice(1)).toEqual([
      { name: 'Job', type: 'string' },
      { name: 'N', type: 'long' },
      { name: 'At', type: 'datetime' },
    ]);
    expect(result.rows[0].slice(1)).toEqual(['Sync42', 17, '2024-03-05T10:20:30Z']);
  });

  it('a typed column followed by * takes only text of its type', () => {
    expect(kql('print s="n=123abc;" | parse s with "n=" N:long * ";"').rows[0][1]).toBe(123);
  });

  it('constants are found at their first occurrence in simple mode', () => {
    expect(kql('print s="a=1,b=2,c=3" | parse s with "a=" A "," *').rows[0][1]).toBe('1');
  });

  it('simple mode leaves every column empty when a constant is missing or a type does not match', () => {
    expect(kql('print s="a=1" | parse s with "a=" A ";" B').rows[0].slice(1)).toEqual(['', '']);
    expect(kql('print s="a=x;b=2" | parse s with "a=" A:long ";b=" B:long').rows[0].slice(1)).toEqual([
      null,
      null,
    ]);
  });

  it('relaxed mode nulls only the columns that do not convert', () => {
    const result = kql('print s="a=x;b=2" | parse kind=relaxed s with "a=" A:long ";b=" B:long');
    expect(result.rows[0].slice(1)).toEqual([null, 2]);
  });

  it('relaxed mode still needs every constant', () => {
    expect(kql('print s="a=1" | parse kind=relaxed s with "a=" A:long ";b=" B').rows[0].slice(1)).toEqual([
      null,
      '',
    ]);
  });

  it('regex mode treats constants as regexes; string columns are greedy', () => {
    const result = kql('print s="k=v1, k=v2, end" | parse kind=regex s with * @"k\\s*=" V "," *');
    expect(result.rows[0][1]).toBe('v1, k=v2');
  });

  it('regex flags: U makes columns lazy, i ignores case', () => {
    const query = (flags: string) =>
      `print s="K=v1, x=v2, end" | parse kind=regex ${flags} s with * "k=" V "," *`;
    expect(kql(query('flags=Ui')).rows[0][1]).toBe('v1');
    expect(kql(query('flags=i')).rows[0][1]).toBe('v1, x=v2');
    expect(kql(query('')).rows[0][1]).toBe('');
  });

  it('parses non-string expressions as their text', () => {
    expect(kql('print n=12345 | parse n with "12" Rest:long').rows[0][1]).toBe(345);
  });
});

describe('parse-where', () => {
  it('keeps only the rows that match', () => {
    const result = kql(
      'datatable(s:string)["id=1", "id=x", "nothing", "id=22"] | parse-where s with "id=" Id:long | project Id',
    );
    expect(result.rows).toEqual([[1], [22]]);
  });

  it('regex kind with flags', () => {
    const result = kql(
      'datatable(s:string)["ID=7;", "id=8;", "none"] | parse-where kind=regex flags=i s with "id=" Id:long ";" | project Id',
    );
    expect(result.rows).toEqual([[7], [8]]);
  });
});

describe('parse-kv', () => {
  it('splits pairs on the given delimiters and trims keys and values', () => {
    const result = kql(
      'print s="a: one , b:2, c: three" | parse-kv s as (b:long, c:string, d:string) with (pair_delimiter=",", kv_delimiter=":") | project-away s',
    );
    expect(result.columns).toEqual([
      { name: 'b', type: 'long' },
      { name: 'c', type: 'string' },
      { name: 'd', type: 'string' },
    ]);
    expect(result.rows).toEqual([[2, 'three', '']]);
  });

  it('quoted keys and values may hold delimiters; escapes are honoured', () => {
    const result = kql(
      `print s='x=1 "my key"="a b" y="say \\\\"hi\\\\""' | parse-kv s as (['my key']:string, x:long, y:string) with (pair_delimiter=' ', kv_delimiter='=', quote='"', escape='\\\\') | project-away s`,
    );
    expect(result.rows).toEqual([['a b', 1, 'say "hi"']]);
  });

  it('without greedy a value ends at the pair delimiter; with greedy at the next key', () => {
    const base = 'print s="given=Ada Lovelace born=1815 12 10" | parse-kv s as (given:string, born:string)';
    expect(kql(`${base} with (pair_delimiter=" ", kv_delimiter="=") | project-away s`).rows).toEqual([
      ['Ada', '1815'],
    ]);
    expect(
      kql(`${base} with (pair_delimiter=" ", kv_delimiter="=", greedy=true) | project-away s`).rows,
    ).toEqual([['Ada Lovelace', '1815 12 10']]);
  });

  it('keeps the first appearance of a key', () => {
    const result = kql(
      'print s="k=1;k=2" | parse-kv s as (k:long) with (pair_delimiter=";", kv_delimiter="=") | project-away s',
    );
    expect(result.rows).toEqual([[1]]);
  });

  it('without delimiters any non-alphanumeric text separates keys from values', () => {
    const result = kql(
      'print s="[WARN] Job:Sync7 -> Attempts = 3" | parse-kv s as (Job:string, Attempts:long) | project-away s',
    );
    expect(result.rows).toEqual([['Sync7', 3]]);
  });

  it('regex mode takes the key and value from the two groups', () => {
    const result = kql(
      'print s="<a|1><b|two>" | parse-kv s as (a:long, b:string) with (regex=@"<(\\w+)\\|([^>]*)>") | project-away s',
    );
    expect(result.rows).toEqual([[1, 'two']]);
  });
});

describe('parse anchoring', () => {
  it('the pattern must cover the whole text unless it ends with *', () => {
    expect(kql('print s="a=1;rest" | parse s with "a=" A ";"').rows[0][1]).toBe('');
    expect(kql('print s="a=1;rest" | parse s with "a=" A ";" *').rows[0][1]).toBe('1');
  });

  it('leading and trailing * skip text across newlines, also in regex mode', () => {
    const text = 'print s="line one\\nid=42\\nline three"';
    expect(kql(`${text} | parse s with * "id=" Id:long *`).rows[0][1]).toBe(42);
    expect(kql(`${text} | parse kind=regex s with * @"id=" Id:long *`).rows[0][1]).toBe(42);
  });

  it('in regex mode the m flag does not loosen the anchoring', () => {
    const result = kql('print s="x=1\\ny=2" | parse kind=regex flags=m s with "x=" X:long');
    expect(result.rows[0][1]).toBe(null);
  });
});

describe('parse into an existing column', () => {
  it('is not supported (Kusto resolution of the clash unverified)', () => {
    expect(() => kql('print s="x=5", X="old" | parse s with "x=" X')).toThrow(/not supported/);
    expect(() => kql('print s="x=5", X="old" | parse-kv s as (X:string) with (regex="(x)=(5)")')).toThrow(
      /not supported/,
    );
  });
});
