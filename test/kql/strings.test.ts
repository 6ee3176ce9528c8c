import { describe, expect, it } from 'vitest';
import { kql, scalar } from '../helpers/kql.js';

/** The first row of a `print` query. */
function row(query: string): unknown[] {
  return kql(query).rows[0];
}

/** A dynamic cell, parsed. */
function json(query: string): unknown {
  const value = scalar(query);
  return typeof value === 'string' ? JSON.parse(value) : value;
}

describe('length, case and comparison', () => {
  it('strlen counts code points; string_size counts UTF-8 bytes', () => {
    expect(row('print strlen("hey"), strlen(""), strlen("😀x"), strlen("é")')).toEqual([3, 0, 2, 1]);
    expect(row('print string_size("hey"), string_size("é"), string_size(""), string_size("😀")')).toEqual([
      3, 2, 0, 4,
    ]);
  });

  it('toupper/tolower convert any type to text, one character to one', () => {
    expect(
      row('print toupper("mixed Case"), tolower("ÀÉ"), toupper(12), tolower(true), toupper("ß")'),
    ).toEqual(['MIXED CASE', 'àé', '12', 'true', 'ß']);
  });

  it('strcmp compares ordinally', () => {
    expect(
      row('print strcmp("apple", "banana"), strcmp("b", "a"), strcmp("x", "x"), strcmp("B", "a")'),
    ).toEqual([-1, 1, 0, -1]);
  });

  it('isascii and isutf8', () => {
    expect(row('print isascii("plain text"), isascii("naïve"), isascii(""), isutf8("ünïcode")')).toEqual([
      true,
      false,
      true,
      true,
    ]);
  });
});

describe('substring, split and concatenation', () => {
  it('substring takes a start and an optional length', () => {
    expect(row('print substring("kusto", 2), substring("kusto", 1, 3), substring("kusto", 0, 100)')).toEqual([
      'sto',
      'ust',
      'kusto',
    ]);
  });

  it('substring counts a negative start from the end and clips out-of-range requests', () => {
    expect(
      row(
        'print substring("kusto", -3), substring("kusto", -3, 1), substring("kusto", 9), substring("", 0, 1)',
      ),
    ).toEqual(['sto', 's', '', '']);
    expect(row('print substring("kusto", 1, 0), substring("kusto", 1, -2), substring(98765, 1, 2)')).toEqual([
      '',
      '',
      '87',
    ]);
  });

  it('split keeps empty parts and picks one part by index', () => {
    expect(json('print split("x;y;;z", ";")')).toEqual(['x', 'y', '', 'z']);
    expect(json('print split("no-delimiter", ";")')).toEqual(['no-delimiter']);
    expect(json('print split("", ";")')).toEqual(['']);
    expect(json('print split("one::two::three", "::", 2)')).toEqual(['three']);
    expect(json('print split("one::two", "::", 7)')).toEqual([]);
  });

  it('strcat_delim converts arguments to text', () => {
    expect(scalar('print strcat_delim("|", "a", 2, true, 2h)')).toBe('a|2|true|02:00:00');
    expect(scalar('print strcat_delim(", ", "", "b")')).toBe(', b');
  });

  it('strcat_array joins array elements, nulls as empty text', () => {
    expect(scalar('print strcat_array(dynamic(["p", 7, null, 1.5]), "/")')).toBe('p/7//1.5');
    expect(scalar('print strcat_array(dynamic([]), "/")')).toBe('');
  });

  it('strrep repeats with an optional delimiter and caps at 1024 copies', () => {
    expect(row('print strrep("ab", 3), strrep(7, 2, "+"), strrep("x", 0), strrep("", 4, "-")')).toEqual([
      'ababab',
      '7+7',
      '',
      '---',
    ]);
    expect(scalar('print strlen(strrep("z", 5000))')).toBe(1024);
  });

  it('reverse reverses the text form of any value', () => {
    expect(row('print reverse("stressed"), reverse(""), reverse(120), reverse("añb")')).toEqual([
      'desserts',
      '',
      '021',
      'bña',
    ]);
    expect(scalar('print reverse(datetime(2021-02-03 04:05:06))')).toBe('Z0000000.60:50:40T30-20-1202');
    expect(scalar('print reverse(90m)')).toBe('00:03:10');
  });
});

