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
  TimestampNanosecond,
  Utf8,
  type Vector,
} from 'apache-arrow';
import type { ColumnSchema, TableSchema } from '../model/schema.js';
import { KUSTO_TYPE_KEY, TABLE_NAME_KEY } from './columns.js';
import { type ChunkColumn, encodeUtf8, type RowChunk } from './row-chunk.js';

/** Rows of a chunk that go to one partition file: all of them, or those listed. */
export interface ChunkSegment {
  readonly chunk: RowChunk;
  readonly rows?: Int32Array;
}

export interface BuiltPartition {
  readonly batches: RecordBatch[];
  /** Ids of the rows, in file order. */
  readonly ids: string[];
  readonly rows: number;
  readonly minTime: string;
  readonly maxTime: string;
}

/** Each dictionary is an IPC message of its own: in a small partition plain strings read faster. */
const SMALL_PARTITION_ROWS = 256;

/** Where each output row comes from: segment and row within that segment's chunk, in time order. */
interface RowSources {
  readonly n: number;
  readonly segment: Int32Array;
  readonly row: Int32Array;
  /** Start of each run of consecutive rows of one chunk, and n at the end. */
  readonly runs: Int32Array;
}

type PartitionColumn =
  | { kind: 'utf8'; offsets: Int32Array; bytes: Uint8Array; nulls?: Uint8Array }
  | { kind: 'dictionary'; type: Dictionary; indices: Int8Array | Int16Array | Int32Array; dictionary: Vector }
  | { kind: 'fixed'; type: DataType; values: BigInt64Array | Int32Array | Float64Array; nulls?: Uint8Array }
  | { kind: 'bool'; values: Uint8Array; nulls?: Uint8Array };

/**
 * Arrow record batches of one partition file from chunk segments: rows in TimeGenerated order (stable),
 * Kusto types in field metadata, repeating strings dictionary-encoded when at most half the values are
 * distinct (one dictionary per column and file, shared by the batches, as the IPC file format requires).
 * Batches are cut so that no string column of a batch holds much more than `maxColumnBytes`: each
 * compressed buffer then fits one 4 MiB LZ4 block, which loads without an extra copy.
 */
export function buildPartition(
  table: TableSchema,
  segments: readonly ChunkSegment[],
  maxColumnBytes = 3 * 2 ** 20,
): BuiltPartition {
  const sources = rowSources(segments);
  const { n } = sources;
  if (n === 0) throw new Error('a partition needs at least one row');
  const ids = new Array<string>(n);
  const times = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const chunk = segments[sources.segment[i]].chunk;
    ids[i] = chunk.ids[sources.row[i]];
    times[i] = chunk.times[sources.row[i]];
  }
  const columns = table.columns.map((column, k) =>
    partitionColumn(
      column,
      segments.map((s) => s.chunk.columns[k]),
      sources,
    ),
  );
  const ranges = batchRanges(columns, n, maxColumnBytes);

  let schema: Schema | undefined;
  const batches = ranges.map(([from, to]) => {
    const children = columns.map((column) => sliceData(column, from, to));
    schema ??= new Schema(
      table.columns.map(
        (column, k) =>
          new Field(
            column.name,
            children[k].type as DataType,
            true,
            new Map([[KUSTO_TYPE_KEY, column.type]]),
          ),
      ),
      new Map([[TABLE_NAME_KEY, table.name]]),
    );
    const struct = makeData({ type: new Struct(schema.fields), length: to - from, nullCount: 0, children });
    return new RecordBatch(schema, struct);
  });
  return { batches, ids, rows: n, minTime: times[0], maxTime: times[n - 1] };
}

function rowSources(segments: readonly ChunkSegment[]): RowSources {
  let n = 0;
  for (const s of segments) n += s.rows ? s.rows.length : s.chunk.length;
  let segment = new Int32Array(n);
  let row = new Int32Array(n);
  let i = 0;
  segments.forEach((s, k) => {
    const count = s.rows ? s.rows.length : s.chunk.length;
    for (let j = 0; j < count; j++, i++) {
      segment[i] = k;
      row[i] = s.rows ? s.rows[j] : j;
    }
  });
  const timeOf = (index: number) => segments[segment[index]].chunk.times[row[index]];
  let sorted = true;
  for (let j = 1; j < n && sorted; j++) sorted = timeOf(j - 1) <= timeOf(j);
  if (!sorted) {
    const times = Array.from({ length: n }, (_, j) => timeOf(j));
    const order = Int32Array.from({ length: n }, (_, j) => j);
    order.sort((a, b) => (times[a] < times[b] ? -1 : times[a] > times[b] ? 1 : a - b));
    segment = Int32Array.from(order, (j) => segment[j]);
    row = Int32Array.from(order, (j) => row[j]);
  }
  const starts: number[] = [];
  for (let j = 0; j < n; j++) {
    if (j === 0 || segment[j] !== segment[j - 1] || row[j] !== row[j - 1] + 1) starts.push(j);
  }
  starts.push(n);
  return { n, segment, row, runs: Int32Array.from(starts) };
}

