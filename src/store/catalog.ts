import { existsSync, readFileSync } from 'node:fs';
import type { TableName } from '../model/schema.js';
import { writeFileAtomic } from './fsutil.js';

/** One immutable Arrow IPC file of a day partition. */
export interface PartitionFile {
  /** Path relative to the workspace root. */
  readonly path: string;
  /** Sidecar file with the rows' ids, one per line, for dedupe without decoding the partition. */
  readonly idsPath: string;
  readonly rows: number;
  readonly bytes: number;
  /** Canonical datetimes of the first and last TimeGenerated in the file. */
  readonly minTime: string;
  readonly maxTime: string;
  readonly importId: string;
}

export interface TableCatalog {
  /** Day (yyyy-MM-dd, UTC) → files. */
  readonly days: Record<string, PartitionFile[]>;
}

/** The commit record of the workspace: only files listed here exist as far as readers are concerned. */
export interface Catalog {
  readonly formatVersion: 1;
  readonly generation: number;
  readonly tables: Partial<Record<TableName, TableCatalog>>;
  readonly imports: ImportRecord[];
}

export interface ImportRecord {
  readonly id: string;
  readonly at: string;
  readonly sources: string[];
  readonly read: number;
  readonly added: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejectsPath?: string;
}

export function emptyCatalog(): Catalog {
  return { formatVersion: 1, generation: 0, tables: {}, imports: [] };
}

export function readCatalog(path: string): Catalog {
  if (!existsSync(path)) return emptyCatalog();
  const catalog = JSON.parse(readFileSync(path, 'utf8')) as Catalog;
  if (catalog.formatVersion !== 1)
    throw new Error(`${path}: unsupported workspace format ${catalog.formatVersion}`);
  return catalog;
}

export function writeCatalog(path: string, catalog: Catalog): void {
  writeFileAtomic(path, JSON.stringify(catalog));
}

export function tableFiles(catalog: Catalog, table: TableName): PartitionFile[] {
  const days = catalog.tables[table]?.days ?? {};
  return Object.keys(days)
    .sort()
    .flatMap((day) => days[day]);
}