describe('replacement', () => {
  it('replace_string replaces every non-overlapping occurrence', () => {
    expect(
      row(
        'print replace_string("aaaa", "aa", "b"), replace_string("one two", "x", "y"), replace_string("a.b", ".", "")',
      ),
    ).toEqual(['bb', 'one two', 'ab']);
  });

  it('replace_strings lets earlier lookups win overlapping matches', () => {
    expect(
      scalar('print replace_strings("red green blue", dynamic(["red", "blue"]), dynamic(["blue", "red"]))'),
    ).toBe('blue green red');
    expect(scalar('print replace_strings("their", dynamic(["the", "their"]), dynamic(["X", "Y"]))')).toBe(
      'Xir',
    );
    expect(scalar('print replace_strings("their", dynamic(["their", "the"]), dynamic(["Y", "X"]))')).toBe(
      'Y',
    );
    expect(scalar('print replace_strings("abc", dynamic(["b"]), dynamic([5]))')).toBe('abc');
  });

  it('replace_regex substitutes capture groups with \\N', () => {
    expect(scalar('print replace_regex("2024-05-06", @"(\\d+)-(\\d+)-(\\d+)", @"\\3/\\2/\\1")')).toBe(
      '06/05/2024',
    );
    expect(scalar('print replace_regex("a1b22", @"\\d+", "#")')).toBe('a#b#');
    expect(scalar('print replace_regex("abc", "x*", "-")')).toBe('-a-b-c-');
    // RE2 skips an empty match where the previous match ended.
    expect(scalar('print replace_regex("abc", "b*", "-")')).toBe('-a-c-');
    expect(scalar('print replace_regex("Hello", "(?i)h", "J")')).toBe('Jello');
    expect(scalar('print replace_regex("cost", "o", @"$1")')).toBe('c$1st');
  });

  it('legacy replace takes (regex, rewrite, text)', () => {
    expect(scalar('print replace(@"(\\w+)@", @"<\\1>", "me@host")')).toBe('<me>host');
  });

  it('countof compiles a per-row regex', () => {
    const result = kql(
      'datatable(p:string, s:string)["a", "banana", "n+", "banana"] | project n = countof(s, p, "regex")',
    );
    expect(result.rows).toEqual([[3], [2]]);
  });

  it('translate maps characters, padding with the last replacement or deleting', () => {
    expect(
      row(
        'print translate("ab", "xy", "abcab"), translate("abc", "z", "cabd"), translate("ac", "", "abcabc")',
      ),
    ).toEqual(['xycxy', 'zzzd', 'bb']);
  });
});

describe('trim', () => {
  it('trims regex matches from either end', () => {
    expect(row('print trim("x", "xxaxbxx"), trim_start("x", "xxaxbxx"), trim_end("x", "xxaxbxx")')).toEqual([
      'axb',
      'axbxx',
      'xxaxb',
    ]);
    expect(
      row('print trim(@"[\\s\\.]+", " .. hi .."), trim_end(@"\\d", "v123"), trim_start("ab", "abababc")'),
    ).toEqual(['hi', 'v', 'c']);
  });

  it('a dot in the pattern is a regex wildcard', () => {
    expect(scalar('print trim_end(".txt", "notes-txt")')).toBe('notes');
  });

  it('leaves text without matches alone', () => {
    expect(row('print trim("q", "abc"), trim("q", "")')).toEqual(['abc', '']);
  });
});

