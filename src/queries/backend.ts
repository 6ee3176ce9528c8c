/**
 * Where library queries run. The local backend runs them on a workspace with the embedded engine and
 * returns the Log Analytics query API's result shape, so renderers never care where a result came from.
 */
import { queryColumns, runQuery } from '../kql/engine.js';
import type { SharedFunctionResults } from '../kql/exec.js';
import { responseJson } from '../kql/result.js';
import { WorkspaceTableSource, workspaceSchemas } from '../kql/workspace-source.js';
import type { ReportSource, ResultTable } from '../reports/model.js';
import { workspaceInfo } from '../store/reader.js';
import type { Workspace } from '../store/workspace.js';
import type { QueryLibrary } from './library.js';
import { prebuiltAnalysesDir } from './prebuilt.js';

export interface QueryBackend {
  /** What the results come from, and the time range of the provisioning logs it holds. */
  describe(): ReportSource;
  /**
   * Runs KQL text; the tables of the response (the first is the query's result), each with the
   * number of rows the query returned; `maxRows` lets a backend leave out rows nobody will show.
   */
  run(text: string, options?: { maxRows?: number }): Promise<BackendTable[]>;
  /** Told the texts about to run (a report's), so data they share is fetched once. */
  prepare?(texts: readonly string[]): void;
}

export type BackendTable = ResultTable & { totalRows: number };

export interface LocalBackendOptions {
  /** The clock now() and ago() use, in ticks. */
  now: bigint;
  /** Where analyses are cached on disk between runs (the shipped queries' prebuilt ones are read too). */
  analysisCacheDir?: string;
  /** Shares the results of the library's functions between the queries of one backend. */
  library?: QueryLibrary;
}

export class LocalBackend implements QueryBackend {
  private readonly source: WorkspaceTableSource;
  private readonly shared: SharedFunctionResults | undefined;

  constructor(
    private readonly workspace: Workspace,
    private readonly options: LocalBackendOptions,
  ) {
    this.source = new WorkspaceTableSource(workspace);
    this.shared = options.library
      ? {
          names: new Set(options.library.functions.map((f) => f.name)),
          byTable: new WeakMap(),
          byRange: new Map(),
        }
      : undefined;
  }

  describe(): ReportSource {
    const logs = workspaceInfo(this.workspace).tables.find((t) => t.table === 'AADProvisioningLogs');
    return {
      kind: 'local',
      location: this.workspace.dir,
      ...(logs?.minTime ? { dataFrom: logs.minTime } : {}),
      ...(logs?.maxTime ? { dataTo: logs.maxTime } : {}),
    };
  }

  prepare(texts: readonly string[]): void {
    const columns = new Set<string>();
    for (const text of texts) for (const column of queryColumns(text, this.runOptions())) columns.add(column);
    this.source.prefetchForAll(columns);
  }

  private runOptions() {
    return {
      schemas: workspaceSchemas(),
      analysisCache: {
        prebuilt: [prebuiltAnalysesDir()],
        ...(this.options.analysisCacheDir ? { dir: this.options.analysisCacheDir } : {}),
      },
    };
  }

  async run(text: string, options: { maxRows?: number } = {}): Promise<BackendTable[]> {
    const output = runQuery(text, {
      ...this.runOptions(),
      now: this.options.now,
      source: this.source,
      ...(this.shared ? { sharedFunctions: this.shared } : {}),
    });
    const totals = output.tables.map((t) => t.table.rowCount);
    const max = options.maxRows;
    const shown =
      max === undefined
        ? output
        : {
            ...output,
            tables: output.tables.map((t) =>
              t.table.rowCount > max
                ? { ...t, table: t.table.select(Int32Array.from({ length: max }, (_, i) => i)) }
                : t,
            ),
          };
    const response = JSON.parse(responseJson(shown)) as { tables: ResultTable[] };
    return response.tables.map((t, i) => ({ columns: t.columns, rows: t.rows, totalRows: totals[i] }));
  }
}
