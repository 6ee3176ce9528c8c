import type { AzureConnection } from '../azure/connection.js';
import { azureConnection } from '../azure/connection.js';
import { GraphClient, graphFailure, REPORTS_LIMIT } from '../azure/graph.js';
import { type PacerOptions, RequestPacer } from '../azure/graph-pacer.js';
import type { IngestResult } from '../azure/ingest/index.js';
import { type PullSummary, pullProvisioningLogs } from '../azure/pull/pull.js';
import { UserError } from '../errors.js';
import { parseTime } from '../model/time.js';
import { parseDuration } from '../queries/time-range.js';
import { Workspace } from '../store/workspace.js';
import { connectionOptions } from './azure-options.js';
import type { PullArgs } from './commands/pull.js';
import { exitCodes } from './exit-codes.js';
import { count, printJson, safeText } from './format.js';
import { progressBar } from './progress.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

const TICKS_PER_MS = 10_000n;

function durationMs(text: string, option: string): number {
  const ticks = parseDuration(text.trim());
  if (ticks === null || ticks < 0n)
    throw new UserError(`${option}: not a duration: ${text} (use e.g. 7d, 24h, P30D)`);
  return Number(ticks / TICKS_PER_MS);
}

function timeMs(text: string, option: string): number {
  const parsed = parseTime(text);
  if (!parsed)
    throw new UserError(`${option}: not a datetime: ${text} (use ISO 8601, e.g. 2026-01-01T00:00:00Z)`);
  return parsed.epochMs;
}

/** The window [from, to) in epoch ms. */
export function pullWindow(
  args: Pick<PullArgs, 'since' | 'from' | 'to'>,
  now: number,
): { from: number; to: number } {
  if (args.from !== undefined) {
    const from = timeMs(args.from, '--from');
    const to = args.to !== undefined ? timeMs(args.to, '--to') : now;
    if (to <= from) throw new UserError(`--to (${args.to}) is not after --from (${args.from})`);
    return { from, to };
  }
  const since = durationMs(args.since ?? '30d', '--since');
  if (since <= 0) throw new UserError('--since must be a positive duration');
  return { from: now - since, to: now };
}

/** The request limit to pace at: --rate, the emulator's own setting, or Graph's published one. */
async function pacing(
  connection: AzureConnection,
  client: GraphClient,
  rate: string | undefined,
): Promise<PacerOptions> {
  if (rate !== undefined) {
    const m = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(rate.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0)
      throw new UserError(`--rate: use REQUESTS/SECONDS, e.g. 5/10 (got ${rate})`);
    return { limit: Number(m[1]), windowMs: Number(m[2]) * 1000 };
  }
  if (connection.emulator) {
    const settings = await client.get<{ graph?: { requestsPerWindow?: number; windowSeconds?: number } }>(
      '/_emulator/settings',
    );
    const { requestsPerWindow, windowSeconds } = settings.graph ?? {};
    if (requestsPerWindow && windowSeconds)
      return { limit: requestsPerWindow, windowMs: windowSeconds * 1000 };
  }
  return REPORTS_LIMIT;
}

async function servicePrincipalFor(client: GraphClient, app: string): Promise<string> {
  const sps = await client.findApps(app);
  if (sps.length === 0)
    throw new UserError(`--app: no service principal with the id or display name ${JSON.stringify(app)}`);
  if (sps.length > 1)
    throw new UserError(
      `--app: ${sps.length} service principals are named ${JSON.stringify(app)}; give one of their ids: ${sps.map((s) => s.id).join(', ')}`,
    );
  return sps[0].id;
}

