/**
 * One query on one or more workspaces, answered the way the service answers: the v1 tables, the
 * statistics and render objects the client asked for, a partial error past the row limit, 204 when
 * the workspaces hold no data, 400 for a query the engine refuses, 504 past the client's wait.
 */
import { performance } from 'node:perf_hooks';
import type { TableColumns } from '../../kql/analyzer.js';
import { runQuery } from '../../kql/engine.js';
import { KqlError } from '../../kql/errors.js';
import type { QueryOutput, TableSource, TimeRange } from '../../kql/exec.js';
import { renderObject, responseJson } from '../../kql/result.js';
import { Table } from '../../kql/table.js';
import { formatTimespan } from '../../kql/text.js';
import type { Value } from '../../kql/values.js';
import { workspaceFunctions } from '../arm/saved-searches.js';
import type { EmulatorContext } from '../context.js';
import type { EmulatorReply } from '../http.js';
import type { LogWorkspace } from '../log-data.js';
import { badArgument, gatewayTimeout, queryErrorReply, resultTooLarge } from './errors.js';
import { parsePrefer } from './prefer.js';
import { intersectWindows, parseTimespan, type QueryWindow, windowRange } from './timespan.js';

export interface QueryCall {
  /** The workspace the request names first, then the body's `workspaces`. */
  workspaces: LogWorkspace[];
  query: unknown;
  /** `timespan` from the query string and from the body (either may be absent). */
  timespans: unknown[];
  prefer: string | undefined;
}

export async function answerQuery(context: EmulatorContext, call: QueryCall): Promise<EmulatorReply> {
  const started = performance.now();
  if (typeof call.query !== 'string' || call.query.trim() === '')
    return badArgument('QueryValidationError', 'The request has no query: give "query" with the KQL text.');
  const text = withWorkspaceFunctions(context, call.workspaces, call.query);
  const nowTicks = BigInt(context.now()) * 10_000n;
  let window: QueryWindow | undefined;
  for (const timespan of call.timespans) {
    if (timespan === undefined || timespan === null || timespan === '') continue;
    const parsed = typeof timespan === 'string' ? parseTimespan(timespan, nowTicks) : `not a string`;
    if (typeof parsed === 'string') return badArgument('InvalidTimespan', parsed);
    window = intersectWindows(window, parsed);
  }
  const settings = context.settings().query;
  if (settings.noContentWhenEmpty && call.workspaces.every((w) => w.isEmpty())) return { status: 204 };

  const preferences = parsePrefer(call.prefer);
  if (settings.executionDelayMs > 0) {
    const allowedMs = preferences.waitSeconds * 1000;
    await sleep(Math.min(settings.executionDelayMs, allowedMs));
    if (settings.executionDelayMs > allowedMs) return gatewayTimeout(preferences.waitSeconds);
  }
  const range = window ? windowRange(window) : undefined;
  let output: QueryOutput;
  try {
    output = runQuery(text, {
      source: unionSource(call.workspaces.map((w) => w.source(range))),
      schemas: unionSchemas(call.workspaces.map((w) => w.schemas())),
      now: nowTicks,
    });
  } catch (error) {
    if (error instanceof KqlError) return queryErrorReply(error, text);
    throw error;
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  if (elapsedSeconds > preferences.waitSeconds) return gatewayTimeout(preferences.waitSeconds);

  const limit = settings.maxResultRows;
  const truncated = output.tables.some((t) => t.table.rowCount > limit);
  const shown: QueryOutput = {
    tables: output.tables.map((t) =>
      t.table.rowCount > limit
        ? { ...t, table: t.table.select(Int32Array.from({ length: limit }, (_, i) => i)) }
        : t,
    ),
  };
  const extras: string[] = [];
  if (preferences.statistics)
    extras.push(`"statistics":${JSON.stringify(statistics(output, elapsedSeconds))}`);
  const render = preferences.render ? renderObject(output) : undefined;
  if (render)
    extras.push(`"render":${JSON.stringify(render, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
  if (truncated) extras.push(`"error":${JSON.stringify(resultTooLarge(limit))}`);
  const tablesJson = responseJson(shown);
  const body = extras.length > 0 ? `${tablesJson.slice(0, -1)},${extras.join(',')}}` : tablesJson;
  return {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(preferences.applied.length > 0 ? { 'preference-applied': preferences.applied.join(',') } : {}),
    },
    body,
  };
}

/**
 * The workspace functions (saved searches with a function alias) the query calls, defined in front of
 * it with `let`, as the service resolves them; a query's own `let` of the same name wins.
 */
function withWorkspaceFunctions(context: EmulatorContext, workspaces: LogWorkspace[], query: string): string {
  const definitions: string[] = [];
  const seen = new Set<string>();
  for (const workspace of workspaces) {
    for (const fn of workspaceFunctions(context, workspace.armId)) {
      if (seen.has(fn.name)) continue;
      seen.add(fn.name);
      const name = fn.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (!new RegExp(`\\b${name}\\b`).test(query) || new RegExp(`\\blet\\s+${name}\\b`).test(query))
        continue;
      definitions.push(`let ${fn.name} = (${fn.parameters}) {\n${fn.body}\n};\n`);
    }
  }
  return definitions.join('') + query;
}

function statistics(output: QueryOutput, elapsedSeconds: number): Record<string, unknown> {
  return {
    query: {
      executionTime: Number(elapsedSeconds.toFixed(6)),
      resourceUsage: {
        cpu: { totalCpu: formatTimespan(BigInt(Math.round(elapsedSeconds * 1e7))) },
      },
      datasetStatistics: output.tables.map((t) => ({
        tableRowCount: t.table.rowCount,
        tableSize: responseJson({ tables: [t] }).length,
      })),
    },
  };
}

/** The tables of several workspaces read as one (a cross-workspace query): rows of each, columns by name. */
function unionSource(sources: TableSource[]): TableSource {
  if (sources.length === 1) return sources[0];
  return {
    table(name: string, range?: TimeRange): Table | undefined {
      const tables = sources.flatMap((s) => {
        const t = s.table(name, range);
        return t ? [t] : [];
      });
      if (tables.length <= 1) return tables[0];
      return concatTables(tables);
    },
    prefetch(columns) {
      const list = [...columns];
      for (const s of sources) s.prefetch?.(list);
    },
  };
}

function concatTables(tables: Table[]): Table {
  const columns = [...tables[0].columns];
  for (const t of tables.slice(1))
    for (const c of t.columns) if (!columns.some((k) => k.name === c.name)) columns.push(c);
  const data: Value[][] = columns.map(() => []);
  let rowCount = 0;
  for (const t of tables) {
    columns.forEach((c, i) => {
      const from = t.indexOf(c.name);
      const values = from >= 0 ? t.data[from] : undefined;
      for (let r = 0; r < t.rowCount; r++) data[i].push(values ? values[r] : c.type === 'string' ? '' : null);
    });
    rowCount += t.rowCount;
  }
  return new Table(columns, data, rowCount);
}

function unionSchemas(lists: TableColumns[][]): TableColumns[] {
  const byName = new Map<string, TableColumns>();
  for (const list of lists)
    for (const schema of list) if (!byName.has(schema.name)) byName.set(schema.name, schema);
  return [...byName.values()];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
