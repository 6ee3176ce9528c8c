/**
 * The data of the emulator's Log Analytics workspaces. Each workspace (by its customerId, the GUID the
 * query API uses) has the built-in tables (AADProvisioningLogs, AuditLogs) in a provlog workspace
 * store, and custom tables (`*_CL`, filled through the Logs Ingestion API) as JSON lines.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TableColumns } from '../kql/analyzer.js';
import type { TableSource, TimeRange } from '../kql/exec.js';
import { tableFromRecords } from '../kql/records.js';
import type { Table } from '../kql/table.js';
import { toKType } from '../kql/values.js';
import { WorkspaceTableSource, workspaceSchemas } from '../kql/workspace-source.js';
import { TABLES, type TableName } from '../model/schema.js';
import { tableFiles } from '../store/catalog.js';
import { writeFileAtomic } from '../store/fsutil.js';
import { Workspace } from '../store/workspace.js';

/** A column of a custom table, with the table-schema type names (`dateTime`, `boolean`, …). */
export interface CustomColumn {
  name: string;
  type: string;
}

interface WorkspaceEntry {
  customerId: string;
  armId: string;
  /** A provlog workspace whose tables are this workspace's built-in tables. */
  storeDir: string;
  customTables: Record<string, CustomColumn[]>;
}

interface RegistryFile {
  formatVersion: 1;
  workspaces: WorkspaceEntry[];
}

export class LogWorkspace {
  private storeSource: WorkspaceTableSource | undefined;
  private readonly customCache = new Map<string, Table>();

  constructor(
    private readonly entry: WorkspaceEntry,
    private readonly dir: string,
    private readonly saveRegistry: () => void,
  ) {}

  get customerId(): string {
    return this.entry.customerId;
  }

  get armId(): string {
    return this.entry.armId;
  }

  get storeDir(): string {
    return this.entry.storeDir;
  }

  /** The built-in tables' store (created empty on first use). */
  store(): Workspace {
    return Workspace.open(this.entry.storeDir, { create: true, id: this.entry.customerId });
  }

  /** Creates or replaces a custom table's columns (rows already stored keep their values). */
  defineTable(name: string, columns: CustomColumn[]): void {
    this.entry.customTables[name] = columns.map((c) => ({ name: c.name, type: c.type }));
    this.customCache.delete(name.toLowerCase());
    this.saveRegistry();
  }

  dropTable(name: string): void {
    const key = this.customName(name);
    if (key === undefined) return;
    delete this.entry.customTables[key];
    rmSync(this.rowsFile(key), { force: true });
    this.customCache.delete(key.toLowerCase());
    this.saveRegistry();
  }

  /** A custom table's columns, by case-insensitive name. */
  tableColumns(name: string): CustomColumn[] | undefined {
    const key = this.customName(name);
    return key === undefined ? undefined : this.entry.customTables[key];
  }

  customTableNames(): string[] {
    return Object.keys(this.entry.customTables);
  }

  /** Appends rows to a custom table durably; values are converted to the column types. */
  appendRows(name: string, rows: readonly Record<string, unknown>[]): void {
    const key = this.customName(name);
    if (key === undefined) throw new Error(`no custom table ${name}`);
    if (rows.length === 0) return;
    const columns = this.entry.customTables[key];
    const lines = rows.map((row) => {
      const kept: Record<string, unknown> = {};
      for (const c of columns) if (row[c.name] !== undefined) kept[c.name] = row[c.name];
      return JSON.stringify(kept, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    });
    mkdirSync(join(this.dir, 'tables'), { recursive: true });
    appendFileSync(this.rowsFile(key), `${lines.join('\n')}\n`);
    this.customCache.delete(key.toLowerCase());
  }

  /** Rows stored in a table (custom or built-in). */
  rowCount(name: string): number {
    return this.source().table(name)?.rowCount ?? 0;
  }

  /** True when no table holds a row (the query API then answers 204). */
  isEmpty(): boolean {
    // Asked on every query: file sizes and the catalog answer it without reading any rows.
    for (const name of this.customTableNames()) {
      const file = this.rowsFile(name);
      if (existsSync(file) && statSync(file).size > 0) return false;
    }
    if (!Workspace.exists(this.entry.storeDir)) return true;
    const catalog = this.store().catalog();
    return (Object.keys(TABLES) as TableName[]).every((t) => tableFiles(catalog, t).length === 0);
  }

  /** Schemas for the analyser: the built-in tables and the custom ones. */
  schemas(): TableColumns[] {
    return [
      ...workspaceSchemas(),
      ...Object.entries(this.entry.customTables).map(([name, columns]) => ({
        name,
        columns: columns.map((c) => ({ name: c.name, type: toKType(c.type.toLowerCase()) })),
      })),
    ];
  }

  /**
   * The tables as the engine reads them. With a window (the query API's `timespan`), every table is
   * limited to rows whose TimeGenerated falls inside it, as the service does.
   */
  source(window?: TimeRange): TableSource {
    const base: TableSource = {
      table: (name, range) => {
        if (name in TABLES) {
          if (!Workspace.exists(this.entry.storeDir)) return undefined;
          this.storeSource ??= new WorkspaceTableSource(this.store());
          return this.storeSource.table(name, intersect(range, window));
        }
        return this.customTable(name);
      },
      prefetch: (columns) => this.storeSource?.prefetch(columns),
    };
    if (!window || (window.from === undefined && window.to === undefined)) return base;
    return {
      table: (name, range) => {
        const table = base.table(name, range);
        return table ? withinWindow(table, window) : undefined;
      },
      prefetch: base.prefetch,
    };
  }

  private customTable(name: string): Table | undefined {
    const key = this.customName(name);
    if (key === undefined) return undefined;
    const cached = this.customCache.get(key.toLowerCase());
    if (cached) return cached;
    const columns = this.entry.customTables[key].map((c) => ({
      name: c.name,
      type: toKType(c.type.toLowerCase()),
    }));
    const file = this.rowsFile(key);
    const records: Record<string, unknown>[] = [];
    // Line by line from the bytes: a table of several hundred MB would not fit one JS string.
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      let start = 0;
      while (start < bytes.length) {
        let end = bytes.indexOf(0x0a, start);
        if (end < 0) end = bytes.length;
        if (end > start)
          records.push(JSON.parse(bytes.toString('utf8', start, end)) as Record<string, unknown>);
        start = end + 1;
      }
    }
    const table = tableFromRecords(columns, records);
    this.customCache.set(key.toLowerCase(), table);
    return table;
  }

