/**
 * Tables of a local workspace as engine tables. Columns are decoded from the Arrow partitions on first
 * use, so a query pays only for the columns it reads.
 */

import { readFileSync } from 'node:fs';
import { type Table as ArrowTable, type Data, DataType, type Vector } from 'apache-arrow';
import { TABLES, type TableName } from '../model/schema.js';
import { ticksToCanonical } from '../model/time.js';
import type { PartitionFile } from '../store/catalog.js';
import { registerLz4Codec } from '../store/codec.js';
import { stringColumn } from '../store/column-access.js';
import { readColumns } from '../store/ipc-projection.js';
import { partitionFiles } from '../store/reader.js';
import type { Workspace } from '../store/workspace.js';
import type { TableColumns } from './analyzer.js';
import { setDictionary } from './dictionary.js';
import type { TableSource, TimeRange } from './exec.js';
import type { ColumnDef } from './ir.js';
import { definePendingRows, lazyColumns, Table } from './table.js';
import {
  type KType,
  MAX_DATETIME_TICKS,
  MIN_DATETIME_TICKS,
  normLong,
  parseJsonText,
  toKType,
  type Value,
} from './values.js';

/** The schemas the analyser binds against: Log Analytics' own types (JSON-in-string columns are strings). */
export function workspaceSchemas(): TableColumns[] {
  return (Object.keys(TABLES) as TableName[]).map((name) => ({
    name,
    columns: TABLES[name].columns.map((c) => ({ name: c.name, type: c.type })),
  }));
}

/**
 * Builds one column's values file by file, so only one file's Arrow buffers are alive at a time. A
 * string column stored dictionary-encoded everywhere keeps shared strings and global codes.
 */
class ColumnDecoder {
  private readonly out: Value[] = [];
  private codes: number[] | undefined;
  private readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly type: KType,
  ) {
    if (type === 'string') this.codes = [];
  }

  private codeOf(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.index.set(value, code);
    }
    return code;
  }

  add(table: ArrowTable): void {
    const { name, type, out } = this;
    for (const batch of table.batches) {
      const vector = batch.getChild(name);
      const n = batch.numRows;
      if (!vector) {
        for (let i = 0; i < n; i++) out.push(type === 'string' ? '' : null);
        if (this.codes) for (let i = 0; i < n; i++) this.codes.push(this.codeOf(''));
        continue;
      }
      if (type !== 'string') {
        decodeFixed(vector, type, n, out);
        continue;
      }
      const column = stringColumn(batch, name);
      if (this.codes && column.codes && column.dictionary) {
        const remap = column.dictionary.map((value) => this.codeOf(value));
        const batchCodes = column.codes;
        const codes = this.codes;
        const values = this.values;
        if (vector.nullCount === 0) {
          for (let i = 0; i < n; i++) {
            const code = remap[batchCodes[i]];
            codes.push(code);
            out.push(values[code]);
          }
        } else {
          for (let i = 0; i < n; i++) {
            const code = vector.isValid(i) ? remap[batchCodes[i]] : this.codeOf('');
            codes.push(code);
            out.push(values[code]);
          }
        }
        continue;
      }
      this.codes = undefined;
      if (vector.nullCount === 0) for (let i = 0; i < n; i++) out.push(column.get(i));
      else for (let i = 0; i < n; i++) out.push(vector.isValid(i) ? column.get(i) : '');
    }
  }

  finish(): Value[] {
    if (this.codes) setDictionary(this.out, { codes: Int32Array.from(this.codes), values: this.values });
    return this.out;
  }
}

function decodeFixed(vector: Vector, type: KType, n: number, out: Value[]): void {
  const data: Data = vector.data[0];
  const offset = data.offset;
  switch (type) {
    case 'datetime': {
      const raw = data.values as BigInt64Array;
      for (let i = 0; i < n; i++) out.push(vector.isValid(i) ? raw[offset + i] / 100n : null);
      return;
    }
    case 'long':
    case 'timespan': {
      const raw = data.values as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (!vector.isValid(i)) out.push(null);
        else out.push(type === 'timespan' ? raw[offset + i] : normLong(raw[offset + i]));
      }
      return;
    }
    case 'dynamic':
      for (let i = 0; i < n; i++) {
        const text = vector.isValid(i) ? (vector.get(i) as string | null) : null;
        out.push(text === null ? null : (parseJsonText(text) ?? text));
      }
      return;
    case 'guid':
      for (let i = 0; i < n; i++) out.push(vector.isValid(i) ? String(vector.get(i)) : null);
      return;
    default:
      if (DataType.isBool(data.type) || DataType.isInt(data.type) || DataType.isFloat(data.type)) {
        for (let i = 0; i < n; i++) {
          const v = vector.isValid(i) ? vector.get(i) : null;
          out.push(typeof v === 'bigint' ? normLong(v) : (v as Value));
        }
        return;
      }
      for (let i = 0; i < n; i++) out.push(vector.isValid(i) ? (vector.get(i) as Value) : null);
  }
}

/** A workspace's tables for the engine (loaded once per source, columns decoded lazily). */
export class WorkspaceTableSource implements TableSource {
  private readonly cache = new Map<string, Table>();
  private wanted = new Set<string>();
  /** The columns of the query running now (without the report's other queries'). */
  private queryWanted = new Set<string>();

  private alwaysWanted = new Set<string>();

  /** The columns the next query reads, so they are loaded in one pass. */
  prefetch(columns: Iterable<string>): void {
    this.queryWanted = new Set(columns);
    this.wanted = new Set([...this.alwaysWanted, ...this.queryWanted]);
  }

