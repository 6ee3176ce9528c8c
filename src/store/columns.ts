import {
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  type Table,
  TimestampNanosecond,
  Utf8,
} from 'apache-arrow';
import type { ColumnSchema, ColumnType, TableSchema } from '../model/schema.js';
import { canonicalToTicks, ticksToCanonical } from '../model/time.js';

/** Field metadata key holding the Kusto column type, so readers know `dynamic` from `string`. */
export const KUSTO_TYPE_KEY = 'kusto.type';
export const TABLE_NAME_KEY = 'provlog.table';

type Cell = string | number | boolean | null | object;

class NullMask {
  readonly bits: Uint8Array;
  nullCount = 0;
  constructor(length: number) {
    this.bits = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  }
  setNull(i: number): void {
    this.bits[i >> 3] &= ~(1 << (i & 7));
    this.nullCount++;
  }
}

function utf8Data(values: readonly string[], mask?: NullMask): Data<Utf8> {
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += Buffer.byteLength(values[i], 'utf8');
    offsets[i + 1] = total;
  }
  if (total > 0x7fffffff) throw new Error('string column larger than 2 GiB in one partition file');
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < values.length; i++) bytes.write(values[i], offsets[i], 'utf8');
  return makeData({
    type: new Utf8(),
    length: values.length,
    nullCount: mask?.nullCount ?? 0,
    nullBitmap: mask && mask.nullCount > 0 ? mask.bits : undefined,
    valueOffsets: offsets,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  });
}

/** Strings repeat a lot in provisioning logs (apps, systems, results): dictionary-encode when it pays. */
function stringData(values: readonly string[]): Data {
  const ids = new Map<string, number>();
  const indices = new Int32Array(values.length);
  const limit = values.length / 2;
  const sample = Math.min(1024, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let id = ids.get(v);
    if (id === undefined) {
      id = ids.size;
      if (id > limit) return utf8Data(values);
      ids.set(v, id);
    }
    indices[i] = id;
    // Ids, change ids and step lists are nearly all distinct: tell early and skip hashing the rest.
    if (i === sample - 1 && ids.size > 0.9 * sample && values.length > 2 * sample) return utf8Data(values);
  }
  const dictionary = makeVector(utf8Data([...ids.keys()]));
  // The narrowest index type that holds the dictionary: less to decompress and keep in memory.
  const [indexType, narrow] =
    ids.size <= 0x7f
      ? [new Int8(), Int8Array.from(indices)]
      : ids.size <= 0x7fff
        ? [new Int16(), Int16Array.from(indices)]
        : [new Int32(), indices];
  return makeData({
    type: new Dictionary(new Utf8(), indexType as Int32),
    length: values.length,
    nullCount: 0,
    data: narrow as Int32Array,
    dictionary,
  });
}

function columnData(column: ColumnSchema, cells: readonly Cell[]): Data {
  const n = cells.length;
  switch (column.type) {
    case 'string':
    case 'guid':
      return stringData(cells.map((c) => (c === null || c === undefined ? '' : String(c))));
    case 'dynamic': {
      const mask = new NullMask(n);
      const texts = cells.map((c, i) => {
        if (c === null || c === undefined) {
          mask.setNull(i);
          return '';
        }
        return JSON.stringify(c);
      });
      return utf8Data(texts, mask);
    }
    case 'datetime': {
      const mask = new NullMask(n);
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const c = cells[i];
        if (c === null || c === undefined || c === '') mask.setNull(i);
        else values[i] = canonicalToTicks(c as string) * 100n;
      }
      return makeData({
        type: new TimestampNanosecond('UTC'),
        length: n,
        nullCount: mask.nullCount,
        nullBitmap: mask.nullCount > 0 ? mask.bits : undefined,
        data: values,
      });
    }
    case 'long':
    case 'timespan': {
      const mask = new NullMask(n);
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const c = cells[i];
        if (c === null || c === undefined) mask.setNull(i);
        else values[i] = BigInt(Math.trunc(c as number));
      }
      return makeData({
        type: new Int64(),
        length: n,
        nullCount: mask.nullCount,
        nullBitmap: mask.nullCount > 0 ? mask.bits : undefined,
        data: values,
      });
    }
    case 'int':
    case 'real': {
      const mask = new NullMask(n);
      const values = column.type === 'int' ? new Int32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = cells[i];
        if (c === null || c === undefined) mask.setNull(i);
        else values[i] = c as number;
      }
      return makeData({
        type: column.type === 'int' ? new Int32() : new Float64(),
        length: n,
        nullCount: mask.nullCount,
        nullBitmap: mask.nullCount > 0 ? mask.bits : undefined,
        data: values,
      } as never);
    }
    case 'bool': {
      const mask = new NullMask(n);
      const bits = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) {
        const c = cells[i];
        if (c === null || c === undefined) mask.setNull(i);
        else if (c) bits[i >> 3] |= 1 << (i & 7);
      }
      return makeData({
        type: new Bool(),
        length: n,
        nullCount: mask.nullCount,
        nullBitmap: mask.nullCount > 0 ? mask.bits : undefined,
        data: bits,
      });
    }
  }
}

/** One record batch holding `rows` in the table's column order, with Kusto types in field metadata. */
export function rowsToBatch(table: TableSchema, rows: readonly Record<string, unknown>[]): RecordBatch {
  const children: Data[] = [];
  const fields: Field[] = [];
  for (const column of table.columns) {
    const data = columnData(
      column,
      rows.map((r) => r[column.name] as Cell),
    );
    children.push(data);
    fields.push(
      new Field(column.name, data.type as DataType, true, new Map([[KUSTO_TYPE_KEY, column.type as string]])),
    );
  }
  const schema = new Schema(fields, new Map([[TABLE_NAME_KEY, table.name]]));
  const struct = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

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
