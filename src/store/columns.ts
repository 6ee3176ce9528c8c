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
  type Vector,
} from 'apache-arrow';
import type { ColumnSchema, ColumnType, TableSchema } from '../model/schema.js';
import { ticksToCanonical } from '../model/time.js';

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

/** Short strings are encoded in JS: a native call per value costs more than the copy itself. */
const SHORT_STRING = 48;

function utf8Data(values: readonly string[], mask?: NullMask): Data<Utf8> {
  const offsets = new Int32Array(values.length + 1);
  let chars = 0;
  for (let i = 0; i < values.length; i++) chars += values[i].length;
  let bytes = Buffer.allocUnsafe(chars + (chars >> 4) + 64);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const length = v.length;
    if (pos + 3 * length > bytes.length) {
      // UTF-16 code units take at most 3 bytes each in UTF-8.
      const grown = Buffer.allocUnsafe(Math.max(bytes.length * 2, pos + 3 * length));
      bytes.copy(grown, 0, 0, pos);
      bytes = grown;
    }
    if (length < SHORT_STRING) {
      let j = 0;
      for (; j < length; j++) {
        const c = v.charCodeAt(j);
        if (c >= 0x80) break;
        bytes[pos++] = c;
      }
      if (j < length) pos += bytes.write(j === 0 ? v : v.slice(j), pos, 'utf8');
    } else pos += bytes.write(v, pos, 'utf8');
    offsets[i + 1] = pos;
  }
  if (pos > 0x7fffffff) throw new Error('string column larger than 2 GiB in one partition file');
  return makeData({
    type: new Utf8(),
    length: values.length,
    nullCount: mask?.nullCount ?? 0,
    nullBitmap: mask && mask.nullCount > 0 ? mask.bits : undefined,
    valueOffsets: offsets,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, pos),
  });
}

const SMALL_PARTITION_ROWS = 256;

interface DictionaryColumn {
  readonly type: Dictionary;
  readonly indices: Int8Array | Int16Array | Int32Array;
  readonly dictionary: Vector;
}

/**
 * Strings repeat a lot in provisioning logs (apps, systems, results): dictionary-encode when at most
 * half the values are distinct; undefined when plain strings are the better choice.
 */
function dictionaryEncode(values: readonly string[]): DictionaryColumn | undefined {
  // Each dictionary is an IPC message of its own: in a small partition (a day of AuditLogs) reading
  // dozens of them costs more than the plain strings.
  if (values.length < SMALL_PARTITION_ROWS) return undefined;
  const ids = new Map<string, number>();
  const indices = new Int32Array(values.length);
  const limit = values.length / 2;
  const sample = Math.min(1024, values.length);
  let previous: string | undefined;
  let previousId = -1;
  for (let i = 0; i < values.length; i++) {
    // Ids, change ids and step lists are mostly distinct: tell early and skip hashing the rest.
    if (i === sample && ids.size > 0.75 * sample && values.length > 2 * sample) return undefined;
    const v = values[i];
    if (v === previous) {
      indices[i] = previousId;
      continue;
    }
    let id = ids.get(v);
    if (id === undefined) {
      id = ids.size;
      if (id > limit) return undefined;
      ids.set(v, id);
    }
    indices[i] = id;
    previous = v;
    previousId = id;
  }
  const dictionary = makeVector(utf8Data([...ids.keys()]));
  // The narrowest index type that holds the dictionary: less to decompress and keep in memory.
  if (ids.size <= 0x7f)
    return { type: new Dictionary(new Utf8(), new Int8()), indices: Int8Array.from(indices), dictionary };
  if (ids.size <= 0x7fff)
    return { type: new Dictionary(new Utf8(), new Int16()), indices: Int16Array.from(indices), dictionary };
  return { type: new Dictionary(new Utf8(), new Int32()), indices, dictionary };
}

/**
 * Nanoseconds since the epoch of canonical datetimes (`yyyy-MM-ddTHH:mm:ss.fffffffZ`). The minute is
 * converted once and cached, as rows arrive in time order; the rest is exact in a double.
 */
