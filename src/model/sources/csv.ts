/** CSV input (csv-parse, streamed, with start line numbers) and output (always-quoted values). */
import { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import type { Head } from './text.js';
import { textChunks } from './text.js';

/** A CSV value: `null` for an empty unquoted field, text otherwise (`""` is the empty string). */
export type CsvValue = string | null;

export type CsvItem =
  | { readonly kind: 'record'; readonly fields: CsvValue[]; readonly line: number }
  | { readonly kind: 'error'; readonly reason: string; readonly line: number; readonly raw: string };

/** The records of a CSV file, header included, each with the line where it starts. */
export async function* csvRecords(file: string, head: Head): AsyncGenerator<CsvItem> {
  const skipped: CsvItem[] = [];
  // csv-parse counts every \r inside a quoted value as a line too; lines here count \n only.
  let extraLines = 0;
  const firstBreak = head.text.indexOf('\n');
  const parser = parse({
    record_delimiter: firstBreak > 0 && head.text[firstBreak - 1] === '\r' ? '\r\n' : '\n',
    info: true,
    raw: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const line = typeof err?.lines === 'number' ? err.lines - extraLines : 0;
      skipped.push({
        kind: 'error',
        reason: `invalid CSV: ${err?.message ?? 'bad record'}`,
        line,
        raw: raw ?? '',
      });
      return undefined;
    },
  });
  const source = Readable.from(textChunks(file, head.encoding));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  for await (const item of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
    raw: string;
  }>) {
    while (skipped.length) yield skipped.shift()!;
    let carriageReturns = 0;
    let newlines = 0;
    for (const field of item.record) {
      if (field.includes('\r')) carriageReturns += field.split('\r').length - 1;
      if (field.includes('\n')) newlines += field.split('\n').length - 1;
    }
    extraLines += carriageReturns;
    const body = item.raw.replace(/^[\r\n]+/, '').replace(/[\r\n]+$/, '');
    yield {
      kind: 'record',
      fields: withNulls(item.record, body),
      line: item.info.lines - extraLines - newlines,
    };
  }
  while (skipped.length) yield skipped.shift()!;
}

/**
 * Empty unquoted fields → null (`""` stays the empty string). Done here from the raw text rather
 * than with csv-parse's `cast` option, which is three times slower.
 */
function withNulls(fields: string[], raw: string): CsvValue[] {
  if (!fields.includes('')) return fields;
  const out: CsvValue[] = fields.slice();
  let field = 0;
  let i = 0;
  const n = raw.length;
  while (i <= n && field < fields.length) {
    if (raw[i] === '"') {
      // quoted field: skip to its closing quote ("" is an escaped quote)
      i++;
      while (i < n) {
        if (raw[i] === '"') {
          if (raw[i + 1] === '"') i += 2;
          else break;
        } else i++;
      }
      while (i < n && raw[i] !== ',') i++;
    } else {
      const start = i;
      while (i < n && raw[i] !== ',') i++;
      if (i === start && fields[field] === '') out[field] = null;
    }
    i++;
    field++;
  }
  return out;
}

/** One CSV line: strings always quoted (so `=1+2` stays data, `""` stays distinct from null). */
export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values
    .map((v) => {
      if (v === null) return '';
      if (typeof v === 'number') return String(v);
      return `"${v.replace(/"/g, '""')}"`;
    })
    .join(',')}\r\n`;
}

/** Header normalisation of the portal CSV: lower case, no spaces `_` `-` `.`, no `(…)` suffix. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .replace(/\s*[([][^)\]]*[)\]]\s*$/, '')
    .toLowerCase()
    .replace(/[\s_.-]+/g, '');
}
