import { billedSize } from '../model/billing.js';
import type { TableRow } from '../model/rows.js';
import type { ColumnSchema, TableName, TableSchema } from '../model/schema.js';
import { isCanonicalTime } from '../model/time.js';

/**
 * A few thousand rows of one table in columns: the unit the import hands from the readers (a worker
 * thread or the importing thread) to the partition writer. Its buffers own their memory, so a chunk
 * moves between threads without a copy, and row objects die young instead of waiting for a flush.
 */
export interface RowChunk {
  readonly table: TableName;
  readonly length: number;
  /** `Id` of each row (for deduplication). */
  readonly ids: string[];
  /** `TimeGenerated` of each row, canonical (for the day partition and the time order). */
  readonly times: string[];
  /** One entry per column of the table, in schema order. */
  readonly columns: ChunkColumn[];
}

export type ChunkColumn =
  /** UTF-8 values back to back; `nulls[i] = 1` marks a null (dynamic columns). */
  | {
      readonly kind: 'utf8';
      readonly offsets: Int32Array;
      readonly bytes: Uint8Array;
      readonly nulls?: Uint8Array;
    }
  /** Repeating strings: the chunk's distinct values and an index per row. */
  | { readonly kind: 'dictionary'; readonly values: string[]; readonly indices: Int32Array }
  /** Numbers, nanosecond times and booleans (0/1); `nulls[i] = 1` marks a null. */
  | {
      readonly kind: 'fixed';
      readonly values: BigInt64Array | Int32Array | Float64Array | Uint8Array;
      readonly nulls?: Uint8Array;
    };

/** The buffers of a chunk, for a worker's transfer list. */
export function chunkBuffers(chunk: RowChunk): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (view: ArrayBufferView | undefined) => {
    if (view) buffers.add(view.buffer as ArrayBuffer);
  };
  for (const column of chunk.columns) {
    if (column.kind === 'utf8') {
      add(column.offsets);
      add(column.bytes);
      add(column.nulls);
    } else if (column.kind === 'dictionary') add(column.indices);
    else {
      add(column.values);
      add(column.nulls);
    }
  }
  return [...buffers];
}

/** Short strings are encoded in JS: a native call per value costs more than the copy itself. */
const SHORT_STRING = 48;

/**
 * UTF-8 encoding of strings back to back, with offsets. The buffers own their memory (never a slice
 * of Node's shared pool), so they can be transferred.
 */
export function encodeUtf8(values: readonly string[]): { offsets: Int32Array; bytes: Uint8Array } {
  const offsets = new Int32Array(values.length + 1);
  let chars = 0;
  for (let i = 0; i < values.length; i++) chars += values[i].length;
  let bytes = Buffer.allocUnsafeSlow(chars + (chars >> 4) + 64);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const length = v.length;
    if (pos + 3 * length > bytes.length) {
      // UTF-16 code units take at most 3 bytes each in UTF-8.
      const grown = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, pos + 3 * length));
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
  if (pos > 0x7fffffff) throw new Error('string column larger than 2 GiB');
  return { offsets, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, pos) };
}

/**
 * Nanoseconds since the epoch of canonical datetimes (`yyyy-MM-ddTHH:mm:ss.fffffffZ`). The minute is
 * converted once and cached, as rows arrive in time order; the rest is exact in a double.
 */
function canonicalNanos(): (text: string) => bigint {
  let minute = '';
  let minuteNanos = 0n;
  return (text) => {
    if (minute === '' || !text.startsWith(minute)) {
      minute = text.slice(0, 17);
      minuteNanos = BigInt(Date.parse(`${minute}00Z`)) * 1_000_000n;
    }
    const seconds = (text.charCodeAt(17) - 48) * 10 + (text.charCodeAt(18) - 48);
    const fraction = Number(text.slice(20, 27));
    return minuteNanos + BigInt(seconds * 1_000_000_000 + fraction * 100);
  };
}

type Cell = unknown;

function stringValue(c: Cell): string {
  return typeof c === 'string' ? c : c === null || c === undefined ? '' : String(c);
}

function isEmpty(c: Cell): boolean {
  return c === null || c === undefined || c === '';
}