  private customName(name: string): string | undefined {
    const lower = name.toLowerCase();
    return Object.keys(this.entry.customTables).find((n) => n.toLowerCase() === lower);
  }

  private rowsFile(name: string): string {
    return join(this.dir, 'tables', `${name}.jsonl`);
  }
}

function intersect(a: TimeRange | undefined, b: TimeRange | undefined): TimeRange | undefined {
  if (!a) return b;
  if (!b) return a;
  const from = bound(a.from, b.from, 'later');
  const to = bound(a.to, b.to, 'earlier');
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The later (or earlier) of two optional ticks; bigint rules out Math.max. */
function bound(x: bigint | undefined, y: bigint | undefined, pick: 'later' | 'earlier'): bigint | undefined {
  if (x === undefined) return y;
  if (y === undefined) return x;
  return x > y === (pick === 'later') ? x : y;
}

function withinWindow(table: Table, window: TimeRange): Table {
  const column = table.indexOf('TimeGenerated');
  if (column < 0) return table;
  const times = table.data[column] as (bigint | null)[];
  const keep: number[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const t = times[r];
    if (t === null) continue;
    if (window.from !== undefined && t < window.from) continue;
    if (window.to !== undefined && t >= window.to) continue;
    keep.push(r);
  }
  return keep.length === table.rowCount ? table : table.select(Int32Array.from(keep));
}

/** All workspaces of one emulator, persisted in `<data>/log-workspaces.json`. */
export class LogWorkspaces {
  private readonly entries = new Map<string, WorkspaceEntry>();
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, 'log-workspaces.json');
    if (existsSync(this.file)) {
      const registry = JSON.parse(readFileSync(this.file, 'utf8')) as RegistryFile;
      for (const entry of registry.workspaces) this.entries.set(entry.customerId.toLowerCase(), entry);
    }
  }

  get(customerId: string): LogWorkspace | undefined {
    const entry = this.entries.get(customerId.toLowerCase());
    return entry ? this.wrap(entry) : undefined;
  }

  /** The workspace whose ARM resource id is `armId` (case-insensitive). */
  byArmId(armId: string): LogWorkspace | undefined {
    const lower = armId.toLowerCase();
    for (const entry of this.entries.values())
      if (entry.armId.toLowerCase() === lower) return this.wrap(entry);
    return undefined;
  }

  list(): LogWorkspace[] {
    return [...this.entries.values()].map((e) => this.wrap(e));
  }

  /**
   * Registers a workspace; `storeDir` links an existing provlog workspace as its built-in tables
   * (default: a store inside the data directory).
   */
  create(options: { customerId: string; armId: string; storeDir?: string }): LogWorkspace {
    const existing = this.entries.get(options.customerId.toLowerCase());
    if (existing) {
      if (options.storeDir) existing.storeDir = resolve(options.storeDir);
      existing.armId = options.armId;
      this.save();
      return this.wrap(existing);
    }
    const entry: WorkspaceEntry = {
      customerId: options.customerId.toLowerCase(),
      armId: options.armId,
      storeDir: resolve(options.storeDir ?? join(this.workspaceDir(options.customerId), 'store')),
      customTables: {},
    };
    this.entries.set(entry.customerId, entry);
    this.save();
    return this.wrap(entry);
  }

  remove(customerId: string): void {
    if (this.entries.delete(customerId.toLowerCase())) this.save();
  }

  private wrap(entry: WorkspaceEntry): LogWorkspace {
    let cached = this.wrapped.get(entry);
    if (!cached) {
      cached = new LogWorkspace(entry, this.workspaceDir(entry.customerId), () => this.save());
      this.wrapped.set(entry, cached);
    }
    return cached;
  }

  private readonly wrapped = new WeakMap<WorkspaceEntry, LogWorkspace>();

  private workspaceDir(customerId: string): string {
    return join(this.dataDir, 'workspaces', customerId.toLowerCase());
  }

  private save(): void {
    mkdirSync(this.dataDir, { recursive: true });
    const registry: RegistryFile = { formatVersion: 1, workspaces: [...this.entries.values()] };
    writeFileAtomic(this.file, `${JSON.stringify(registry, null, 1)}\n`);
  }
}
