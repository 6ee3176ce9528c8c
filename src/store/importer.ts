import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { billedSize } from '../model/billing.js';
import type { TableRow } from '../model/rows.js';
import { TABLES, type TableName } from '../model/schema.js';
import type { SourceItem } from '../model/sources/types.js';
import { dayOf, isCanonicalTime } from '../model/time.js';
import type { Catalog, ImportRecord, PartitionFile, TableCatalog } from './catalog.js';
import { writeCatalog } from './catalog.js';
import { tableRows, Utf8Appender } from './columns.js';
import { fsyncDir } from './fsutil.js';
import { decodeLz4Frame } from './lz4-frame.js';
import { readPartitionFile, writePartitionFile } from './partition.js';
import type { Workspace } from './workspace.js';

export interface TableCounts {
  read: number;
  added: number;
  duplicates: number;
}

export interface ImportSummary {
  importId: string;
  read: number;
  added: number;
  duplicates: number;
  rejected: number;
  warnings: string[];
  /** Workspace-relative path of the rejects file (JSON lines of file, line, reason, excerpt). */
  rejectsPath?: string;
  byTable: Partial<Record<TableName, TableCounts>>;
}

export interface ImportProgress {
  read: number;
  added: number;
  duplicates: number;
  rejected: number;
}

export interface ImportOptions {
  /** Names of the sources, recorded in the catalog's import history. */
  sources: string[];
  onProgress?: (progress: ImportProgress) => void;
  /** Rows buffered per day partition before a partition file is written. */
  flushRows?: number;
  /** Rows buffered in all partitions before the largest buffers are written. */
  maxBufferedRows?: number;
  /** Files a day partition may have before an import merges them into one. */
  maxFilesPerDay?: number;
}

interface DayState {
  readonly table: TableName;
  readonly day: string;
  /** Ids in the committed files of this day, loaded on first use. */
  committed?: Set<string>;
  /** Ids this import adds to the day. */
  readonly added: Set<string>;
  pending: TableRow[];
  /** The pending rows' distinct-valued columns, already encoded (their row fields are blanked). */
  encoded: Map<string, Utf8Appender>;
  written: PartitionFile[];
  /** Committed files merged into `written` by compaction; the new catalog drops them. */
  replaced: PartitionFile[];
}

/**
 * Adds rows to a workspace as one transaction: new partition files are written beside the committed
 * ones, and the import becomes visible only when the catalog that lists them replaces the old one.
 * A crash at any point leaves the previous catalog, and the next writer deletes the orphan files.
 * Rows whose Id the table already holds (on the row's day or the days either side) are counted as
 * duplicates and skipped.
 */
