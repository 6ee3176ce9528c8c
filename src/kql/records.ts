/**
 * Engine tables from JSON records (`{"Column": value}` objects), converting each value to its column's
 * type the way Log Analytics does when rows arrive: strings default to "", other types to null.
 */
import { toBool, toDatetime, toGuid, toInt, toLong, toReal, toTimespan } from './functions/coerce.js';
import type { ColumnDef } from './ir.js';
import { Table } from './table.js';
import { type Dynamic, jsonText, type KType, type Value } from './values.js';

export function recordValue(value: unknown, type: KType): Value {
  if (value === undefined || value === null) return type === 'string' ? '' : null;
  const v = value as Value;
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : typeof v === 'object' ? jsonText(v as Dynamic) : String(v);
    case 'datetime':
      return toDatetime(v, 'dynamic');
    case 'long':
      return toLong(v, 'dynamic');
    case 'int':
      return toInt(v, 'dynamic');
    case 'real':
    case 'decimal':
      return toReal(v, 'dynamic');
    case 'bool':
      return toBool(v, 'dynamic');
    case 'timespan':
      return toTimespan(v, 'dynamic');
    case 'guid':
      return toGuid(v);
    default:
      return v as Dynamic;
  }
}

export function tableFromRecords(columns: ColumnDef[], records: readonly Record<string, unknown>[]): Table {
  const data: Value[][] = columns.map((c) => records.map((r) => recordValue(r[c.name], c.type)));
  return new Table(columns, data, records.length);
}