function partitionColumn(column: ColumnSchema, parts: ChunkColumn[], sources: RowSources): PartitionColumn {
  const kind = parts[0].kind;
  if (parts.some((p) => p.kind !== kind)) throw new Error(`column ${column.name}: chunks of different kinds`);
  if (kind === 'utf8') return gatherUtf8(parts as Extract<ChunkColumn, { kind: 'utf8' }>[], sources);
  if (kind === 'dictionary')
    return gatherDictionary(parts as Extract<ChunkColumn, { kind: 'dictionary' }>[], sources);
  return gatherFixed(column, parts as Extract<ChunkColumn, { kind: 'fixed' }>[], sources);
}

function gatherUtf8(parts: Extract<ChunkColumn, { kind: 'utf8' }>[], sources: RowSources): PartitionColumn {
  const { n, segment, row, runs } = sources;
  let total = 0;
  for (let r = 0; r + 1 < runs.length; r++) {
    const part = parts[segment[runs[r]]];
    total += part.offsets[row[runs[r + 1] - 1] + 1] - part.offsets[row[runs[r]]];
  }
  const bytes = new Uint8Array(total);
  const offsets = new Int32Array(n + 1);
  const anyNulls = parts.some((p) => p.nulls);
  const nulls = anyNulls ? new Uint8Array(n) : undefined;
  let pos = 0;
  for (let r = 0; r + 1 < runs.length; r++) {
    const from = runs[r];
    const to = runs[r + 1];
    const part = parts[segment[from]];
    const first = part.offsets[row[from]];
    const end = part.offsets[row[to - 1] + 1];
    bytes.set(part.bytes.subarray(first, end), pos);
    for (let i = from; i < to; i++) {
      offsets[i + 1] = pos + part.offsets[row[i] + 1] - first;
      if (nulls && part.nulls) nulls[i] = part.nulls[row[i]];
    }
    pos += end - first;
  }
  return { kind: 'utf8', offsets, bytes, nulls };
}

function gatherDictionary(
  parts: Extract<ChunkColumn, { kind: 'dictionary' }>[],
  sources: RowSources,
): PartitionColumn {
  const { n, segment, row } = sources;
  const ids = new Map<string, number>();
  const values: string[] = [];
  // Segments of one chunk share its dictionary: map each chunk dictionary to the file's once.
  const remaps = new Map<ChunkColumn, Int32Array>();
  const remapOf = parts.map((part) => {
    let remap = remaps.get(part);
    if (!remap) {
      remap = new Int32Array(part.values.length);
      for (let k = 0; k < part.values.length; k++) {
        const value = part.values[k];
        let id = ids.get(value);
        if (id === undefined) {
          id = values.length;
          ids.set(value, id);
          values.push(value);
        }
        remap[k] = id;
      }
      remaps.set(part, remap);
    }
    return remap;
  });
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = segment[i];
    indices[i] = remapOf[s][parts[s].indices[row[i]]];
  }
  if (n >= SMALL_PARTITION_ROWS && values.length <= n / 2) {
    const dictionary = makeVector(utf8Data(encodeUtf8(values)));
    // The narrowest index type that holds the dictionary: less to decompress and keep in memory.
    if (values.length <= 0x7f)
      return {
        kind: 'dictionary',
        type: new Dictionary(new Utf8(), new Int8()),
        indices: Int8Array.from(indices),
        dictionary,
      };
    if (values.length <= 0x7fff)
      return {
        kind: 'dictionary',
        type: new Dictionary(new Utf8(), new Int16()),
        indices: Int16Array.from(indices),
        dictionary,
      };
    return { kind: 'dictionary', type: new Dictionary(new Utf8(), new Int32()), indices, dictionary };
  }
  // Mostly distinct here: plain strings.
  const encoded = encodeUtf8(values);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += encoded.offsets[indices[i] + 1] - encoded.offsets[indices[i]];
    offsets[i + 1] = total;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    bytes.set(
      encoded.bytes.subarray(encoded.offsets[indices[i]], encoded.offsets[indices[i] + 1]),
      offsets[i],
    );
  }
  return { kind: 'utf8', offsets, bytes };
}

