/**
 * Records of a Logs Ingestion request as the stream declares them, and the transform's output as rows
 * of the destination table: values checked against the declared column types (a value of the wrong
 * type is a 400 naming the record and column), columns the stream does not declare dropped, long
 * string values truncated, and out-of-range TimeGenerated values replaced with the arrival time.
 */

import type { ColumnDef } from '../../kql/ir.js';
import { Table } from '../../kql/table.js';
import { formatDatetime, formatReal, formatTimespan, parseDatetime } from '../../kql/text.js';
import {
  type Dynamic,
  jsonText,
  type KType,
  normLong,
  TICKS_PER_DAY,
  TICKS_PER_MS,
  type Value,
} from '../../kql/values.js';
import type { DcrColumn } from '../arm/data-collection-rules.js';
import { EmulatorHttpError, errorReply } from '../http.js';
import type { IngestionRecord } from './body.js';

/** Engine type of a DCR stream column type. */
export function streamColumnType(type: string): KType {
  switch (type.toLowerCase()) {
    case 'boolean':
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'long':
      return 'long';
    case 'real':
      return 'real';
    case 'datetime':
      return 'datetime';
    case 'string':
      return 'string';
    default:
      return 'dynamic';
  }
}

const INT = /^[+-]?\d+$/;
const REAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A JSON value as a value of the column type; undefined when it is not one. */
function typedValue(value: unknown, type: KType): Value | undefined {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return jsonText(value as Dynamic);
      return String(value);
    case 'int': {
      const n = typeof value === 'string' && INT.test(value.trim()) ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
    }
    case 'long': {
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (typeof value !== 'string' || !INT.test(value.trim())) return undefined;
      const big = BigInt(value.trim());
      return big >= LONG_MIN && big <= LONG_MAX ? normLong(big) : undefined;
    }
    case 'real':
      if (typeof value === 'number') return value;
      if (typeof value === 'string') {
        const s = value.trim().toLowerCase();
        if (s === 'nan') return Number.NaN;
        if (s === 'infinity' || s === '+infinity') return Number.POSITIVE_INFINITY;
        if (s === '-infinity') return Number.NEGATIVE_INFINITY;
        return REAL.test(s) ? Number(s) : undefined;
      }
      return undefined;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase() === 'true';
      return undefined;
    case 'datetime':
      return typeof value === 'string' ? (parseDatetime(value) ?? undefined) : undefined;
    default:
      return value as Dynamic;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The records as an engine table of the stream's columns (named `source` in the transform). */
export function streamTable(columns: readonly DcrColumn[], records: readonly IngestionRecord[]): Table {
  const defs: ColumnDef[] = columns.map((c) => ({ name: c.name, type: streamColumnType(c.type) }));
  const data: Value[][] = defs.map(() => new Array<Value>(records.length));
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    for (let c = 0; c < defs.length; c++) {
      const { name, type } = defs[c];
      const raw = record[name];
      if (raw === undefined || raw === null) {
        data[c][r] = type === 'string' ? '' : null;
        continue;
      }
      const value = typedValue(raw, type);
      if (value === undefined) {
        throw new EmulatorHttpError(
          errorReply(
            400,
            'InvalidPayload',
            `Record ${r}, column '${name}': ${describe(raw)} is not a valid ${columns[c].type} value.`,
            { target: `[${r}].${name}` },
          ),
        );
      }
      data[c][r] = value;
    }
  }
  return new Table(defs, data, records.length);
}

export interface OutputOptions {
  /** Longer strings are cut to this many UTF-8 bytes. */
  maxFieldBytes: number;
  /** When the request arrived (ms since the epoch). */
  receivedMs: number;
  /** Replace a TimeGenerated more than 2 days old or 1 day ahead with the arrival time. */
  replaceOutOfRangeTime: boolean;
}

/** The transform's output table as JSON records for the destination table. */
export function outputRecords(table: Table, options: OutputOptions): Record<string, unknown>[] {
  const received = BigInt(options.receivedMs) * TICKS_PER_MS;
  const earliest = received - 2n * TICKS_PER_DAY;
  const latest = received + TICKS_PER_DAY;
  const time = table.columns.findIndex((c) => c.name === 'TimeGenerated' && c.type === 'datetime');
  const records: Record<string, unknown>[] = new Array(table.rowCount);
  for (let r = 0; r < table.rowCount; r++) {
    const record: Record<string, unknown> = {};
    table.columns.forEach((column, c) => {
      let value = table.data[c][r];
      if (
        c === time &&
        (value === null ||
          (options.replaceOutOfRangeTime && ((value as bigint) < earliest || (value as bigint) > latest)))
      ) {
        value = received;
      }
      record[column.name] = jsonValue(value, column.type, options.maxFieldBytes);
    });
    if (time < 0) record.TimeGenerated = formatDatetime(received);
    records[r] = record;
  }
  return records;
}

function jsonValue(value: Value, type: KType, maxBytes: number): unknown {
  if (value === null) return null;
  switch (type) {
    case 'datetime':
      return formatDatetime(value as bigint);
    case 'timespan':
      return formatTimespan(value as bigint);
    case 'real':
    case 'decimal':
      return typeof value === 'number' && !Number.isFinite(value) ? formatReal(value) : value;
    case 'string':
      return truncate(value as string, maxBytes);
    case 'dynamic': {
      if (typeof value === 'string') return truncate(value, maxBytes);
      if (typeof value !== 'object') return value;
      const text = jsonText(value as Dynamic);
      // An oversized dynamic value keeps its first bytes as text, like any other long field.
      return text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes
        ? value
        : truncate(text, maxBytes);
    }
    default:
      return value;
  }
}

/** The string cut to at most `maxBytes` UTF-8 bytes, on a character boundary. */
export function truncate(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