describe('search', () => {
  it('indexof with start, length and occurrence', () => {
    expect(
      row('print indexof("hello world", "o"), indexof("hello world", "o", 5), indexof("hello world", "z")'),
    ).toEqual([4, 7, -1]);
    expect(
      row(
        'print indexof("hello world", "o", -4), indexof("hello world", "wor", 6, 2), indexof("hello world", "wor", 6, 3)',
      ),
    ).toEqual([7, -1, 6]);
    expect(
      row('print indexof("xoxoxo", "o", 0, -1, 3), indexof("xoxoxo", "o", 0, -1, 4), indexof(50505, 5, 1)'),
    ).toEqual([5, -1, 2]);
  });

  it('indexof returns null for an invalid length or occurrence', () => {
    expect(row('print indexof("abc", "b", 0, -2), indexof("abc", "b", 0, -1, -1)')).toEqual([null, null]);
  });

  it('indexof_regex finds the nth non-overlapping match', () => {
    expect(
      row(
        'print indexof_regex("ab12cd34", @"\\d+"), indexof_regex("ab12cd34", @"\\d+", 0, -1, 2), indexof_regex("ab12", @"\\d", 3)',
      ),
    ).toEqual([2, 6, 3]);
    expect(
      row(
        'print indexof_regex("aaaa", "aa", 0, -1, 3), indexof_regex("abc", "b", -1), indexof_regex("abc", "z")',
      ),
    ).toEqual([-1, null, -1]);
  });

  it('countof counts overlapping plain matches and non-overlapping regex matches', () => {
    expect(
      row(
        'print countof("banana", "ana"), countof("banana", "ana", "regex"), countof("banana", "n", "normal")',
      ),
    ).toEqual([2, 1, 2]);
    expect(
      row('print countof("a1b22c333", @"\\d+", "regex"), countof("", "a"), countof("xyz", "X")'),
    ).toEqual([3, 0, 0]);
  });

  it('has_any_index gives the first lookup found as a whole term', () => {
    expect(
      row(
        'print has_any_index("Red fox jumps", dynamic(["cat", "FOX", "red"])), has_any_index("Red fox", dynamic(["fo"])), has_any_index("build 42", dynamic([7, 42]))',
      ),
    ).toEqual([1, -1, 1]);
  });
});