  /** Columns every later query may read (a report's queries): loaded with the first column read. */
  prefetchForAll(columns: Iterable<string>): void {
    for (const column of columns) this.alwaysWanted.add(column);
    this.wanted = new Set([...this.alwaysWanted, ...this.queryWanted]);
  }

  constructor(private readonly workspace: Workspace) {}

  table(name: string, range?: TimeRange): Table | undefined {
    if (!(name in TABLES)) return undefined;
    const schema = TABLES[name as TableName];
    const files = partitionFiles(this.workspace, schema.name, {
      ...(range?.from !== undefined ? { from: ticksToCanonical(clampTicks(range.from)) } : {}),
      ...(range?.to !== undefined ? { to: ticksToCanonical(clampTicks(range.to)) } : {}),
    });
    // Windows that select the same partition files share one table (and its decoded columns).
    const key = `${name}\u0000${files.map((f) => f.path).join('\u0000')}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const rows = files.reduce((n, file) => n + file.rows, 0);
    const columns: ColumnDef[] = schema.columns.map((c) => ({ name: c.name, type: toKType(c.type) }));
    // Columns are read on first use, decompressing only their own buffers of each partition file; the
    // columns the query names are read together, in one pass over the files.
    registerLz4Codec();
    const decoded = new Map<string, Value[]>();
    const typeOf = new Map(columns.map((c) => [c.name, c.type]));
    const distinct = new Set(schema.columns.filter((c) => c.distinct).map((c) => c.name));
    const subsets = new WeakMap<object, Map<string, Value[]>>();
    const load = (column: string): Value[] => {
      // Long, mostly distinct text (step lists) is not loaded ahead: a filter before it is read lets
      // it be decoded for the matching rows only.
      const group = [...new Set([column, ...this.wanted])].filter(
        (c) => typeOf.has(c) && !decoded.has(c) && (c === column || !distinct.has(c)),
      );
      const decoders = group.map((name) => new ColumnDecoder(name, typeOf.get(name)!));
      for (const file of files) {
        const table = readColumns(readFileSync(this.workspace.path(file.path)), group);
        for (const decoder of decoders) decoder.add(table);
      }
      for (const decoder of decoders) decoded.set(decoder.name, decoder.finish());
      return decoded.get(column)!;
    };
    const data = lazyColumns(columns.length, (i) => decoded.get(columns[i].name) ?? load(columns[i].name));
    columns.forEach((column, i) => {
      if (column.type !== 'string') return;
      definePendingRows(
        data,
        i,
        () => decoded.has(column.name),
        (indexes) => {
          // A large selection decodes the whole column once (later queries share it).
          if (indexes.length * 3 > rows) {
            const whole = decoded.get(column.name) ?? load(column.name);
            return Array.from(indexes, (i) => whole[i]);
          }
          // The other string columns the query reads are decoded for the same rows in the same pass.
          let done = subsets.get(indexes);
          if (!done) {
            done = new Map();
            subsets.set(indexes, done);
          }
          if (!done.has(column.name)) {
            const group = [...new Set([column.name, ...this.queryWanted])].filter(
              (c) => typeOf.get(c) === 'string' && !decoded.has(c) && !done!.has(c),
            );
            const values = stringsAt(this.workspace, files, group, indexes);
            for (const [g, name] of group.entries()) done.set(name, values[g]);
          }
          return done.get(column.name)!;
        },
      );
    });
    const table = new Table(columns, data, rows);
    this.cache.set(key, table);
    return table;
  }
}

/** Reads the string values of some columns at the given rows of the files, in one pass over them. */
function stringsAt(
  workspace: Workspace,
  files: readonly PartitionFile[],
  names: readonly string[],
  indexes: ArrayLike<number>,
): Value[][] {
  const starts: number[] = [];
  let total = 0;
  for (const file of files) {
    starts.push(total);
    total += file.rows;
  }
  const fileOf = (row: number): number => {
    let lo = 0;
    let hi = files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const byFile = new Map<number, number[]>();
  for (let k = 0; k < indexes.length; k++) {
    const f = fileOf(indexes[k]);
    let list = byFile.get(f);
    if (!list) {
      list = [];
      byFile.set(f, list);
    }
    list.push(k);
  }
  const out = names.map(() => new Array<Value>(indexes.length));
  for (const [f, positions] of byFile) {
    const table = readColumns(readFileSync(workspace.path(files[f].path)), names);
    const batchStarts: number[] = [];
    let at = 0;
    for (const batch of table.batches) {
      batchStarts.push(at);
      at += batch.numRows;
    }
    names.forEach((name, g) => {
      const columns = table.batches.map((batch) => ({
        vector: batch.getChild(name),
        strings: stringColumn(batch, name),
      }));
      for (const k of positions) {
        const local = indexes[k] - starts[f];
        let b = batchStarts.length - 1;
        while (b > 0 && batchStarts[b] > local) b--;
        const row = local - batchStarts[b];
        const { vector, strings } = columns[b];
        out[g][k] = vector?.isValid(row) ? strings.get(row) : '';
      }
    });
  }
  return out;
}

/** Canonical datetime text covers years 0001–9999 only. */
function clampTicks(ticks: bigint): bigint {
  return ticks < MIN_DATETIME_TICKS
    ? MIN_DATETIME_TICKS
    : ticks > MAX_DATETIME_TICKS
      ? MAX_DATETIME_TICKS
      : ticks;
}
