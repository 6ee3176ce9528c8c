/**
 * Query API tables (`{name, columns:[{name,type}], rows}`, v1 cell encodings) back into engine tables,
 * so a result from Log Analytics prints, renders and re-encodes exactly like one from the local engine.
 * Cells are read from the response text when it is at hand (datetimes keep all seven fraction digits,
 * dynamic values their exact JSON); the SDK's converted cells (`Date`, parsed dynamic) are read too.
 */
import type { LogsTable } from '@azure/monitor-query-logs';
import type { QueryOutput, RenderInfo } from '../kql/exec.js';
import { Table } from '../kql/table.js';
import { parseDatetime, parseTimespan } from '../kql/text.js';
import { type Dynamic, jsonText, type KType, normLong, toKType, type Value } from '../kql/values.js';

export interface ApiColumn {
  name: string;
  type: string;
}

export interface ApiTable {
  name: string;
  columns: ApiColumn[];
  rows: unknown[][];
}

/**
 * An SDK table (`columnDescriptors`, converted cells) in the API's shape. Dynamic cells the SDK parsed
 * go back to JSON text (a string it left alone was not JSON: it is a string value); `Date` cells stay,
 * decodeCell reads them (to the millisecond: the SDK keeps no more).
 */
export function apiTableFromSdk(table: LogsTable): ApiTable {
  const columns = table.columnDescriptors.map((c) => ({ name: c.name ?? '', type: c.type ?? 'dynamic' }));
  const dynamic = columns.map((c) => toKType(c.type.toLowerCase()) === 'dynamic');
  return {
    name: table.name,
    columns,
    rows: table.rows.map((row) =>
      row.map((cell, i) => (dynamic[i] && cell !== null ? jsonText(cell as Dynamic) : cell)),
    ),
  };
}

export function tableFromApi(table: ApiTable): Table {
  const columns = table.columns.map((c) => ({ name: c.name, type: toKType(c.type?.toLowerCase()) }));
  const data: Value[][] = columns.map((c, i) => table.rows.map((row) => decodeCell(row[i], c.type)));
  return new Table(columns, data, table.rows.length);
}

export function outputFromApi(tables: ApiTable[], render?: Record<string, unknown>): QueryOutput {
  const info = renderInfo(render);
  return {
    tables: tables.map((t) => ({ name: t.name, table: tableFromApi(t) })),
    ...(info ? { render: info } : {}),
  };
}

/** The response's `render` object as the engine's render info (its fields become the properties). */
function renderInfo(render: Record<string, unknown> | undefined): RenderInfo | undefined {
  if (!render || typeof render.visualization !== 'string') return undefined;
  const { visualization, ...properties } = render;
  return { visualization, properties: properties as Record<string, Value> };
}

/** One cell in the v1 encoding (or as the SDK converted it) as an engine value of the column's type. */
export function decodeCell(cell: unknown, type: KType): Value {
  if (cell === null || cell === undefined) return type === 'string' ? '' : null;
  switch (type) {
    case 'string':
      return typeof cell === 'string' ? cell : String(cell);
    case 'bool':
      if (typeof cell === 'boolean') return cell;
      if (typeof cell === 'number') return cell !== 0;
      return typeof cell === 'string' ? cell.toLowerCase() === 'true' : null;
    case 'int':
      return typeof cell === 'number' ? cell : Number(cell);
    case 'long':
      if (typeof cell === 'bigint') return normLong(cell);
      if (typeof cell === 'number') return cell;
      // Some writers send longs beyond 2^53 as decimal text.
      return typeof cell === 'string' && /^-?\d+$/.test(cell) ? normLong(BigInt(cell)) : Number(cell);
    case 'real':
    case 'decimal':
      // NaN and ±Infinity arrive as text, decimals as text.
      return typeof cell === 'number' ? cell : Number(cell);
    case 'datetime':
      if (cell instanceof Date) return BigInt(cell.getTime()) * 10_000n;
      return typeof cell === 'string' ? parseDatetime(cell) : null;
    case 'timespan':
      return typeof cell === 'string' ? parseTimespan(cell) : null;
    case 'guid':
      return typeof cell === 'string' ? cell.toLowerCase() : String(cell);
    default:
      // Dynamic: JSON text in the response; already parsed when the SDK converted it.
      if (typeof cell === 'string') {
        const parsed = parseJsonExact(cell);
        return parsed === undefined ? cell : (parsed as Dynamic);
      }
      return cell as Dynamic;
  }
}

const BIG = '\u0000n';

/**
 * JSON.parse that keeps integers beyond 2^53 exact (as bigint; the engine's long form). Node 20's
 * JSON.parse gives no access to the source text, so such numbers are quoted with a marker first.
 * Undefined when the text is not JSON.
 */
export function parseJsonExact(text: string): unknown {
  try {
    if (!/\d{16,}/.test(text)) return JSON.parse(text);
    return JSON.parse(quoteBigIntegers(text), (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith(BIG) && /^-?\d+$/.test(value.slice(BIG.length))
        ? normLong(BigInt(value.slice(BIG.length)))
        : value,
    );
  } catch {
    return undefined;
  }
}

const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** The JSON text with each unsafe integer literal outside strings turned into a marked string. */
function quoteBigIntegers(text: string): string {
  let out = '';
  let at = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const token = m ? m[0] : c;
      if (m && !m[1] && !m[2] && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(at, i)}"\\u0000n${token}"`;
        at = i + token.length;
      }
      i += token.length;
      continue;
    }
    i++;
  }
  return out + text.slice(at);
}
