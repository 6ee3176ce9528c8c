/** Bad input never crashes or hangs: rejects with file:line, warnings, or a SourceError for whole files. */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readSources } from '../src/model/sources/index.js';
import {
  SourceError,
  type SourceFormat,
  type SourceItem,
  type SourceReject,
} from '../src/model/sources/types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'provlog-bad-'));
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function collect(files: string[], format: SourceFormat | 'auto' = 'auto'): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readSources(files, { format })) items.push(item);
  return items;
}
const rejects = (items: SourceItem[]) => items.filter((i): i is SourceReject => i.kind === 'reject');
const rowCount = (items: SourceItem[]) => items.filter((i) => i.kind === 'row').length;

const good = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    time: '2024-05-02T10:15:07.1234560Z',
    category: 'ProvisioningLogs',
    tenantId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    durationMs: 10,
    properties: { id, jobId: 'j', changeId: `c-${id}` },
    ...extra,
  });

describe('truncated JSON', () => {
  test('JSON lines: the cut last record is rejected, the good ones kept', async () => {
    const path = file('cut.log', `${good('a')}\n${good('b')}\n${good('c').slice(0, 60)}`);
    const items = await collect([path]);
    expect(rowCount(items)).toBe(2);
    expect(rejects(items)).toMatchObject([
      { file: path, line: 3, reason: expect.stringMatching(/^invalid JSON: /) },
    ]);
    expect(rejects(items)[0].excerpt.length).toBeLessThanOrEqual(200);
  });

  test('{"records":[…]} blob cut inside the third record', async () => {
    const text = `{"records": [\n${good('a')},\n${good('b')},\n${good('c').slice(0, 80)}`;
    const items = await collect([file('cut-blob.json', text)]);
    expect(rowCount(items)).toBe(2);
    expect(rejects(items)).toMatchObject([{ line: 4, reason: 'invalid JSON: Unexpected end of JSON input' }]);
  });

  test('array cut between records: a warning, the records kept', async () => {
    const items = await collect([file('cut-array.json', `[\n${good('a')},\n${good('b')},\n`)], 'diagnostic');
    expect(rowCount(items)).toBe(2);
    expect(items.filter((i) => i.kind === 'warning')).toMatchObject([
      { message: expect.stringContaining('not closed') },
    ]);
  });

  test('a raw newline inside a string breaks one JSON line only', async () => {
    const broken = good('b').replace('"j"', '"j\nk"');
    const items = await collect([file('newline.log', `${good('a')}\n${broken}\n${good('c')}\n`)]);
    expect(rowCount(items)).toBe(2);
    expect(rejects(items)).toHaveLength(1);
    expect(rejects(items)[0].line).toBe(2);
  });

  test('a garbage line among JSON lines', async () => {
    const items = await collect(
      [file('garbage-line.log', `${good('a')}\nthis is not json\n${good('b')}\n`)],
      'diagnostic',
    );
    expect(rowCount(items)).toBe(2);
    expect(rejects(items)).toMatchObject([
      { line: 2, reason: expect.stringMatching(/^invalid JSON: /), excerpt: 'this is not json' },
    ]);
  });
});

describe('wrong types', () => {
  test('durationMs {} and a non-date time name the field', async () => {
    const text = [
      good('a', { durationMs: {} }),
      good('b', { time: '13/45/2020' }),
      good('c', { properties: 'x' }),
      good('d'),
    ].join('\n');
    const items = await collect([file('types.log', text)]);
    expect(rowCount(items)).toBe(1);
    expect(rejects(items).map((r) => [r.line, r.reason])).toEqual([
      [1, 'durationMs: not a number: {}'],
      [2, 'time: not a datetime: "13/45/2020"'],
      [3, 'properties: not an object: "x"'],
    ]);
  });

  test('graph: wrong category of value and unknown diagnostic category', async () => {
    const graph = file(
      'graph-types.json',
      JSON.stringify({
        value: [{ id: 'x', activityDateTime: '2024-01-01T00:00:00Z', provisioningSteps: 'oops' }, 5],
      }),
    );
    expect(rejects(await collect([graph], 'graph')).map((r) => r.reason)).toEqual([
      'provisioningSteps: not an array: "oops"',
      'not a JSON object',
    ]);
    const diag = file(
      'signin.log',
      JSON.stringify({ time: '2024-01-01T00:00:00Z', category: 'SignInLogs', properties: {} }),
    );
    expect(rejects(await collect([diag])).map((r) => r.reason)).toEqual([
      'category: not ProvisioningLogs or AuditLogs: "SignInLogs"',
    ]);
  });
});

