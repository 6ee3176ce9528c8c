import { dictionaryOf, setDictionary } from './dictionary.js';
import type { ColumnDef } from './ir.js';
import type { Value } from './values.js';

/** A query result or intermediate table: column definitions and column-major value arrays. */
export class Table {
  private byName: Map<string, number> | undefined;

  constructor(
    readonly columns: ColumnDef[],
    readonly data: Value[][],
    readonly rowCount: number,
  ) {}

  static empty(columns: ColumnDef[]): Table {
    return new Table(
      columns,
      columns.map(() => []),
      0,
    );
  }

  indexOf(name: string): number {
    if (!this.byName) {
      this.byName = new Map();
      this.columns.forEach((c, i) => {
        if (!this.byName!.has(c.name)) this.byName!.set(c.name, i);
      });
    }
    return this.byName.get(name) ?? -1;
  }

  /** A table with the rows at `indexes`, in that order (columns are gathered when first read). */
  select(indexes: ArrayLike<number>): Table {
    const n = indexes.length;
    const source = this.data;
    const pending = pendingColumns.get(source);
    const data = lazyColumns(source.length, (c) => {
      // A computed column nobody has read yet is computed for the selected rows only.
      const subset = pending?.get(c);
      if (subset && !subset.computed()) return subset.rows(indexes);
      const column = source[c];
      const out = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = column[indexes[i]];
      const encoding = dictionaryOf(column);
      if (encoding) {
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = encoding.codes[indexes[i]];
        setDictionary(out, { codes, values: encoding.values });
      }
      return out;
    });
    if (pending) {
      // One composed selection per inner selection, shared by the columns (a source may decode
      // several columns for the same rows together).
      const composed = new WeakMap<object, Int32Array>();
      const compose = (inner: ArrayLike<number>): Int32Array => {
        let rows = composed.get(inner);
        if (!rows) {
          rows = Int32Array.from(inner, (k) => indexes[k]);
          composed.set(inner, rows);
        }
        return rows;
      };
      for (const [c, subset] of pending) {
        if (subset.computed()) continue;
        setPending(data, c, { computed: () => false, rows: (inner) => subset.rows(compose(inner)) });
      }
    }
    return new Table(this.columns, data, n);
  }

  /** One row as an array of values. */
  row(index: number): Value[] {
    return this.data.map((column) => column[index]);
  }
}

/**
 * Column arrays computed on first read: a table from the workspace decodes only the columns a query
 * touches, and operators that pass columns through do not force them.
 */
export function lazyColumns(count: number, produce: (index: number) => Value[]): Value[][] {
  const data: Value[][] = [];
  for (let i = 0; i < count; i++) {
    let value: Value[] | undefined;
    Object.defineProperty(data, i, {
      enumerable: true,
      configurable: true,
      get: () => {
        value ??= produce(i);
        return value;
      },
    });
  }
  return data;
}

/** A computed column not read yet, and how to compute it for some rows only. */
interface PendingColumn {
  computed(): boolean;
  rows(indexes: ArrayLike<number>): Value[];
}

const pendingColumns = new WeakMap<Value[][], Map<number, PendingColumn>>();

function setPending(data: Value[][], index: number, pending: PendingColumn): void {
  let columns = pendingColumns.get(data);
  if (!columns) {
    columns = new Map();
    pendingColumns.set(data, columns);
  }
  columns.set(index, pending);
}

/**
 * Marks column `index` of `data` (a lazy column) as computable for some rows only, until `computed`
 * says it has been read whole.
 */
export function definePendingRows(
  data: Value[][],
  index: number,
  computed: () => boolean,
  rows: (indexes: ArrayLike<number>) => Value[],
): void {
  setPending(data, index, { computed, rows });
}

/**
 * Defines column `index` of `data` as computed on first read. With `rows`, a selection of the table
 * taken before the column is read computes it for the selected rows only (`Parser() | where …`
 * parses the JSON of the matching rows, not of the whole table).
 */
export function defineLazyColumn(
  data: Value[][],
  index: number,
  produce: () => Value[],
  rows?: (indexes: ArrayLike<number>) => Value[],
): void {
  let value: Value[] | undefined;
  Object.defineProperty(data, index, {
    enumerable: true,
    configurable: true,
    get: () => {
      value ??= produce();
      return value;
    },
  });
  if (rows) setPending(data, index, { computed: () => value !== undefined, rows });
  else pendingColumns.get(data)?.delete(index);
}

/** The column arrays at `indexes` of `data` (or all), without reading lazy ones. */
export function pickColumns(data: Value[][], indexes?: readonly number[]): Value[][] {
  return appendColumns([], data, indexes);
}

/** Appends columns of `source` to `target` without reading lazy ones; returns `target`. */
export function appendColumns(target: Value[][], source: Value[][], indexes?: readonly number[]): Value[][] {
  const list = indexes ?? Array.from({ length: source.length }, (_, i) => i);
  const pending = pendingColumns.get(source);
  for (const from of list) {
    const to = target.length;
    const descriptor = Object.getOwnPropertyDescriptor(source, from);
    if (descriptor?.get)
      Object.defineProperty(target, to, { enumerable: true, configurable: true, get: descriptor.get });
    else target[to] = source[from];
    const column = pending?.get(from);
    if (column && !column.computed()) setPending(target, to, column);
  }
  return target;
}