export async function runPull(args: PullArgs): Promise<number> {
  const window = pullWindow(args, Date.now());
  const overlapMs = durationMs(args.overlap, '--overlap');
  const connection = await azureConnection(connectionOptions(args));
  const workspace = Workspace.open(resolveWorkspaceDir(args.workspace), { create: true });
  let summary: PullSummary;
  const progress = progressBar('pulling', { json: args.json, unit: 'events' });
  // Everything committed so far stays; the state file says where to continue.
  const interrupted = () => {
    progress.stop();
    process.stderr.write('provlog: pull interrupted; run the same command again to resume\n');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    let client = new GraphClient(connection, { pacer: new RequestPacer(REPORTS_LIMIT) });
    const limits = await pacing(connection, client, args.rate);
    if (limits !== REPORTS_LIMIT) client = new GraphClient(connection, { pacer: new RequestPacer(limits) });
    const servicePrincipalId = args.app ? await servicePrincipalFor(client, args.app) : undefined;
    summary = await pullProvisioningLogs({
      workspace,
      client,
      filter: {
        api: args.api,
        ...(servicePrincipalId ? { servicePrincipalId } : {}),
        ...(args.job ? { jobId: args.job } : {}),
      },
      from: window.from,
      to: window.to,
      overlapMs,
      pageSize: args.pageSize,
      batchRows: args.commitRows,
      onProgress: (p) =>
        progress.update(
          p.received,
          `added ${count(p.added)} dup ${count(p.duplicates)} | ${p.requests} requests${p.throttled ? `, ${p.throttled} throttled` : ''}${p.at ? ` | at ${p.at.slice(0, 16)}` : ''}`,
        ),
    });
  } catch (error) {
    throw graphFailure(error, 'pull');
  } finally {
    process.off('SIGINT', interrupted);
    progress.stop();
  }
  if (args.json && !args.ingest) printJson(summary);
  else if (!args.json) printSummary(summary);
  for (const warning of summary.warnings) process.stderr.write(`warning: ${safeText(warning)}\n`);
  if (summary.rejected > 0)
    process.stderr.write(
      `${count(summary.rejected)} events were rejected; see ${summary.rejectsPaths.join(', ')}\n`,
    );
  if (args.ingest) {
    const { ingestPulledWindow } = await import('./pull-ingest.js');
    const sending = progressBar('ingesting', { json: args.json, unit: 'rows' });
    let sent: IngestResult;
    try {
      sent = await ingestPulledWindow(connection, workspace.dir, window, (rows, read) =>
        sending.update(read, `sent ${count(rows)}`),
      );
    } finally {
      sending.stop();
    }
    const s = sent.summary;
    if (args.json) printJson({ ...summary, ingest: s });
    else
      process.stdout.write(
        `Ingested the window: read ${count(s.rowsRead)}, sent ${count(s.rowsSent)}, already in Log Analytics ${count(s.rowsAlreadyIngested + s.rowsFoundLanded)}, rejected ${count(s.rejected)}\n`,
      );
    if (s.rejected > 0) return exitCodes.rejects;
  }
  return exitCodes.ok;
}

function printSummary(s: PullSummary): void {
  const out = process.stdout;
  const what = [`Graph ${s.filter.api}`];
  if (s.filter.servicePrincipalId) what.push(`service principal ${s.filter.servicePrincipalId}`);
  if (s.filter.jobId) what.push(`job ${safeText(s.filter.jobId)}`);
  out.write(
    `Pulled from ${what.join(', ')} into ${s.workspace}${s.resumed ? ' (resumed an interrupted pull)' : ''}\n`,
  );
  if (s.ranges.length === 0)
    out.write('  nothing to pull: the window is already complete in the workspace\n');
  for (const r of s.ranges) out.write(`  ${r.from} → ${r.to}\n`);
  out.write(
    `  ${count(s.requests)} requests, ${count(s.pages)} pages${s.throttled ? `, ${count(s.throttled)} throttled (429)` : ''}, ${(s.elapsedMs / 1000).toFixed(1)} s\n`,
  );
  out.write(
    `  read ${count(s.read)}, added ${count(s.added)}, duplicate ${count(s.duplicates)}, rejected ${count(s.rejected)}\n`,
  );
  if (s.complete.length > 0)
    out.write(`  complete in the workspace: ${s.complete.map((c) => `${c.from} → ${c.to}`).join(', ')}\n`);
}