function encodeColumn(column: ColumnSchema, cells: Cell[], toNanos: (text: string) => bigint): ChunkColumn {
  const n = cells.length;
  switch (column.type) {
    case 'string':
    case 'guid': {
      if (column.distinct) return { kind: 'utf8', ...encodeUtf8(cells.map(stringValue)) };
      // A dictionary per chunk: a long-lived one would hold young strings in an old map, which costs
      // the garbage collector more than the lookups it saves (measured).
      const ids = new Map<string, number>();
      const indices = new Int32Array(n);
      let previous: string | undefined;
      let previousId = -1;
      for (let i = 0; i < n; i++) {
        const v = stringValue(cells[i]);
        if (v === previous) {
          indices[i] = previousId;
          continue;
        }
        let id = ids.get(v);
        if (id === undefined) {
          id = ids.size;
          ids.set(v, id);
        }
        indices[i] = id;
        previous = v;
        previousId = id;
      }
      return { kind: 'dictionary', values: [...ids.keys()], indices };
    }
    case 'dynamic': {
      const nulls = new Uint8Array(n);
      const texts = cells.map((c, i) => {
        if (c === null || c === undefined) {
          nulls[i] = 1;
          return '';
        }
        return JSON.stringify(c);
      });
      return { kind: 'utf8', ...encodeUtf8(texts), nulls };
    }
    case 'datetime': {
      const values = new BigInt64Array(n);
      return fixed(values, cells, (i, c) => {
        values[i] = toNanos(c as string);
      });
    }
    case 'long':
    case 'timespan': {
      const values = new BigInt64Array(n);
      return fixed(values, cells, (i, c) => {
        values[i] = BigInt(Math.trunc(c as number));
      });
    }
    case 'int': {
      const values = new Int32Array(n);
      return fixed(values, cells, (i, c) => {
        values[i] = c as number;
      });
    }
    case 'real': {
      const values = new Float64Array(n);
      return fixed(values, cells, (i, c) => {
        values[i] = c as number;
      });
    }
    case 'bool': {
      const values = new Uint8Array(n);
      return fixed(values, cells, (i, c) => {
        values[i] = c ? 1 : 0;
      });
    }
  }
}

function fixed(
  values: BigInt64Array | Int32Array | Float64Array | Uint8Array,
  cells: Cell[],
  store: (index: number, cell: Cell) => void,
): ChunkColumn {
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (isEmpty(c)) {
      nulls ??= new Uint8Array(cells.length);
      nulls[i] = 1;
    } else store(i, c);
  }
  return nulls ? { kind: 'fixed', values, nulls } : { kind: 'fixed', values };
}

/** Rows that passed the checks → chunks of `capacity` rows. */
export class ChunkEncoder {
  private rows: TableRow[] = [];
  private readonly toNanos = canonicalNanos();

  constructor(
    readonly table: TableSchema,
    private readonly capacity: number,
  ) {}

  get size(): number {
    return this.rows.length;
  }

  /** Adds a row; true when the chunk is full and should be taken. */
  add(row: TableRow): boolean {
    this.rows.push(row);
    return this.rows.length >= this.capacity;
  }

  /** The rows added since the last take, in columns; undefined when there are none. */
  take(): RowChunk | undefined {
    const rows = this.rows;
    if (rows.length === 0) return undefined;
    this.rows = [];
    const records = rows as unknown as Record<string, unknown>[];
    const columns = this.table.columns.map((column) => {
      // A plain loop: Array.prototype.map with a closure is several times slower on large buffers.
      const name = column.name;
      const cells = new Array<Cell>(records.length);
      for (let i = 0; i < records.length; i++) cells[i] = records[i][name];
      return encodeColumn(column, cells, this.toNanos);
    });
    return {
      table: this.table.name as TableName,
      length: rows.length,
      ids: rows.map((r) => r.Id),
      times: rows.map((r) => r.TimeGenerated),
      columns,
    };
  }
}

/**
 * The checks and fill-ins every stored row gets: a canonical TimeGenerated and an Id are required;
 * a missing TenantId is the workspace's; a missing _BilledSize is computed. Returns the reason a row
 * is refused, or undefined.
 */
export function prepareRow(row: TableRow, workspaceId: string): string | undefined {
  if (typeof row.TimeGenerated !== 'string' || !isCanonicalTime(row.TimeGenerated))
    return `TimeGenerated: not a canonical datetime: ${JSON.stringify(row.TimeGenerated)}`;
  if (typeof row.Id !== 'string' || row.Id === '') return 'Id: missing';
  if (row.TenantId === '') row.TenantId = workspaceId;
  if (row._BilledSize === null) row._BilledSize = billedSize(row);
  return undefined;
}