export async function importItems(
  workspace: Workspace,
  items: AsyncIterable<SourceItem> | Iterable<SourceItem>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const flushRows = options.flushRows ?? 25_000;
  const maxBuffered = options.maxBufferedRows ?? 60_000;
  const maxFilesPerDay = options.maxFilesPerDay ?? 8;
  const lock = await workspace.lock();
  try {
    const catalog = workspace.catalog();
    const importId = `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
    const summary: ImportSummary = {
      importId,
      read: 0,
      added: 0,
      duplicates: 0,
      rejected: 0,
      warnings: [],
      byTable: {},
    };
    const days = new Map<string, DayState>();
    let buffered = 0;
    let fileSeq = 0;
    const rejects = new RejectsWriter(workspace, importId);

    const stateFor = (table: TableName, day: string): DayState => {
      const key = `${table}/${day}`;
      let state = days.get(key);
      if (!state) {
        state = { table, day, added: new Set(), pending: [], encoded: new Map(), written: [], replaced: [] };
        days.set(key, state);
      }
      return state;
    };
    // An event has one activity time, but sources differ in precision and some write local time, so
    // an Id is looked for in the neighbouring days too.
    const neighbourhoods = new Map<string, DayState[]>();
    const neighbourhood = (table: TableName, day: string): DayState[] => {
      const key = `${table}/${day}`;
      let states = neighbourhoods.get(key);
      if (!states) {
        states = [day, shiftDay(day, -1), shiftDay(day, 1)].map((d) => {
          const state = stateFor(table, d);
          state.committed ??= loadIds(workspace, catalog.tables[table]?.days[d] ?? []);
          return state;
        });
        neighbourhoods.set(key, states);
      }
      return states;
    };
    const seen = (states: DayState[], id: string): boolean => {
      for (const state of states) if (state.committed!.has(id) || state.added.has(id)) return true;
      return false;
    };

    // One partition file is written (compressed and synced on the thread pool) while the next rows
    // are read; a flush waits only for the write before it.
    let inflight: Promise<void> = Promise.resolve();
    const flush = async (state: DayState): Promise<void> => {
      if (state.pending.length === 0) return;
      const rows = state.pending;
      const encoded = state.encoded;
      state.pending = [];
      state.encoded = new Map();
      buffered -= rows.length;
      await inflight;
      const write = writePartitionFile(
        workspace,
        TABLES[state.table],
        state.day,
        importId,
        fileSeq++,
        rows,
        encoded,
      );
      inflight = write.then((file) => {
        state.written.push(file);
      });
      inflight.catch(() => {}); // awaited at the next flush or at the end
    };

    let sinceProgress = 0;
    for await (const item of items) {
      if (item.kind === 'warning') {
        summary.warnings.push(
          item.line === undefined
            ? `${item.file}: ${item.message}`
            : `${item.file}:${item.line}: ${item.message}`,
        );
        continue;
      }
      summary.read++;
      if (item.kind === 'reject') {
        summary.rejected++;
        rejects.write(item);
      } else {
        const row = item.row;
        const problem = rowProblem(row);
        if (problem) {
          summary.rejected++;
          rejects.write({
            file: item.file,
            line: item.line,
            reason: problem,
            excerpt: JSON.stringify(row).slice(0, 200),
          });
        } else {
          summary.byTable[item.table] ??= { read: 0, added: 0, duplicates: 0 };
          const counts = summary.byTable[item.table]!;
          counts.read++;
          if (row.TenantId === '') row.TenantId = workspace.id;
          if (row._BilledSize === null) row._BilledSize = billedSize(row);
          const states = neighbourhood(item.table, dayOf(row.TimeGenerated));
          if (seen(states, row.Id)) {
            counts.duplicates++;
            summary.duplicates++;
          } else {
            const state = states[0];
            state.added.add(row.Id);
            state.pending.push(row);
            encodeDistinct(state, distinctColumns[item.table], row);
            buffered++;
            counts.added++;
            summary.added++;
            if (state.pending.length >= flushRows) await flush(state);
            else if (buffered >= maxBuffered) {
              const largest = [...days.values()].sort((a, b) => b.pending.length - a.pending.length)[0];
              await flush(largest);
            }
          }
        }
      }
      if (options.onProgress && ++sinceProgress >= 5_000) {
        sinceProgress = 0;
        options.onProgress(progressOf(summary));
      }
    }
    for (const state of days.values()) await flush(state);
    await inflight;
    for (const state of days.values()) {
      const committed = catalog.tables[state.table]?.days[state.day] ?? [];
      if (state.written.length > 0 && committed.length + state.written.length > maxFilesPerDay) {
        await compact(workspace, state, committed, importId, fileSeq++);
      }
    }
    options.onProgress?.(progressOf(summary));

    summary.rejectsPath = rejects.finish();
    const record: ImportRecord = {
      id: importId,
      at: new Date().toISOString(),
      sources: options.sources,
      read: summary.read,
      added: summary.added,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      ...(summary.rejectsPath ? { rejectsPath: summary.rejectsPath } : {}),
    };
    writeCatalog(workspace.catalogPath, withImport(catalog, [...days.values()], record));
    for (const state of days.values()) {
      for (const file of state.replaced) {
        rmSync(workspace.path(file.path), { force: true });
        rmSync(workspace.path(file.idsPath), { force: true });
      }
    }
    return summary;
  } finally {
    lock.release();
  }
}

const distinctColumns: Record<TableName, string[]> = {
  AADProvisioningLogs: TABLES.AADProvisioningLogs.columns.filter((c) => c.distinct).map((c) => c.name),
  AuditLogs: TABLES.AuditLogs.columns.filter((c) => c.distinct).map((c) => c.name),
};

/** Moves a row's long distinct strings into the day's UTF-8 appenders, so they need not live on. */
function encodeDistinct(state: DayState, columns: string[], row: TableRow): void {
  const values = row as unknown as Record<string, unknown>;
  for (const name of columns) {
    let appender = state.encoded.get(name);
    if (!appender) {
      appender = new Utf8Appender();
      state.encoded.set(name, appender);
    }
    const value = values[name];
    appender.append(
      typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value),
    );
    values[name] = '';
  }
}

function progressOf(summary: ImportSummary): ImportProgress {
  return {
    read: summary.read,
    added: summary.added,
    duplicates: summary.duplicates,
    rejected: summary.rejected,
  };
}

function rowProblem(row: TableRow): string | undefined {
  if (typeof row.TimeGenerated !== 'string' || !isCanonicalTime(row.TimeGenerated))
    return `TimeGenerated: not a canonical datetime: ${JSON.stringify(row.TimeGenerated)}`;
  if (typeof row.Id !== 'string' || row.Id === '') return 'Id: missing';
  return undefined;
}

/**
 * Merges a day's committed files and this import's new ones into one file, so that frequent small
 * imports (hourly pulls) do not leave thousands of tiny files. Part of the same transaction: the old
 * files stay until the catalog that drops them is committed.
 */
async function compact(
  workspace: Workspace,
  state: DayState,
  committed: PartitionFile[],
  importId: string,
  seq: number,
): Promise<void> {
  const rows: TableRow[] = [];
  for (const file of [...committed, ...state.written]) {
    for (const row of tableRows(readPartitionFile(workspace, file))) rows.push(row as unknown as TableRow);
  }
  const merged = await writePartitionFile(workspace, TABLES[state.table], state.day, importId, seq, rows);
  for (const file of state.written) {
    rmSync(workspace.path(file.path), { force: true });
    rmSync(workspace.path(file.idsPath), { force: true });
  }
  state.replaced = committed;
  state.written = [merged];
}

function shiftDay(day: string, by: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);
}

function loadIds(workspace: Workspace, files: readonly PartitionFile[]): Set<string> {
  const ids = new Set<string>();
  for (const file of files) {
    const text = Buffer.from(decodeLz4Frame(readFileSync(workspace.path(file.idsPath)))).toString('utf8');
    if (text.length === 0) continue;
    for (const id of text.split('\n')) ids.add(id);
  }
  return ids;
}

function withImport(catalog: Catalog, states: DayState[], record: ImportRecord): Catalog {
  const tables: Catalog['tables'] = { ...catalog.tables };
  for (const state of states) {
    if (state.written.length === 0) continue;
    const previous: TableCatalog = tables[state.table] ?? { days: {} };
    const kept = (previous.days[state.day] ?? []).filter((file) => !state.replaced.includes(file));
    tables[state.table] = { days: { ...previous.days, [state.day]: [...kept, ...state.written] } };
  }
  return {
    formatVersion: 1,
    generation: catalog.generation + 1,
    tables,
    imports: [...catalog.imports, record],
  };
}

/** Streams rejected records to `rejects/<importId>.jsonl`; the file exists only if something was rejected. */
class RejectsWriter {
  private fd: number | undefined;
  private readonly relativePath: string;

  constructor(
    private readonly workspace: Workspace,
    importId: string,
  ) {
    this.relativePath = `rejects/${importId}.jsonl`;
  }

  write(reject: { file: string; line: number; reason: string; excerpt: string }): void {
    if (this.fd === undefined) {
      const dir = this.workspace.path('.staging');
      mkdirSync(dir, { recursive: true });
      this.fd = openSync(join(dir, 'rejects.jsonl'), 'w');
    }
    const { file, line, reason, excerpt } = reject;
    writeSync(this.fd, `${JSON.stringify({ file, line, reason, excerpt })}\n`);
  }

  /** Moves the file into place before the commit; an uncommitted one is removed as garbage later. */
  finish(): string | undefined {
    if (this.fd === undefined) return undefined;
    fsyncSync(this.fd);
    closeSync(this.fd);
    const dir = this.workspace.path('rejects');
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    renameSync(
      join(this.workspace.path('.staging'), 'rejects.jsonl'),
      this.workspace.path(this.relativePath),
    );
    fsyncDir(dir);
    return this.relativePath;
  }
}