describe('extract', () => {
  it('extract returns a group, or empty text when nothing matches', () => {
    expect(
      row(
        'print extract(@"id=(\\w+)", 1, "x id=A7 y"), extract(@"id=(\\w+)", 0, "x id=A7 y"), extract(@"id=(\\w+)", 1, "none")',
      ),
    ).toEqual(['A7', 'id=A7', '']);
    expect(scalar('print extract(@"(a)|(b)", 2, "a")')).toBe('');
  });

  it('extract converts to the requested type', () => {
    const result = kql(
      'print n = extract(@"(\\d+)s", 1, "took 15s", typeof(long)), m = extract(@"(\\d+)s", 1, "none", typeof(long)), r = extract(@"[\\d.]+", 0, "v 2.5", typeof(real))',
    );
    expect(result.columns.map((c) => c.type)).toEqual(['long', 'long', 'real']);
    expect(result.rows).toEqual([[15, null, 2.5]]);
  });

  it('extract_all returns every match of one group as a flat array', () => {
    expect(json('print extract_all(@"#(\\w+)", "#a and #bc")')).toEqual(['a', 'bc']);
    expect(json('print extract_all(@"(\\d)(\\d)", "12 34 5")')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(scalar('print isnull(extract_all(@"(\\d)", "none"))')).toBe(true);
  });

  it('extract_all selects groups by number or name', () => {
    expect(json('print extract_all(@"(\\w)=(\\d)", dynamic([2]), "a=1 b=2")')).toEqual(['1', '2']);
    expect(json('print extract_all(@"(?P<k>\\w)=(?P<v>\\d)", dynamic(["v", 1]), "a=1 b=2")')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
  });

  it('extract_all requires a capture group', () => {
    expect(() => kql('print extract_all(@"\\d", "1")')).toThrow(/capture group/);
  });

  it('extract_json follows a JSONPath and converts the value', () => {
    const doc = '\'{"user":{"name":"ann","tags":["x","y"],"age":41,"ok":true}}\'';
    expect(scalar(`print extract_json("$.user.name", ${doc})`)).toBe('ann');
    expect(scalar(`print extract_json("$.user.tags[1]", ${doc})`)).toBe('y');
    expect(scalar(`print extract_json("$['user']['age']", ${doc}, typeof(long))`)).toBe(41);
    expect(scalar(`print extractjson("$.user.tags", ${doc})`)).toBe('["x","y"]');
    expect(scalar(`print extract_json("$.user.missing", ${doc})`)).toBe('');
    expect(scalar(`print extract_json("$.user.missing", ${doc}, typeof(int))`)).toBe(null);
    expect(scalar('print extract_json("$.a", "not json")')).toBe('');
  });

  it('regex_quote escapes regex metacharacters', () => {
    expect(scalar('print regex_quote("1+1=2? [yes]")')).toBe('1\\+1=2\\? \\[yes\\]');
    expect(scalar('print "a+b" matches regex regex_quote("a+b")')).toBe(true);
  });
});

describe('code points, bytes and base64', () => {
  it('converts between text and code points', () => {
    expect(json('print unicode_codepoints_from_string("Añ😀")')).toEqual([65, 241, 128512]);
    expect(json('print unicode_codepoints_from_string("")')).toEqual([]);
    expect(scalar('print unicode_codepoints_to_string(104, dynamic([105, 33]))')).toBe('hi!');
    expect(scalar('print make_string(dynamic([128512]), 65)')).toBe('\u{1F600}A');
  });

  it('to_utf8 gives the UTF-8 bytes', () => {
    expect(json('print to_utf8("aé")')).toEqual([97, 195, 169]);
  });

  it('base64 of UTF-8 text, both ways', () => {
    expect(
      row(
        'print base64_encode_tostring("día"), base64_decode_tostring("ZMOtYQ=="), base64_encode_tostring("")',
      ),
    ).toEqual(['ZMOtYQ==', 'día', '']);
  });

  it('base64_decode_tostring gives empty text for invalid base64 or invalid UTF-8', () => {
    expect(row('print base64_decode_tostring("not base64!"), base64_decode_tostring("/w==")')).toEqual([
      '',
      '',
    ]);
  });

  it('base64 byte arrays', () => {
    expect(json('print base64_decode_toarray("AQID/w==")')).toEqual([1, 2, 3, 255]);
    expect(scalar('print base64_encode_fromarray(dynamic([1, 2, 3, 255]))')).toBe('AQID/w==');
    expect(scalar('print base64_encode_fromarray(dynamic([256]))')).toBe('');
  });

  it('base64 of a guid uses the .NET byte order', () => {
    expect(scalar('print base64_encode_fromguid(guid(00112233-4455-6677-8899-aabbccddeeff))')).toBe(
      'MyIRAFVEd2aImaq7zN3u/w==',
    );
    expect(scalar('print base64_decode_toguid("not a guid")')).toBe(null);
  });

  it('new_guid is fresh per call', () => {
    const result = kql('range i from 1 to 3 step 1 | extend g = new_guid() | summarize dcount(g)');
    expect(result.rows[0][0]).toBe(3);
    expect(kql('print new_guid()').columns[0].type).toBe('guid');
  });
});

describe('URLs and CSV', () => {
  it('url_encode uses + for spaces and lowercase escapes', () => {
    expect(scalar('print url_encode("a b&c=d/é")')).toBe('a+b%26c%3dd%2f%c3%a9');
  });

  it('url_encode_component is url_encode with %20 for spaces', () => {
    expect(scalar('print url_encode_component("a b&c~d/é")')).toBe('a%20b%26c%7ed%2f%c3%a9');
  });

  it('url_decode reverses both encodings', () => {
    expect(
      row('print url_decode("a+b%26c%3dd%2f%c3%a9"), url_decode("a%20b%2F"), url_decode("100%")'),
    ).toEqual(['a b&c=d/é', 'a b/', '100%']);
  });

  it('parse_urlquery decodes the parameters, sorts keys and drops pairs without =', () => {
    expect(json('print parse_urlquery("q=kusto+query&lang=en%2Dus&flag&empty=")')).toEqual({
      'Query Parameters': { empty: '', lang: 'en-us', q: 'kusto query' },
    });
    expect(scalar('print parse_urlquery("b=2&a=1")')).toBe('{"Query Parameters":{"a":"1","b":"2"}}');
  });

  it('parse_url splits an absolute URL', () => {
    expect(json('print parse_url("http://me:secret@example.org:8080/a/b.html?x=1&y=two#part")')).toEqual({
      Scheme: 'http',
      Host: 'example.org',
      Port: '8080',
      Path: '/a/b.html',
      Username: 'me',
      Password: 'secret',
      'Query Parameters': { x: '1', y: 'two' },
      Fragment: 'part',
    });
    expect(json('print parse_url("https://example.org")')).toMatchObject({
      Host: 'example.org',
      Port: '',
      Path: '',
    });
  });

  it('parse_url gives empty parts for text that is not scheme://…', () => {
    expect(json('print parse_url("example.org/path")')).toEqual({
      Scheme: '',
      Host: '',
      Port: '',
      Path: '',
      Username: '',
      Password: '',
      'Query Parameters': {},
      Fragment: '',
    });
  });

  it('parse_csv reads the first record', () => {
    expect(json('print parse_csv("x,\\"y,z\\",\\"say \\"\\"hi\\"\\"\\",")')).toEqual([
      'x',
      'y,z',
      'say "hi"',
      '',
    ]);
    expect(json('print parse_csv("1,2\\n3,4")')).toEqual(['1', '2']);
    expect(json('print parse_csv("")')).toEqual(['']);
  });
});

describe('format_bytes', () => {
  it('picks units by size and rounds to the precision', () => {
    expect(
      row(
        'print format_bytes(100), format_bytes(2048), format_bytes(3 * 1024 * 1024 + 512 * 1024, 1), format_bytes(5000, 2)',
      ),
    ).toEqual(['100 Bytes', '2 KB', '3.5 MB', '4.88 KB']);
  });

  it('uses requested units and returns empty text for null', () => {
    expect(
      row('print format_bytes(3 * 1024 * 1024, 0, "KB"), format_bytes(long(null)), format_bytes(0)'),
    ).toEqual(['3072 KB', '', '0 Bytes']);
  });
});

describe('IPv4', () => {
  it('parse_ipv4 gives the address as a long, masked by a prefix', () => {
    expect(
      row(
        'print parse_ipv4("10.20.30.40"), parse_ipv4("10.20.30.40/16"), parse_ipv4("10.20.30.256"), parse_ipv4("")',
      ),
    ).toEqual([169090600, 169082880, null, null]);
    expect(scalar('print parse_ipv4_mask("10.20.30.40", 8)')).toBe(167772160);
  });

  it('compares and matches with prefixes', () => {
    expect(
      row(
        'print ipv4_compare("10.0.0.9", "10.0.0.10"), ipv4_compare("10.0.1.1", "10.0.0.1/16"), ipv4_compare("10.0.0.1", "9.0.0.1", 8)',
      ),
    ).toEqual([-1, 0, 1]);
    expect(
      row(
        'print ipv4_is_match("10.1.1.1", "10.1.2.2", 16), ipv4_is_match("10.1.1.1", "10.1.2.2"), ipv4_is_match("x", "10.1.2.2")',
      ),
    ).toEqual([true, false, null]);
  });

  it('ranges and private addresses', () => {
    expect(
      row(
        'print ipv4_is_in_range("172.16.5.5", "172.16.0.0/12"), ipv4_is_in_range("172.32.0.1", "172.16.0.0/12"), ipv4_is_in_any_range("8.8.8.8", "1.0.0.0/8", "8.8.0.0/16")',
      ),
    ).toEqual([true, false, true]);
    expect(
      row(
        'print ipv4_is_private("192.168.10.1"), ipv4_is_private("172.31.0.1"), ipv4_is_private("8.8.8.8"), ipv4_netmask_suffix("1.2.3.4/20")',
      ),
    ).toEqual([true, true, false, 20]);
  });

  it('format_ipv4 and format_ipv4_mask', () => {
    expect(
      row(
        'print format_ipv4("10.9.8.7", 16), format_ipv4(167772161), format_ipv4_mask("10.9.8.7", 8), format_ipv4_mask("10.9.8.7/12", 24), format_ipv4("10.9.8.7", 40)',
      ),
    ).toEqual(['10.9.0.0', '10.0.0.1', '10.0.0.0/8', '10.0.0.0/12', '']);
  });

  it('finds delimited addresses in text', () => {
    expect(
      row(
        'print has_ipv4("from 10.0.0.1, port 80", "10.0.0.1"), has_ipv4("v10.0.0.1", "10.0.0.1"), has_ipv4("at 10.0.0.300", "10.0.0.300")',
      ),
    ).toEqual([true, false, false]);
    expect(
      row(
        'print has_ipv4_prefix("src=10.1.2.3;", "10.1."), has_ipv4_prefix("src=10.1.2.3", "10.1"), has_any_ipv4("a 1.1.1.1 b", dynamic(["2.2.2.2", "1.1.1.1"])), has_any_ipv4_prefix("a 1.1.1.1 b", "2.", "1.1.")',
      ),
    ).toEqual([true, false, true, true]);
  });
});

describe('compression and punycode', () => {
  it('decompresses zlib and gzip base64 text', () => {
    // Bytes built by hand: zlib header 78 01 and gzip header around one stored deflate block of "ok".
    expect(scalar('print zlib_decompress_from_base64_string("eAEBAgD9/29rAUsA2w==")')).toBe('ok');
    expect(scalar('print gzip_decompress_from_base64_string("H4sIAAAAAAAA/wECAP3/b2tH3dx5AgAAAA==")')).toBe(
      'ok',
    );
    expect(
      row('print zlib_decompress_from_base64_string("b2s="), gzip_decompress_from_base64_string("")'),
    ).toEqual(['', '']);
  });

  it('punycode encodes and decodes one label', () => {
    expect(
      row(
        'print punycode_from_string("münchen"), punycode_to_string("mnchen-3ya"), punycode_from_string("plain")',
      ),
    ).toEqual(['mnchen-3ya', 'münchen', 'plain-']);
    expect(scalar('print punycode_to_string("bad!")')).toBe('');
  });
});

describe('ipv4_range_to_cidr_list', () => {
  it('covers a range with the fewest aligned blocks', () => {
    expect(json('print ipv4_range_to_cidr_list("10.0.0.0", "10.0.0.255")')).toEqual(['10.0.0.0/24']);
    expect(json('print ipv4_range_to_cidr_list("10.0.0.1", "10.0.0.6")')).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/31',
      '10.0.0.4/31',
      '10.0.0.6/32',
    ]);
    expect(scalar('print isnull(ipv4_range_to_cidr_list("10.0.0.9", "10.0.0.1"))')).toBe(true);
  });
});

