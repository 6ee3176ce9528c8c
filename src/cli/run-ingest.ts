import { azureConnection } from '../azure/connection.js';
import {
  DEFAULT_TARGETS,
  fileSource,
  type IngestResult,
  ingest,
  loadTarget,
  type SetupResult,
  saveTarget,
  setupIngestion,
  workspaceSource,
} from '../azure/ingest/index.js';
import { UserError } from '../errors.js';
import type { TableName } from '../model/schema.js';
import { canonicalTime } from '../model/time.js';
import { Workspace } from '../store/workspace.js';
import { connectionOptions } from './azure-options.js';
import type { IngestArgs, IngestSetupArgs } from './commands/ingest.js';
import { exitCodes } from './exit-codes.js';
import { count, printJson, safeText } from './format.js';
import { progressBar } from './progress.js';
import { expandInputs } from './run-import.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

export async function runIngest(args: IngestArgs): Promise<number> {
  const files = args.files && args.files.length > 0 ? expandInputs(args.files) : undefined;
  const workspaceDir = files ? undefined : resolveWorkspaceDir(args.workspace);
  // The target ingest setup saved in the workspace (files are sent through it too).
  const targetDir = resolveWorkspaceDir(args.workspace);
  const saved =
    args.dcrImmutableId || !Workspace.exists(targetDir) ? undefined : loadTarget(targetDir, args.table);
  const ruleId = args.dcrImmutableId ?? saved?.dcrImmutableId;
  if (!ruleId) {
    throw new UserError(
      "--dcr-immutable-id is required: the rule's immutableId (provlog ingest setup prints it, and saves it in the workspace given with --workspace)",
    );
  }
  const connection = await azureConnection(connectionOptions(args));
  // The emulator's address changes from run to run; a saved endpoint is the real service's.
  const endpoint = args.endpoint ?? connection.emulator?.url ?? saved?.endpoint;
  if (!endpoint)
    throw new UserError(
      "--endpoint is required: the rule's logs ingestion endpoint (provlog ingest setup prints it)",
    );
  const target = {
    ...DEFAULT_TARGETS[args.table],
    ...(saved ? { stream: saved.stream, customTable: saved.customTable } : {}),
  };
  const workspaceId = args.workspaceId ?? saved?.workspaceId;
  const dcrId = args.dcrId ?? saved?.dcrId;
  if (files && (args.from || args.to))
    throw new UserError('--from and --to choose rows of the workspace, not of files');
  const source = files
    ? fileSource(files, args.table, args.format)
    : workspaceSource(workspaceDir!, args.table, {
        ...(args.from ? { from: windowBound('--from', args.from) } : {}),
        ...(args.to ? { to: windowBound('--to', args.to) } : {}),
      });

  const progress = progressBar('ingesting', {
    json: args.json,
    ...(source.expectedRows !== undefined ? { total: source.expectedRows } : {}),
  });
  // Warnings go to stderr as they come (some announce a wait); a flood is cut short.
  let warnings = 0;
  const warn = (message: string) => {
    if (++warnings <= 20) process.stderr.write(`warning: ${safeText(message)}\n`);
  };
  let result: IngestResult;
  try {
    result = await ingest({
      connection,
      endpoint,
      ruleId,
      stream: args.stream ?? target.stream,
      customTable: args.customTable ?? target.customTable,
      source,
      ...(args.state ? { stateDir: args.state } : {}),
      ...(workspaceDir ? { workspaceDir } : {}),
      concurrency: args.concurrency,
      chunkBytes: args.chunkBytes,
      restart: args.restart,
      ...(workspaceId ? { workspaceId } : {}),
      ...(dcrId ? { dcrId } : {}),
      ...(args.settle !== undefined ? { settleMs: args.settle * 1000 } : {}),
      ...(args.verify
        ? {
            verify: {
              ...(args.verifyTimeout !== undefined ? { timeoutMs: args.verifyTimeout * 1000 } : {}),
              onPoll: (v) =>
                progress.update(
                  v.landedRows,
                  `verifying: ${count(v.landedRows)} of ${count(v.expectedRows)} rows landed`,
                ),
            },
          }
        : {}),
      onProgress: (p) =>
        progress.update(
          p.read,
          `sent ${count(p.sent)}${p.alreadyIngested ? ` done before ${count(p.alreadyIngested)}` : ''} chunks ${count(p.chunks)} retries ${count(p.retries)} rejected ${count(p.rejected)}`,
        ),
      warn,
    });
  } finally {
    progress.stop();
  }
  if (warnings > 20) process.stderr.write(`warning: … and ${count(warnings - 20)} more\n`);

  const { summary, verify } = result;
  if (args.json) printJson({ ...summary, ...(verify ? { verify } : {}) });
  else printSummary(result);
  if (summary.rejected > 0) {
    process.stderr.write(
      `${count(summary.rejected)} row${summary.rejected === 1 ? ' was' : 's were'} not sent; see ${summary.rejectsPath}\n`,
    );
  }
  if (verify && !verify.ok) {
    process.stderr.write(
      `verify: the workspace does not match the source on ${verify.mismatches.length} day${verify.mismatches.length === 1 ? '' : 's'} (${describeMismatches(verify.mismatches)})\n`,
    );
    return exitCodes.error;
  }
  return summary.rejected > 0 && !args.allowRejects ? exitCodes.rejects : exitCodes.ok;
}