function gatherFixed(
  column: ColumnSchema,
  parts: Extract<ChunkColumn, { kind: 'fixed' }>[],
  sources: RowSources,
): PartitionColumn {
  const { n, segment, row } = sources;
  let nulls: Uint8Array | undefined;
  if (parts.some((p) => p.nulls)) {
    nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const flags = parts[segment[i]].nulls;
      if (flags) nulls[i] = flags[row[i]];
    }
  }
  switch (column.type) {
    case 'datetime':
      return { kind: 'fixed', type: new TimestampNanosecond('UTC'), values: gather64(parts, sources), nulls };
    case 'long':
    case 'timespan':
      return { kind: 'fixed', type: new Int64(), values: gather64(parts, sources), nulls };
    case 'int': {
      const values = new Int32Array(n);
      const from = parts.map((p) => p.values as Int32Array);
      for (let i = 0; i < n; i++) values[i] = from[segment[i]][row[i]];
      return { kind: 'fixed', type: new Int32(), values, nulls };
    }
    case 'real': {
      const values = new Float64Array(n);
      const from = parts.map((p) => p.values as Float64Array);
      for (let i = 0; i < n; i++) values[i] = from[segment[i]][row[i]];
      return { kind: 'fixed', type: new Float64(), values, nulls };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      const from = parts.map((p) => p.values as Uint8Array);
      for (let i = 0; i < n; i++) values[i] = from[segment[i]][row[i]];
      return { kind: 'bool', values, nulls };
    }
    default:
      throw new Error(`column ${column.name}: ${column.type} is not a fixed-width type`);
  }
}

/** 64-bit values copied as two 32-bit halves: reading a BigInt64Array element allocates a BigInt. */
function gather64(parts: Extract<ChunkColumn, { kind: 'fixed' }>[], sources: RowSources): BigInt64Array {
  const { n, segment, row } = sources;
  const values = new BigInt64Array(n);
  const out = new Int32Array(values.buffer);
  const from = parts.map((p) => new Int32Array(p.values.buffer, p.values.byteOffset, p.values.length * 2));
  for (let i = 0; i < n; i++) {
    const source = from[segment[i]];
    const r = row[i] * 2;
    out[2 * i] = source[r];
    out[2 * i + 1] = source[r + 1];
  }
  return values;
}

function batchRanges(columns: PartitionColumn[], n: number, maxColumnBytes: number): [number, number][] {
  const strings = columns.filter((c) => c.kind === 'utf8');
  const ranges: [number, number][] = [];
  const sizes = new Float64Array(strings.length);
  let start = 0;
  for (let i = 0; i < n; i++) {
    let over = false;
    for (let s = 0; s < strings.length; s++) {
      sizes[s] += strings[s].offsets[i + 1] - strings[s].offsets[i];
      if (sizes[s] > maxColumnBytes) over = true;
    }
    if (over && i > start) {
      // Row i opens the next batch.
      ranges.push([start, i]);
      start = i;
      for (let s = 0; s < strings.length; s++) sizes[s] = strings[s].offsets[i + 1] - strings[s].offsets[i];
    }
  }
  ranges.push([start, n]);
  return ranges;
}

/** Validity bitmap (1 = valid) of rows [from, to), or undefined when none is null. */
function validity(
  nulls: Uint8Array | undefined,
  from: number,
  to: number,
): { bits?: Uint8Array; count: number } {
  if (!nulls) return { count: 0 };
  let count = 0;
  for (let i = from; i < to; i++) count += nulls[i];
  if (count === 0) return { count: 0 };
  const bits = new Uint8Array(Math.ceil((to - from) / 8));
  for (let i = from; i < to; i++) if (!nulls[i]) bits[(i - from) >> 3] |= 1 << ((i - from) & 7);
  return { bits, count };
}

function utf8Data(encoded: { offsets: Int32Array; bytes: Uint8Array }): Data<Utf8> {
  return makeData({
    type: new Utf8(),
    length: encoded.offsets.length - 1,
    nullCount: 0,
    valueOffsets: encoded.offsets,
    data: encoded.bytes,
  });
}

function sliceData(column: PartitionColumn, from: number, to: number): Data {
  const length = to - from;
  switch (column.kind) {
    case 'utf8': {
      const base = column.offsets[from];
      const offsets = new Int32Array(length + 1);
      for (let i = 0; i <= length; i++) offsets[i] = column.offsets[from + i] - base;
      const { bits, count } = validity(column.nulls, from, to);
      return makeData({
        type: new Utf8(),
        length,
        nullCount: count,
        nullBitmap: bits,
        valueOffsets: offsets,
        data: column.bytes.subarray(base, column.offsets[to]),
      });
    }
    case 'dictionary':
      return makeData({
        type: column.type,
        length,
        nullCount: 0,
        data: column.indices.subarray(from, to) as Int32Array,
        dictionary: column.dictionary,
      });
    case 'fixed': {
      const { bits, count } = validity(column.nulls, from, to);
      return makeData({
        type: column.type,
        length,
        nullCount: count,
        nullBitmap: bits,
        data: column.values.subarray(from, to),
      } as never);
    }
    case 'bool': {
      const { bits, count } = validity(column.nulls, from, to);
      const packed = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) if (column.values[from + i]) packed[i >> 3] |= 1 << (i & 7);
      return makeData({ type: new Bool(), length, nullCount: count, nullBitmap: bits, data: packed });
    }
  }
}