describe('IPv6', () => {
  it('parse_ipv6 gives the full canonical form, masked by a prefix', () => {
    expect(
      row(
        'print parse_ipv6("2001:db8::1"), parse_ipv6("10.1.2.3"), parse_ipv6("2001:db8::ff/112"), parse_ipv6("1::2::3"), parse_ipv6("")',
      ),
    ).toEqual([
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '0000:0000:0000:0000:0000:ffff:0a01:0203',
      '2001:0db8:0000:0000:0000:0000:0000:0000',
      '',
      '',
    ]);
    expect(
      row(
        'print parse_ipv6("::ffff:10.1.2.3"), parse_ipv6_mask("2001:db8::abcd", 120), parse_ipv6_mask("10.1.2.3", 16)',
      ),
    ).toEqual([
      '0000:0000:0000:0000:0000:ffff:0a01:0203',
      '2001:0db8:0000:0000:0000:0000:0000:ab00',
      '0000:0000:0000:0000:0000:ffff:0a01:0000',
    ]);
  });

  it('compares and matches IPv6 and IPv4 addresses together', () => {
    expect(
      row(
        'print ipv6_compare("::1", "::2"), ipv6_compare("2001:db8::1/64", "2001:db8::ffff"), ipv6_compare("10.0.0.1", "::ffff:a00:1"), ipv6_compare("x", "::1")',
      ),
    ).toEqual([-1, 0, 0, null]);
    expect(
      row(
        'print ipv6_is_match("2001:db8::1", "2001:db8::2", 126), ipv6_is_match("2001:db8::1", "2001:db8::5", 126), ipv6_is_match("10.0.0.1", "10.0.0.9/28")',
      ),
    ).toEqual([true, false, true]);
  });

  it('checks ranges', () => {
    expect(
      row(
        'print ipv6_is_in_range("2001:db8::abcd", "2001:db8::/32"), ipv6_is_in_range("2001:db9::1", "2001:db8::/32"), ipv6_is_in_any_range("fd00::5", dynamic(["2001:db8::/32", "fd00::/8"]))',
      ),
    ).toEqual([true, false, true]);
  });
});

describe('parse_command_line', () => {
  it('splits a Windows command line', () => {
    expect(json('print parse_command_line(@"run.exe  -x ""two words"" last", "windows")')).toEqual([
      'run.exe',
      '-x',
      'two words',
      'last',
    ]);
    expect(json('print parse_command_line(@"a\\""b c\\\\""d e""", "windows")')).toEqual(['a"b', 'c\\d e']);
  });
});
