import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { nowTicks } from '../kql/engine.js';
import { formatDatetime } from '../kql/text.js';
import { LocalBackend, type QueryBackend } from '../queries/backend.js';
import { loadLibrary, type QueryLibrary } from '../queries/library.js';
import { parameterTexts } from '../queries/prepare.js';
import { ChartThread } from '../reports/chart-thread.js';
import { loadReports, type ReportDefinition } from '../reports/definition.js';
import type { ReportResult } from '../reports/model.js';
import { renderCsv } from '../reports/render-csv.js';
import { renderHtml } from '../reports/render-html.js';
import { renderMarkdown } from '../reports/render-markdown.js';
import { type ReportRunOptions, runReport } from '../reports/run.js';
import { writeFileAtomic } from '../store/fsutil.js';
import { Workspace } from '../store/workspace.js';
import { analysisCacheDir } from './cache-dir.js';
import type { ReportListArgs, ReportRunArgs } from './commands/report.js';
import { exitCodes } from './exit-codes.js';
import { printJson, textTable } from './format.js';
import type { RemoteArgs } from './remote-workspace.js';
import { applyTimeRange, timeRangeText } from './time-options.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

export async function runReportList(args: ReportListArgs): Promise<number> {
  const reports = loadReports();
  if (args.json) {
    printJson(
      reports.map((r) => ({
        id: r.id,
        version: r.version,
        title: r.title,
        description: r.description,
        parameters: r.parameters,
      })),
    );
    return exitCodes.ok;
  }
  process.stdout.write(
    `${textTable(
      ['id', 'version', 'title', 'parameters'],
      reports.map((r) => [
        r.id,
        r.version,
        r.title,
        r.parameters.map((p) => (p.default === undefined ? `${p.name} (required)` : p.name)).join(', '),
      ]),
    )}\n`,
  );
  return exitCodes.ok;
}

function findReport(id: string): ReportDefinition {
  const report = loadReports().find((r) => r.id === id);
  if (!report) throw new UserError(`no report named ${id} (see provlog report list)`);
  return report;
}

function openWorkspace(dir: string): Workspace {
  try {
    return Workspace.open(dir);
  } catch (error) {
    throw new UserError(`cannot open the workspace ${dir}: ${(error as Error).message}`);
  }
}

interface ReportOptions {
  now?: string;
  params?: readonly string[];
  timeRange?: string;
  onSection?: ReportRunOptions['onSection'];
}

/** Runs a report on a local workspace and returns the result (for the CLI and the demo). */
export async function runLocalReport(
  reportId: string,
  workspaceDir: string,
  options: ReportOptions,
): Promise<ReportResult> {
  return runReportOn(
    reportId,
    async (library, now) =>
      new LocalBackend(openWorkspace(workspaceDir), { now, library, analysisCacheDir: analysisCacheDir() }),
    options,
  );
}

/** Runs a report on a Log Analytics workspace (`--workspace-id`). */
async function runRemoteReport(
  reportId: string,
  args: RemoteArgs & { workspaceId: string },
  options: ReportOptions,
): Promise<ReportResult> {
  const { openRemoteBackend, remoteError } = await import('./open-remote-backend.js');
  try {
    return await runReportOn(
      reportId,
      (_library, now) => openRemoteBackend(args, now, { dataRange: true }),
      options,
    );
  } catch (error) {
    throw remoteError(error, args.workspaceId);
  }
}

async function runReportOn(
  reportId: string,
  backendFor: (library: QueryLibrary, now: bigint) => Promise<QueryBackend>,
  options: ReportOptions,
): Promise<ReportResult> {
  const report = findReport(reportId);
  const now = nowTicks(options.now);
  const texts = parameterTexts(options.params ?? []);
  applyTimeRange(texts, report.parameters, options.timeRange, `report ${report.id}`);
  const library = loadLibrary();
  const backend = await backendFor(library, now);
  return runReport(report, {
    library,
    backend,
    params: texts,
    now,
    ...(options.onSection ? { onSection: options.onSection } : {}),
  });
}

export async function runReportCommand(args: ReportRunArgs): Promise<number> {
  const now = formatDatetime(nowTicks(args.now));
  // Vega loads on the other core while the queries run.
  const charts = args.format === 'html' ? new ChartThread() : undefined;
  try {
    const options: ReportOptions = {
      now,
      params: args.param,
      timeRange: timeRangeText(args, now),
      ...(charts ? { onSection: (section) => charts.start(section) } : {}),
    };
    const result =
      args.workspaceId !== undefined
        ? await runRemoteReport(args.report, { ...args, workspaceId: args.workspaceId }, options)
        : await runLocalReport(args.report, resolveWorkspaceDir(args.workspace), options);
    for (const warning of result.warnings) process.stderr.write(`provlog: warning: ${warning}\n`);
    const written = await writeReport(result, args.format, args.output, charts);
    if (args.json && written.length > 0)
      printJson({ report: result.report.id, files: written, warnings: result.warnings });
    else for (const file of written) process.stdout.write(`${file}\n`);
    return exitCodes.ok;
  } finally {
    await charts?.close();
  }
}

/** Writes the rendered report; returns the files written (none when it went to stdout). */
export async function writeReport(
  result: ReportResult,
  format: ReportRunArgs['format'],
  output: string | undefined,
  charts?: ChartThread,
): Promise<string[]> {
  if (format === 'csv') {
    if (!output || output === '-')
      throw new UserError('csv writes one file per section: give a folder with -o DIR');
    const dir = resolve(output);
    mkdirSync(dir, { recursive: true });
    return renderCsv(result).map((file) => {
      const path = join(dir, file.fileName);
      writeFileAtomic(path, file.text);
      return path;
    });
  }
  const text =
    format === 'html'
      ? await renderHtml(result, charts ? { drawChart: (table, chart) => charts.render(table, chart) } : {})
      : format === 'md'
        ? renderMarkdown(result)
        : `${JSON.stringify(result, null, 2)}\n`;
  const target = output ?? (format === 'html' ? `${result.report.id}.html` : '-');
  if (target === '-') {
    process.stdout.write(text);
    return [];
  }
  const path = resolve(target);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
  return [path];
}
