/**
 * Library queries and reports run on a Log Analytics workspace. Results come back in the same shape
 * and encodings as the local backend's, so every output format is identical for the same rows.
 *
 * The clock: the service's now() is its own, so each query's `now()` and `ago()` calls are replaced by
 * the run's clock as datetime literals (`--now`, or the time the command started) — the same clock the
 * local engine uses. The request's timespan is wide (the Unix epoch to a day past the later of that
 * clock and the real one) so it never cuts rows the query's own time filters would keep; the library
 * queries bound their time ranges themselves.
 */
import type { AzureConnection } from '../azure/connection.js';
import { type LogsAnswer, LogsQuery, type QueryTimeInterval } from '../azure/logs-query.js';
import { outputFromApi } from '../azure/query-result.js';
import type { AnalysisCacheOptions } from '../kql/analysis-cache.js';
import type { QueryOutput } from '../kql/exec.js';
import { responseJson } from '../kql/result.js';
import { Table } from '../kql/table.js';
import { formatDatetimeFull, parseDatetime } from '../kql/text.js';
import { toKType } from '../kql/values.js';
import { workspaceSchemas } from '../kql/workspace-source.js';
import type { ReportSource, ResultTable } from '../reports/model.js';
import type { BackendTable, QueryBackend } from './backend.js';
import { analyseForClock, withFixedClock } from './fixed-clock.js';

export interface RemoteBackendOptions {
  connection: AzureConnection;
  /** The workspace's GUID (customerId), or its ARM resource id. */
  workspace: string;
  /** The clock now() and ago() use, in ticks. */
  now: bigint;
  /** Where analyses are cached (the clock rewrite analyses each query). */
  analysisCache?: AnalysisCacheOptions;
  /** Told when the service returns a partial result. */
  onWarning?: (message: string) => void;
  /** Passed to the SDK client (tests turn retries down). */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number };
}

const DAY_MS = 86_400_000;

export class RemoteBackend implements QueryBackend {
  private readonly client: LogsQuery;
  private source: ReportSource;

  constructor(private readonly options: RemoteBackendOptions) {
    this.client = new LogsQuery(
      options.connection,
      options.retryOptions ? { retryOptions: options.retryOptions } : {},
    );
    this.source = { kind: 'log-analytics', location: options.workspace };
  }

  describe(): ReportSource {
    return this.source;
  }

  /** Asks the workspace the time range of its provisioning logs, for describe(). */
  async loadDataRange(): Promise<void> {
    const answer = await this.client.query(
      this.options.workspace,
      'AADProvisioningLogs | summarize min(TimeGenerated), max(TimeGenerated)',
      this.timespan(),
    );
    const row = answer.tables[0]?.rows[0];
    const from = typeof row?.[0] === 'string' ? parseDatetime(row[0]) : null;
    const to = typeof row?.[1] === 'string' ? parseDatetime(row[1]) : null;
    // As the local catalog writes them: seven fraction digits.
    if (from !== null && to !== null)
      this.source = { ...this.source, dataFrom: formatDatetimeFull(from), dataTo: formatDatetimeFull(to) };
  }

  /** Wide enough never to cut what the query's own filters keep (see the module comment). */
  private timespan(): QueryTimeInterval {
    const nowMs = Number(this.options.now / 10_000n);
    return { startTime: new Date(0), endTime: new Date(Math.max(nowMs, Date.now()) + DAY_MS) };
  }

  /** Runs KQL text on the workspace and gives the engine's output shape (tables and render). */
  async output(text: string): Promise<QueryOutput> {
    const schemas = workspaceSchemas();
    const analysis = analyseForClock(text, schemas, this.options.analysisCache);
    const answer = await this.client.query(
      this.options.workspace,
      withFixedClock(text, this.options.now, analysis),
      this.timespan(),
      { includeRender: true },
    );
    this.warnIfPartial(answer);
    if (answer.status === 'empty') {
      // 204: no data at all. The local engine would still give the result's columns.
      const columns = (analysis.columns ?? []).map((c) => ({ name: c.name, type: toKType(c.type) }));
      return { tables: [{ name: 'PrimaryResult', table: Table.empty(columns) }] };
    }
    return outputFromApi(answer.tables, answer.render);
  }

  async run(text: string, options: { maxRows?: number } = {}): Promise<BackendTable[]> {
    const output = await this.output(text);
    const totals = output.tables.map((t) => t.table.rowCount);
    const max = options.maxRows;
    const shown: QueryOutput = {
      tables: output.tables.map((t) =>
        max !== undefined && t.table.rowCount > max
          ? { ...t, table: t.table.select(Int32Array.from({ length: max }, (_, i) => i)) }
          : t,
      ),
    };
    // Through the same encoder as the local backend, so cells are encoded identically.
    const response = JSON.parse(responseJson(shown)) as { tables: ResultTable[] };
    return response.tables.map((t, i) => ({ columns: t.columns, rows: t.rows, totalRows: totals[i] }));
  }

  private warnIfPartial(answer: LogsAnswer): void {
    if (answer.status !== 'partial') return;
    let message = answer.partialError?.message ?? 'some results are missing';
    for (let e = answer.partialError; e; e = e.innererror ?? e.details?.[0])
      if (e.message) message = e.message;
    this.options.onWarning?.(`Log Analytics returned a partial result: ${message}`);
  }
}
