/**
 * Where the rows of a backfill come from: a table of a local workspace, files in any format
 * `provlog import` reads, or rows in memory (benchmarks). Every source yields its rows in the same
 * order each time it is read unchanged, and says how to tell whether it changed (the fingerprint), so
 * an interrupted run can resume on the same plan.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { TABLES, type TableName } from '../../model/schema.js';
import { readSources } from '../../model/sources/index.js';
import type { SourceFormat, SourceItem } from '../../model/sources/types.js';
import { tableRows } from '../../store/columns.js';
import { readPartitionFile } from '../../store/partition.js';
import { partitionFiles, type ReadRange } from '../../store/reader.js';
import { Workspace } from '../../store/workspace.js';

export interface SourceRecord {
  row: Record<string, unknown>;
  /** `file:line` for rows read from files. */
  origin?: string;
}

export interface SourceProblem {
  kind: 'reject' | 'warning';
  origin?: string;
  reason: string;
  excerpt?: string;
}

export interface IngestSource {
  readonly table: TableName;
  /** For messages: the workspace directory or the files. */
  readonly description: string;
  /** What the source is (not its content): part of the ledger's name. */
  readonly identity: string;
  /** Rows to expect, when known in advance (progress). */
  readonly expectedRows?: number;
  /** The time window of a workspace source (canonical datetimes, `to` exclusive). */
  readonly window?: ReadRange;
  /** Whether two source rows may share an Id (files may repeat records; a workspace does not). */
  readonly mayRepeat: boolean;
  /** Changes whenever the content (and so the plan) may have changed. */
  fingerprint(): string;
  records(onProblem: (problem: SourceProblem) => void): AsyncIterable<SourceRecord>;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The rows of one table of a local provlog workspace, in partition (day) order; with a window
 * (canonical datetimes, `to` exclusive) only the rows whose TimeGenerated falls inside it.
 */
export function workspaceSource(dir: string, table: TableName, window: ReadRange = {}): IngestSource {
  const workspace = Workspace.open(dir);
  const files = () => partitionFiles(workspace, table, window);
  const windowed = window.from !== undefined || window.to !== undefined;
  const inWindow = (time: string) =>
    (window.from === undefined || time >= window.from) && (window.to === undefined || time < window.to);
  return {
    table,
    description: `${table} of the workspace ${workspace.dir}${windowed ? ` from ${window.from ?? 'the start'} to ${window.to ?? 'the end'}` : ''}`,
    identity: `workspace:${workspace.dir}:${table}${windowed ? `:${window.from ?? ''}..${window.to ?? ''}` : ''}`,
    ...(windowed ? { window } : { expectedRows: files().reduce((n, f) => n + f.rows, 0) }),
    mayRepeat: false,
    fingerprint: () => digest(files().map((f) => [f.path, f.rows])),
    async *records() {
      for (const file of files()) {
        for (const row of tableRows(readPartitionFile(workspace, file))) {
          if (!windowed || inWindow(String(row.TimeGenerated))) yield { row };
        }
      }
    },
  };
}

/** The rows of `table` in files, read as `provlog import` reads them. */
export function fileSource(
  paths: string[],
  table: TableName,
  format: SourceFormat | 'auto' | 'la' = 'auto',
): IngestSource {
  const files = paths.map((p) => resolve(p));
  return {
    table,
    description: files.length === 1 ? files[0] : `${files.length} files`,
    identity: `files:${format}:${table}:${files.join('\n')}`,
    mayRepeat: true,
    fingerprint: () =>
      digest(
        files.map((f) => {
          const s = statSync(f);
          return [f, s.size, s.mtimeMs];
        }),
      ),
    async *records(onProblem) {
      for await (const item of readAll(files, format)) {
        if (item.kind === 'row') {
          if (item.table === table) {
            yield {
              row: item.row as unknown as Record<string, unknown>,
              origin: `${item.file}:${item.line}`,
            };
          }
        } else if (item.kind === 'reject') {
          onProblem({
            kind: 'reject',
            origin: `${item.file}:${item.line}`,
            reason: item.reason,
            excerpt: item.excerpt,
          });
        } else {
          onProblem({
            kind: 'warning',
            origin: item.line === undefined ? item.file : `${item.file}:${item.line}`,
            reason: item.message,
          });
        }
      }
    },
  };
}

/** As `provlog import` reads files: all together (portal CSV files come in groups), `la` per file. */
async function* readAll(files: string[], format: SourceFormat | 'auto' | 'la'): AsyncGenerator<SourceItem> {
  if (format !== 'la') {
    yield* readSources(files, { format });
    return;
  }
  for (const file of files) {
    yield* readSources([file], { format: file.toLowerCase().endsWith('.csv') ? 'la-csv' : 'la-json' });
  }
}

/** Rows already in memory (the benchmark compares the pipeline with a bare SDK upload of the same rows). */
export function memorySource(
  rows: readonly Record<string, unknown>[],
  table: TableName,
  name = 'memory',
): IngestSource {
  const fingerprint = digest([
    rows.length,
    rows[0]?.[TABLES[table].idColumn],
    rows.at(-1)?.[TABLES[table].idColumn],
  ]);
  return {
    table,
    description: `${rows.length} rows in memory`,
    identity: `memory:${name}:${table}`,
    expectedRows: rows.length,
    mayRepeat: false,
    fingerprint: () => fingerprint,
    async *records() {
      for (const row of rows) yield { row };
    },
  };
}
