import type { Field, Table } from 'apache-arrow';
import type { ColumnType } from '../model/schema.js';
import { ticksToCanonical } from '../model/time.js';

/** Field metadata key holding the Kusto column type, so readers know `dynamic` from `string`. */
export const KUSTO_TYPE_KEY = 'kusto.type';
export const TABLE_NAME_KEY = 'provlog.table';

function kustoType(field: Field): ColumnType {
  return (field.metadata.get(KUSTO_TYPE_KEY) as ColumnType | undefined) ?? 'string';
}

/** Turns stored columns back into row objects (for export, tests and small summaries). */
export function* tableRows(table: Table): Generator<Record<string, unknown>> {
  for (const batch of table.batches) {
    const readers = batch.schema.fields.map((field, index) => {
      const vector = batch.getChildAt(index)!;
      const type = kustoType(field);
      // Arrow JS reads timestamps as milliseconds; take the exact nanoseconds from the buffer.
      const raw = type === 'datetime' ? (vector.data[0].values as BigInt64Array) : undefined;
      const offset = vector.data[0].offset;
      return { name: field.name, type, vector, raw, offset };
    });
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (const { name, type, vector, raw, offset } of readers) {
        const valid = vector.isValid(i);
        row[name] = raw
          ? valid
            ? ticksToCanonical(raw[offset + i] / 100n)
            : null
          : decodeCell(type, vector.get(i), valid);
      }
      yield row;
    }
  }
}

function decodeCell(type: ColumnType, value: unknown, valid: boolean): unknown {
  if (!valid) return type === 'string' || type === 'guid' ? '' : null;
  switch (type) {
    case 'long':
    case 'timespan':
      return Number(value as bigint);
    case 'dynamic':
      return JSON.parse(value as string);
    default:
      return value;
  }
}