function canonicalNanos(): (text: string) => bigint {
  let minute = '';
  let minuteNanos = 0n;
  return (text) => {
    if (!text.startsWith(minute) || minute === '') {
      minute = text.slice(0, 17);
      minuteNanos = BigInt(Date.parse(`${minute}00Z`)) * 1_000_000n;
    }
    const seconds = (text.charCodeAt(17) - 48) * 10 + (text.charCodeAt(18) - 48);
    const fraction = Number(text.slice(20, 27));
    return minuteNanos + BigInt(seconds * 1_000_000_000 + fraction * 100);
  };
}

function columnData(column: ColumnSchema, cells: readonly Cell[]): Data {
  const n = cells.length;
  switch (column.type) {
    case 'string':
    case 'guid':
      return utf8Data(cells as string[]);
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
      const toNanos = canonicalNanos();
      const values = new BigInt64Array(n);
      return fixedWidthData(new TimestampNanosecond('UTC'), cells, values, (i, c) => {
        values[i] = toNanos(c as string);
      });
    }
    case 'long':
    case 'timespan': {
      const values = new BigInt64Array(n);
      return fixedWidthData(new Int64(), cells, values, (i, c) => {
        values[i] = BigInt(Math.trunc(c as number));
      });
    }
    case 'int': {
      const values = new Int32Array(n);
      return fixedWidthData(new Int32(), cells, values, (i, c) => {
        values[i] = c as number;
      });
    }
    case 'real': {
      const values = new Float64Array(n);
      return fixedWidthData(new Float64(), cells, values, (i, c) => {
        values[i] = c as number;
      });
    }
    case 'bool': {
      const bits = new Uint8Array(Math.ceil(n / 8));
      return fixedWidthData(new Bool(), cells, bits, (i, c) => {
        if (c) bits[i >> 3] |= 1 << (i & 7);
      });
    }
  }
}

/** A fixed-width column: `store` fills the value buffer, null (or empty) cells go to the validity bitmap. */
function fixedWidthData(
  type: DataType,
  cells: readonly Cell[],
  values: BigInt64Array | Int32Array | Float64Array | Uint8Array,
  store: (index: number, cell: Cell) => void,
): Data {
  const mask = new NullMask(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c === null || c === undefined || c === '') mask.setNull(i);
    else store(i, c);
  }
  return makeData({
    type,
    length: cells.length,
    nullCount: mask.nullCount,
    nullBitmap: mask.nullCount > 0 ? mask.bits : undefined,
    data: values,
  } as never);
}

function columnValues(column: ColumnSchema, rows: readonly Record<string, unknown>[]): Cell[] {
  // A plain loop: Array.prototype.map with a closure is several times slower on large buffers.
  const name = column.name;
  const values = new Array<Cell>(rows.length);
  if (column.type === 'string' || column.type === 'guid') {
    for (let i = 0; i < rows.length; i++) {
      const c = rows[i][name];
      values[i] = typeof c === 'string' ? c : c === null || c === undefined ? '' : String(c);
    }
  } else for (let i = 0; i < rows.length; i++) values[i] = rows[i][name] as Cell;
  return values;
}

/**
 * A string column encoded to UTF-8 as values arrive, so that long strings die young instead of being
 * copied by the garbage collector until the partition is written.
 */
export class Utf8Appender {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private offsets = new Int32Array(1024);
  private count = 0;

  get length(): number {
    return this.count;
  }

  append(value: string): void {
    const pos = this.offsets[this.count];
    if (pos + 3 * value.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, pos + 3 * value.length));
      this.bytes.copy(grown, 0, 0, pos);
      this.bytes = grown;
    }
    if (this.count + 2 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[++this.count] = pos + this.bytes.write(value, pos, 'utf8');
  }

  /** Byte length of value `i`. */
  size(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }

  /** The values at `order[from..to)` (or `from..to`) as Arrow data. */
  data(from: number, to: number, order?: Int32Array): Data<Utf8> {
    const offsets = new Int32Array(to - from + 1);
    let bytes: Uint8Array;
    if (!order) {
      const base = this.offsets[from];
      for (let i = from; i <= to; i++) offsets[i - from] = this.offsets[i] - base;
      bytes = this.bytes.subarray(base, this.offsets[to]);
    } else {
      let total = 0;
      for (let i = from; i < to; i++) {
        total += this.size(order[i]);
        offsets[i - from + 1] = total;
      }
      const out = Buffer.allocUnsafe(total);
      for (let i = from; i < to; i++) {
        const k = order[i];
        this.bytes.copy(out, offsets[i - from], this.offsets[k], this.offsets[k + 1]);
      }
      bytes = out;
    }
    return makeData({
      type: new Utf8(),
      length: to - from,
      nullCount: 0,
      valueOffsets: offsets,
      data: bytes,
    });
  }
}

