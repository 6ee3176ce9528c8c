import { azureConnection } from '../azure/connection.js';
import { GraphClient, graphFailure } from '../azure/graph.js';
import { GRAPH_NEVER, type SynchronizationJob } from '../azure/graph-types.js';
import { type JobStatus, provisioningStatus, type StatusReport } from '../azure/status.js';
import { Workspace } from '../store/workspace.js';
import { connectionOptions } from './azure-options.js';
import type { StatusArgs } from './commands/status.js';
import { exitCodes } from './exit-codes.js';
import { printJson, safeText, textTable } from './format.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

export async function runStatus(args: StatusArgs): Promise<number> {
  const connection = await azureConnection(connectionOptions(args));
  const client = new GraphClient(connection);
  let report: StatusReport;
  try {
    report = await provisioningStatus(client, {
      apps: args.app,
      discover: args.discover,
      ...(args.discover === 'workspace' && args.app.length === 0
        ? { workspace: Workspace.open(resolveWorkspaceDir(args.workspace)) }
        : {}),
    });
  } catch (error) {
    throw graphFailure(error, 'status');
  }
  if (args.json) printJson(report);
  else printReport(report);
  return report.jobs.some((j) => j.quarantined) ? exitCodes.quarantined : exitCodes.ok;
}

/** A datetime as `yyyy-MM-dd HH:mm` (UTC), or '' for Graph's "never". */
function when(text: string | null | undefined): string {
  if (!text || text.startsWith('0001-01-01')) return '';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? safeText(text) : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function shortJobId(job: SynchronizationJob): string {
  const id = safeText(job.id ?? '');
  const parts = id.split('.');
  return parts.length >= 3 ? `${parts[0]}…${parts[parts.length - 1].slice(-8)}` : id;
}

function progressText(job: SynchronizationJob): string {
  const p = job.status?.progress?.[0];
  if (!p || !(p.totalUnits > 0)) return '';
  const share = Math.min(1, Math.max(0, p.completedUnits / p.totalUnits));
  const filled = Math.round(share * 10);
  return `[${'#'.repeat(filled)}${'-'.repeat(10 - filled)}] ${p.completedUnits}/${p.totalUnits}`;
}

function row(entry: JobStatus): string[] {
  const { job } = entry;
  const last = job.status?.lastExecution;
  return [
    safeText(entry.servicePrincipal.displayName) || entry.servicePrincipal.id,
    shortJobId(job),
    safeText(job.status?.code ?? ''),
    last ? `${when(last.timeBegan)} → ${when(last.timeEnded).slice(11)}` : '',
    last ? safeText(last.state) : '',
    last ? `${last.countExported}/${last.countEscrowed}` : '',
    progressText(job),
    when(job.status?.steadyStateLastAchievedTime ?? GRAPH_NEVER),
  ];
}

function printReport(report: StatusReport): void {
  const out = process.stdout;
  if (report.jobs.length === 0) {
    out.write(`No provisioning jobs among ${report.servicePrincipals} service principals.\n`);
    return;
  }
  out.write(
    `${textTable(
      ['APP', 'JOB', 'STATE', 'LAST CYCLE (UTC)', 'RESULT', 'EXPORTED/ESCROWED', 'PROGRESS', 'STEADY STATE'],
      report.jobs.map(row),
    )}\n`,
  );
  for (const entry of report.jobs) {
    const q = entry.job.status?.quarantine;
    if (!entry.quarantined || !q) continue;
    const app = safeText(entry.servicePrincipal.displayName) || entry.servicePrincipal.id;
    out.write(
      `\n! ${app} (${safeText(entry.job.id)}) is in quarantine: ${safeText(q.reason)}` +
        `\n    since ${when(q.seriesBegan)} (${q.seriesCount} attempt${q.seriesCount === 1 ? '' : 's'}), current ${when(q.currentBegan)}, next attempt ${when(q.nextAttempt)}` +
        (q.error ? `\n    ${safeText(q.error.code)}: ${safeText(q.error.message)}` : '') +
        '\n',
    );
  }
  const quarantined = report.jobs.filter((j) => j.quarantined).length;
  out.write(
    `\n${report.jobs.length} job${report.jobs.length === 1 ? '' : 's'}, ${quarantined} quarantined (as of ${report.generatedAt})\n`,
  );
}