describe('whole-file problems', () => {
  test('unknown format → SourceError naming the file and --format', async () => {
    const path = file('notes.txt', 'just some notes\nnothing to see\n');
    await expect(collect([path])).rejects.toThrow(SourceError);
    await expect(collect([path])).rejects.toThrow(`cannot tell the format of ${path}; use --format`);
  });

  test('empty file → warning, no throw', async () => {
    const path = file('empty.json', '');
    expect(await collect([path])).toEqual([{ kind: 'warning', file: path, message: 'empty file' }]);
    const blank = file('blank.json', '\n  \n');
    expect(await collect([blank])).toEqual([{ kind: 'warning', file: blank, message: 'empty file' }]);
  });

  test('binary garbage → SourceError, even with --format', async () => {
    const bytes = randomBytes(64 * 1024);
    bytes[10] = 0;
    const path = file('garbage.bin', bytes);
    await expect(collect([path])).rejects.toThrow(/binary content/);
    await expect(collect([path], 'diagnostic')).rejects.toThrow(SourceError);
    const gz = file('logs.json.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
    await expect(collect([gz])).rejects.toThrow(/gzip/);
  });

  test('a missing file → SourceError', async () => {
    await expect(collect([join(dir, 'nope.json')])).rejects.toThrow(SourceError);
  });

  test('text that is not the chosen format gives rejects, not a crash', async () => {
    const path = file('csv-as-json.csv', 'a,b\n1,2\n');
    const items = await collect([path], 'la-json');
    expect(rejects(items).length).toBeGreaterThan(0);
  });
});

describe('CSV headers', () => {
  test('portal CSV: unknown headers → one warning per file; missing change id → SourceError', async () => {
    const main = file(
      'ProvisioningLogs_x.csv',
      'Date,Change ID,Id,Colour,Mood\n2024-01-01,c1,i1,red,ok\n2024-01-02,c2,i2,blue,ok\n',
    );
    const items = await collect([main]);
    expect(items.filter((i) => i.kind === 'warning')).toEqual([
      { kind: 'warning', file: main, line: 1, message: 'unknown column(s) ignored: Colour, Mood' },
    ]);
    expect(rowCount(items)).toBe(2);
    const noChange = file('ProvisioningLogs_y.csv', 'Date,Id,Status\n2024-01-01,i1,success\n');
    await expect(collect([noChange], 'portal-csv')).rejects.toThrow(/missing required column\(s\) changeId/);
  });

  test('portal CSV: a bad date is rejected with its line', async () => {
    const main = file('ProvisioningLogs_z.csv', 'Date,Change ID,Id\n2024-01-01,c1,i1\n"not, a date",c2,i2\n');
    const items = await collect([main]);
    expect(rejects(items)).toMatchObject([{ line: 3, reason: 'date: not a datetime: "not, a date"' }]);
  });

  test('line numbers stay right after values holding CR LF and bare CR', async () => {
    const main = file(
      'ProvisioningLogs_lines.csv',
      'Date,Change ID,Id,Reason\r\n2024-01-01,c1,i1,"one\r\ntwo\rthree"\r\n2024-01-02,c2,i2,\r\n\r\nbad date,c3,i3,\r\n',
    );
    const items = await collect([main]);
    expect(items.filter((i) => i.kind === 'row').map((i) => i.line)).toEqual([2, 4]);
    expect(rejects(items)).toMatchObject([{ line: 6, reason: 'date: not a datetime: "bad date"' }]);
    const first = items.find((i) => i.kind === 'row');
    expect(first?.kind === 'row' && first.row.ResultDescription).toBe('one\r\ntwo\rthree');
  });

  test('CSV with an unterminated quote → reject, no hang', async () => {
    const main = file('ProvisioningLogs_q.csv', 'Date,Change ID,Id\n2024-01-01,c1,i1\n2024-01-02,"c2,i2\n');
    const items = await collect([main]);
    expect(rowCount(items)).toBe(1);
    expect(rejects(items)[0].reason).toMatch(/^invalid CSV: /);
  });
});

describe('encodings', () => {
  test('UTF-8 BOM and UTF-16 LE (PowerShell Out-File) files are read', async () => {
    const text = `${good('a')}\n${good('b', { properties: { id: 'b', jobId: 'Zoë ✓' } })}\n`;
    const bom = file('bom.log', `\uFEFF${text}`);
    const utf16 = file('utf16.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    for (const path of [bom, utf16]) {
      const items = await collect([path]);
      expect(rejects(items)).toEqual([]);
      expect(items.map((i) => (i.kind === 'row' ? [i.line, i.row.JobId] : i.kind))).toEqual([
        [1, 'j'],
        [2, 'Zoë ✓'],
      ]);
    }
  });
});

describe('large input', () => {
  test('a single 50 MB JSON line is read', async () => {
    const path = join(dir, 'big.log');
    const stream = createWriteStream(path);
    const filler = 'x'.repeat(1024 * 1024);
    const head = good('big').slice(0, -2); // drop the closing "}}"
    stream.write(`${head},"blob":"`);
    for (let i = 0; i < 50; i++) stream.write(filler);
    stream.write('"}}\n');
    stream.write(`${good('after')}\n`);
    await new Promise<void>((resolve) => stream.end(resolve));
    const items = await collect([path]);
    expect(rejects(items)).toEqual([]);
    expect(
      items.filter((i) => i.kind === 'row').map((i) => (i.kind === 'row' ? [i.row.Id, i.line] : [])),
    ).toEqual([
      ['big', 1],
      ['after', 2],
    ]);
  });
});