function printSummary({ summary, verify, alreadyComplete }: IngestResult): void {
  const out = process.stdout;
  if (alreadyComplete && summary.rowsSent === 0) {
    out.write(
      `All ${count(summary.rowsAlreadyIngested)} rows of ${summary.source} were ingested before (ledger ${summary.ledger})\n`,
    );
  } else {
    out.write(`Ingested ${summary.source} into ${summary.stream} (${summary.dcrImmutableId})\n`);
  }
  out.write(
    `  read ${count(summary.rowsRead)}, sent ${count(summary.rowsSent)}, done before ${count(summary.rowsAlreadyIngested)}, found already landed ${count(summary.rowsFoundLanded)}, rejected ${count(summary.rejected)}${summary.duplicatesInSource ? `, duplicates in the source ${count(summary.duplicatesInSource)}` : ''}\n`,
  );
  out.write(
    `  ${count(summary.chunks)} chunks (${count(summary.chunksSent)} sent, ${count(summary.chunksSkipped)} done before), ${count(summary.requests)} requests, ${count(summary.retries)} retries, ${count(summary.splits)} splits, ${count(summary.unknownOutcomes)} without answer\n`,
  );
  out.write(
    `  ${summary.elapsedSeconds.toFixed(1)} s, ${count(summary.rowsPerSecond)} rows/s; ledger ${summary.ledger}\n`,
  );
  if (summary.truncatedValues > 0) {
    out.write(
      `  ${count(summary.truncatedValues)} values are longer than 64 KB; the service truncates them\n`,
    );
  }
  if (verify?.ok) {
    out.write(`Verified: ${count(verify.landedRows)} rows on ${count(verify.days)} days, as in the source\n`);
  }
}

function describeMismatches(
  mismatches: { day: string; expected: number; rows: number; distinct: number }[],
): string {
  const shown = mismatches
    .slice(0, 5)
    .map(
      (m) => `${m.day}: ${count(m.rows)} rows, ${count(m.distinct)} distinct, ${count(m.expected)} expected`,
    );
  return `${shown.join('; ')}${mismatches.length > 5 ? '; …' : ''}`;
}

export async function runIngestSetup(args: IngestSetupArgs): Promise<number> {
  const connection = await azureConnection(connectionOptions(args));
  const workspaceResourceId = args.workspaceResourceId ?? connection.emulator?.workspaceResourceId;
  if (!workspaceResourceId) throw new UserError('--workspace-resource-id is required');
  const customByTable = /_CL$/.test(args.table);
  if (!customByTable && args.table !== 'AADProvisioningLogs' && args.table !== 'AuditLogs') {
    throw new UserError(
      `--table ${args.table}: name AADProvisioningLogs, AuditLogs, or the _CL table to create`,
    );
  }
  const sourceTable: TableName = customByTable ? 'AADProvisioningLogs' : (args.table as TableName);
  const customTable = args.customTable ?? (customByTable ? args.table : undefined);
  const result = await setupIngestion(connection, {
    workspaceResourceId,
    sourceTable,
    dcrName: args.dcr,
    ...(customTable ? { customTable } : {}),
    ...(args.stream ? { stream: args.stream } : {}),
    ...(args.location ? { location: args.location } : {}),
    ...(args.resourceGroup ? { resourceGroup: args.resourceGroup } : {}),
    ...(args.retentionDays !== undefined ? { retentionInDays: args.retentionDays } : {}),
    ...(args.totalRetentionDays !== undefined ? { totalRetentionInDays: args.totalRetentionDays } : {}),
  });
  const workspaceDir = resolveWorkspaceDir(args.workspace);
  const savedIn = Workspace.exists(workspaceDir)
    ? saveTarget(workspaceDir, {
        sourceTable,
        dcrImmutableId: result.dcrImmutableId,
        dcrId: result.dcrId,
        endpoint: result.endpoint,
        stream: result.stream,
        customTable: result.table,
        workspaceId: result.workspaceId,
      })
    : undefined;
  if (args.json) {
    printJson({ ...result, ...(savedIn ? { savedIn } : {}) });
    return exitCodes.ok;
  }
  printSetup(result, sourceTable);
  if (savedIn) {
    process.stdout.write(
      `\nSaved as the target of provlog ingest and provlog pull --ingest for the workspace ${workspaceDir} (${savedIn}).\n`,
    );
  }
  return exitCodes.ok;
}

function printSetup(result: SetupResult, sourceTable: TableName): void {
  const out = process.stdout;
  out.write(`Created table ${result.table} and data collection rule ${result.dcrId}\n`);
  out.write(`  immutable id: ${result.dcrImmutableId}\n`);
  out.write(`  endpoint:     ${result.endpoint}\n`);
  out.write(`  stream:       ${result.stream}\n`);
  out.write(`  workspace id: ${result.workspaceId}\n\n`);
  out.write('Send the rows (the signed-in identity needs Monitoring Metrics Publisher on the rule):\n');
  const table = sourceTable === 'AADProvisioningLogs' ? '' : ` --table ${sourceTable}`;
  out.write(
    `  provlog ingest${table} --dcr-immutable-id ${result.dcrImmutableId} --endpoint ${result.endpoint} --stream ${result.stream} --custom-table ${result.table} --workspace-id ${result.workspaceId} --verify\n\n`,
  );
  out.write(`Workspace function ${result.functionName} (saved in the workspace; its text):\n\n`);
  out.write(`${result.functionKql}\n`);
}

function windowBound(option: string, text: string): string {
  const canonical = canonicalTime(text);
  if (!canonical) throw new UserError(`${option}: not a date or time: ${text}`);
  return canonical;
}