/**
 * Arrow record batches holding `rows` in the table's column order, with Kusto types in field metadata.
 * Dictionaries are built over all rows and shared by the batches (one dictionary per column and file,
 * as the IPC file format requires). Batches are cut so that no plain string column of a batch holds
 * much more than `maxColumnBytes`: each compressed buffer then fits one 4 MiB LZ4 block, which loads
 * without an extra copy.
 */
export function rowsToBatches(
  table: TableSchema,
  rows: readonly Record<string, unknown>[],
  options: {
    /** Columns already encoded by an appender, in arrival order (their row fields are not read). */
    encoded?: ReadonlyMap<string, Utf8Appender>;
    /** Row order to write (indices into `rows`); arrival order when absent. */
    order?: Int32Array;
    maxColumnBytes?: number;
  } = {},
): RecordBatch[] {
  const { encoded, order } = options;
  const maxColumnBytes = options.maxColumnBytes ?? 3 * 2 ** 20;
  const ordered = order ? Array.from(order, (i) => rows[i]) : rows;
  const appenders = table.columns.map((column) => encoded?.get(column.name));
  const values = table.columns.map((column, k) => (appenders[k] ? [] : columnValues(column, ordered)));
  const dictionaries = table.columns.map((column, k) =>
    !appenders[k] && (column.type === 'string' || column.type === 'guid')
      ? dictionaryEncode(values[k] as string[])
      : undefined,
  );
  const plainStrings = table.columns
    .map((_column, k) => k)
    .filter(
      (k) =>
        !appenders[k] &&
        !dictionaries[k] &&
        (table.columns[k].type === 'string' || table.columns[k].type === 'guid'),
    );
  const appended = appenders.filter((a): a is Utf8Appender => a !== undefined);
  const ranges: [number, number][] = [];
  const sizes = new Float64Array(plainStrings.length + appended.length);
  let start = 0;
  for (let i = 0; i < rows.length; i++) {
    let over = false;
    const row = order ? order[i] : i;
    for (let p = 0; p < plainStrings.length; p++) {
      sizes[p] += (values[plainStrings[p]][i] as string).length;
      if (sizes[p] > maxColumnBytes) over = true;
    }
    for (let a = 0; a < appended.length; a++) {
      sizes[plainStrings.length + a] += appended[a].size(row);
      if (sizes[plainStrings.length + a] > maxColumnBytes) over = true;
    }
    if (over && i > start) {
      // Row i opens the next batch.
      ranges.push([start, i]);
      start = i;
      for (let p = 0; p < plainStrings.length; p++) sizes[p] = (values[plainStrings[p]][i] as string).length;
      for (let a = 0; a < appended.length; a++) sizes[plainStrings.length + a] = appended[a].size(row);
    }
  }
  ranges.push([start, rows.length]);

  let schema: Schema | undefined;
  return ranges.map(([from, to]) => {
    const children = table.columns.map((column, k): Data => {
      const appender = appenders[k];
      if (appender) return appender.data(from, to, order);
      const dictionary = dictionaries[k];
      if (!dictionary) return columnData(column, values[k].slice(from, to));
      return makeData({
        type: dictionary.type,
        length: to - from,
        nullCount: 0,
        data: dictionary.indices.subarray(from, to) as Int32Array,
        dictionary: dictionary.dictionary,
      });
    });
    schema ??= new Schema(
      table.columns.map(
        (column, k) =>
          new Field(
            column.name,
            children[k].type as DataType,
            true,
            new Map([[KUSTO_TYPE_KEY, column.type as string]]),
          ),
      ),
      new Map([[TABLE_NAME_KEY, table.name]]),
    );
    const struct = makeData({ type: new Struct(schema.fields), length: to - from, nullCount: 0, children });
    return new RecordBatch(schema, struct);
  });
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
