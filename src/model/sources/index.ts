/**
 * Entry point of the source readers: format detection and `readSources`, which streams every record
 * of every file as a normalised row, a reject (file:line, one-line reason, short excerpt) or a
 * warning. Whole-file problems (unknown format, binary file, missing CSV columns) throw SourceError.
 *
 * Records without an id (the time-format corner-case diagnostic records carry only `time` and
 * `category`) are accepted: their `Id` is a GUID-shaped hash of the record's content, so importing
 * the same file again dedupes; one warning per file counts them.
 */
import { basename, extname } from 'node:path';
import { TABLES } from '../schema.js';
import { csvRecordReject, excerpt, isObject, type Json, type JsonObject, RecordError } from './common.js';
import { csvRecords, normaliseHeader } from './csv.js';
import { diagnosticToRow, type MappedRecord } from './diagnostic.js';
import { graphToAuditRow, graphToProvisioningRow, isDirectoryAudit } from './graph.js';
import { isLaColumn, laObjectToRow, tableRowObject } from './la.js';
import { derivedWarning, findSiblings, type PortalGroup, portalRole, readPortalCsv } from './portal-csv.js';
import { type ByteRange, HEAD_BYTES, type Head, jsonPieces, readHead } from './text.js';
import { SOURCE_FORMATS, SourceError, type SourceFormat, type SourceItem } from './types.js';

export type { SourceFormat, SourceItem };
export { SOURCE_FORMATS, SourceError };

/** Query-API documents (`{"tables":…}`) are parsed whole; bigger ones are refused. */
export const MAX_TABLES_DOCUMENT = 256 * 1024 * 1024;

const SNIFF_CHARS = 8 * 1024;

/** Tells the format of a file from its first few KB (and its name); undefined when unsure. */
export function detectFormat(file: string, head: string): SourceFormat | undefined {
  const text = head
    .replace(/^\uFEFF/, '')
    .slice(0, SNIFF_CHARS)
    .trimStart();
  if (!text) return undefined;
  const name = basename(file).toLowerCase();
  if (text[0] === '{' || text[0] === '[') {
    if (/^\{\s*"tables"\s*:/.test(text)) return 'la-json';
    if (/^\{\s*"records"\s*:/.test(text)) return 'diagnostic';
    if (/"TimeGenerated"\s*:/.test(text)) return 'la-json';
    if (/"properties"\s*:\s*\{/.test(text) && /"category"\s*:/.test(text)) return 'diagnostic';
    if (/"time"\s*:/.test(text) && /"category"\s*:/.test(text)) return 'diagnostic';
    if (/"@odata\.context"|"activityDateTime"\s*:|"jobId"\s*:|"activityDisplayName"\s*:/.test(text)) {
      const beta = /"action"\s*:|"statusInfo"\s*:/.test(text);
      return text[0] === '[' && (beta || name.includes('portal')) ? 'portal-json' : 'graph';
    }
    return undefined;
  }
  const firstLine = text.split(/\r?\n/, 1)[0];
  if (!firstLine.includes(',') && !name.endsWith('.csv')) return undefined;
  const headers = firstLine.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const laNames = headers.map((h) => h.replace(/\s*\[[^\]]*\]\s*$/, ''));
  const exact = laNames.filter(isLaColumn).length;
  if (laNames.includes('TimeGenerated') && exact >= 3) return 'la-csv';
  const normalised = new Set(headers.map(normaliseHeader));
  if (normalised.has('changeid')) return 'portal-csv';
  if (laNames.includes('TimeGenerated')) return 'la-csv';
  return undefined;
}

export interface ReadOptions {
  readonly format: SourceFormat | 'auto';
  /**
   * Read only these bytes of the one file given: a slice of a JSON-lines file, cut at line starts.
   * Line numbers are then counted from the range's start (its first line is line 1).
   */
  readonly range?: ByteRange;
}

/** A file checked before reading: its head, and its format (or that it is empty). */
export type PlannedFile =
  | { readonly file: string; readonly head: Head; readonly format: SourceFormat }
  | { readonly file: string; readonly empty: true };

type Planned = Extract<PlannedFile, { format: SourceFormat }>;

function formatHint(): string {
  return `use --format ${SOURCE_FORMATS.join('|')}`;
}

/**
 * Streams the records of the files. Files are checked first (readable, not binary, format known), so
 * a whole-file problem stops the import before any row is produced.
 */
export async function* readSources(files: string[], options: ReadOptions): AsyncGenerator<SourceItem> {
  yield* readPlanned(await planSources(files, options), options.range);
}

function isJsonFormat(format: SourceFormat): boolean {
  return format !== 'portal-csv' && format !== 'la-csv';
}

/**
 * Checks the files (readable, not binary, format known) without reading their records; a whole-file
 * problem throws SourceError.
 */
export async function planSources(files: string[], options: ReadOptions): Promise<PlannedFile[]> {
  const plan: PlannedFile[] = [];
  for (const file of files) {
    let head: Head;
    try {
      head = await readHead(file);
    } catch (error) {
      throw new SourceError(file, `cannot read: ${(error as Error).message}`);
    }
    if (head.size === 0 || (head.size <= HEAD_BYTES && head.text.trim() === '' && !head.binary)) {
      plan.push({ file, empty: true });
      continue;
    }
    if (head.binary) throw new SourceError(file, head.binary);
    const format = options.format === 'auto' ? detectFormat(file, head.text) : options.format;
    if (!format) throw new SourceError(file, `cannot tell the format of ${file}; ${formatHint()}`);
    if (!SOURCE_FORMATS.includes(format))
      throw new SourceError(file, `unknown format ${format}; ${formatHint()}`);
    plan.push({ file, head, format });
  }
  return plan;
}

/**
 * The records of files already checked by planSources. With a range, the plan must be one UTF-8 JSON
 * file, of which only that slice is read.
 */
export async function* readPlanned(
  plan: readonly PlannedFile[],
  range?: ByteRange,
): AsyncGenerator<SourceItem> {
  if (range) {
    const only = plan[0];
    if (plan.length !== 1 || 'empty' in only || only.head.encoding !== 'utf-8' || !isJsonFormat(only.format))
      throw new Error('a byte range can only be read from one UTF-8 JSON file');
    yield* readJson(only, range);
    return;
  }
  // Portal CSV: group the main files with their step / modified-property files.
  const groups = new Map<string, PortalGroup>();
  const sides: { file: string; role: 'steps' | 'modprops' }[] = [];
  for (const p of plan) {
    if ('empty' in p || p.format !== 'portal-csv') continue;
    const role = portalRole(p.file, p.head.text.split(/\r?\n/, 1)[0]);
    if (role === 'main') groups.set(p.file, { main: p.file });
    else sides.push({ file: p.file, role });
  }
  for (const side of sides) {
    const mains = [...groups.values()];
    const stemOf = (f: string) => basename(f, extname(f)).toLowerCase();
    const owner =
      mains.length === 1
        ? mains[0]
        : mains.find((g) => basename(side.file).toLowerCase().startsWith(stemOf(g.main)));
    if (!owner) {
      throw new SourceError(
        side.file,
        'cannot tell which main ProvisioningLogs CSV file this file belongs to; pass them together',
      );
    }
    if (side.role === 'steps') owner.steps = side.file;
    else owner.modprops = side.file;
  }

  for (const p of plan) {
    if ('empty' in p) {
      yield { kind: 'warning', file: p.file, message: 'empty file' };
      continue;
    }
    switch (p.format) {
      case 'portal-csv': {
        const group = groups.get(p.file);
        if (!group) break; // a step / modified-property file: read with its main file
        await findSiblings(group);
        yield* readPortalCsv(group);
        break;
      }
      case 'la-csv':
        yield* readLaCsv(p);
        break;
      default:
        yield* readJson(p);
    }
  }
}

type Mapper = (value: Json) => MappedRecord;

function mapperFor(format: SourceFormat): Mapper {
  switch (format) {
    case 'diagnostic':
      return diagnosticToRow;
    case 'la-json':
      return (value) => laObjectToRow(value);
    default:
      return (value) => {
        if (!isObject(value)) throw new RecordError('not a JSON object');
        const audit = isDirectoryAudit(value);
        const row = audit ? graphToAuditRow(value) : graphToProvisioningRow(value);
        return { table: audit ? 'AuditLogs' : 'AADProvisioningLogs', row, idDerived: false };
      };
  }
}

function parseError(error: unknown): string {
  const message = (error as Error).message.split('\n')[0];
  return `invalid JSON: ${message}`;
}

async function* readJson(p: Planned, range?: ByteRange): AsyncGenerator<SourceItem> {
  const { file } = p;
  const isTables = p.format === 'la-json' && /^\s*\{\s*"tables"\s*:/.test(p.head.text);
  if (isTables && p.head.size > MAX_TABLES_DOCUMENT) {
    throw new SourceError(
      file,
      `a query-API document ({"tables":…}) over ${MAX_TABLES_DOCUMENT / 1024 / 1024} MB is not supported; save the rows as JSON lines`,
    );
  }
  const map = mapperFor(p.format);
  let derived = 0;
  let records = 0;
  for await (const batch of jsonPieces(file, p.head.encoding, undefined, range)) {
    for (const piece of batch) {
      if (piece.kind === 'note') {
        yield { kind: 'warning', file, line: piece.line, message: piece.message };
        continue;
      }
      records++;
      let value = piece.value as Json | undefined;
      if (value === undefined) {
        try {
          value = JSON.parse(piece.text) as Json;
        } catch (error) {
          yield {
            kind: 'reject',
            file,
            line: piece.line,
            reason: parseError(error),
            excerpt: excerpt(piece.text),
          };
          continue;
        }
      }
      if (p.format === 'la-json' && isObject(value) && Array.isArray(value.tables)) {
        yield* readTables(file, piece.line, value.tables);
        continue;
      }
      try {
        const mapped = map(value);
        if (mapped.idDerived) derived++;
        yield { kind: 'row', table: mapped.table, row: mapped.row, file, line: piece.line };
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        yield { kind: 'reject', file, line: piece.line, reason: error.message, excerpt: excerpt(piece.text) };
      }
    }
  }
  if (records === 0) yield { kind: 'warning', file, message: 'no records found' };
  if (derived) yield derivedWarning(file, derived);
}

function* readTables(file: string, line: number, tables: Json[]): Generator<SourceItem> {
  let used = 0;
  for (const table of tables) {
    if (!isObject(table) || !Array.isArray(table.columns) || !Array.isArray(table.rows)) continue;
    const columns = table.columns.map((c) => (isObject(c) && typeof c.name === 'string' ? c.name : ''));
    const known = columns.filter((c) => c in TABLE_COLUMNS).length;
    if (!columns.includes('TimeGenerated') || known < 3) continue;
    used++;
    let index = 0;
    for (const cells of table.rows) {
      index++;
      const obj: JsonObject = Array.isArray(cells) ? tableRowObject(columns, cells) : {};
      try {
        if (!Array.isArray(cells)) throw new RecordError('row is not an array');
        const mapped = laObjectToRow(obj);
        yield { kind: 'row', table: mapped.table, row: mapped.row, file, line };
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        const name = typeof table.name === 'string' ? table.name : '?';
        yield {
          kind: 'reject',
          file,
          line,
          reason: `table ${name} row ${index}: ${error.message}`,
          excerpt: excerpt(JSON.stringify(cells)),
        };
      }
    }
  }
  if (used === 0)
    yield { kind: 'warning', file, line, message: 'no table with AADProvisioningLogs or AuditLogs columns' };
}

const TABLE_COLUMNS: Record<string, true> = Object.fromEntries(
  [...TABLES.AADProvisioningLogs.columns, ...TABLES.AuditLogs.columns].map((c) => [c.name, true]),
);

async function* readLaCsv(p: Planned): AsyncGenerator<SourceItem> {
  const { file } = p;
  let names: (string | undefined)[] | undefined;
  const local = new Set<string>();
  let derived = 0;
  for await (const item of csvRecords(file, p.head)) {
    if (item.kind === 'error') {
      yield { kind: 'reject', file, line: item.line, reason: item.reason, excerpt: excerpt(item.raw) };
      continue;
    }
    if (!names) {
      const unknown: string[] = [];
      names = item.fields.map((h) => {
        const header = (h ?? '').trim();
        const m = /^(.*?)\s*\[([^\]]*)\]\s*$/.exec(header);
        const name = m ? m[1] : header;
        if (m && /local/i.test(m[2])) local.add(name);
        if (!isLaColumn(name)) {
          if (header) unknown.push(header);
          return undefined;
        }
        return name;
      });
      if (!names.includes('TimeGenerated')) {
        throw new SourceError(file, 'no TimeGenerated column: not a Log Analytics CSV export', item.line);
      }
      if (unknown.length)
        yield {
          kind: 'warning',
          file,
          line: item.line,
          message: `unknown column(s) ignored: ${unknown.join(', ')}`,
        };
      continue;
    }
    const obj: JsonObject = {};
    names.forEach((name, i) => {
      if (name) obj[name] = item.fields[i] ?? null;
    });
    try {
      const mapped = laObjectToRow(obj, local);
      if (mapped.idDerived) derived++;
      yield { kind: 'row', table: mapped.table, row: mapped.row, file, line: item.line };
    } catch (error) {
      yield csvRecordReject(file, item.line, item.fields, error);
    }
  }
  if (derived) yield derivedWarning(file, derived);
}
