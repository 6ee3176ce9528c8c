/**
 * The portal's "current status" of provisioning jobs, from Graph's synchronization jobs.
 *
 * Which service principals to ask (users know app names, not ids):
 * - `apps`: object ids or exact display names, resolved with `GET /servicePrincipals/{id}` or
 *   `GET /servicePrincipals?$filter=displayName eq '…'`;
 * - else discovery `graph` (default): every enterprise application
 *   (`servicePrincipals?$filter=tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')`), asking
 *   each for its jobs (most have none). Needs Application.Read.All or Directory.Read.All;
 * - or discovery `workspace`: the service principals in a local workspace's provisioning logs (the
 *   30 days before its newest event; after `provlog pull` or an import) — fewer requests, only apps
 *   that logged events.
 */
import { UserError } from '../errors.js';
import { stringColumn } from '../store/column-access.js';
import { loadTable, workspaceInfo } from '../store/reader.js';
import type { Workspace } from '../store/workspace.js';
import { type GraphClient, GraphRequestError } from './graph.js';
import type { ServicePrincipal, SynchronizationJob } from './graph-types.js';

export interface JobStatus {
  servicePrincipal: { id: string; displayName: string };
  job: SynchronizationJob;
  /** Quarantined now (status code Quarantine, or a quarantine record on a paused job). */
  quarantined: boolean;
}

export interface StatusReport {
  generatedAt: string;
  discovery: 'apps' | 'graph' | 'workspace';
  servicePrincipals: number;
  jobs: JobStatus[];
}

export interface StatusOptions {
  apps?: string[];
  discover?: 'graph' | 'workspace';
  workspace?: Workspace;
  /** Concurrent job requests (default 4). */
  concurrency?: number;
  now?: () => number;
}

export function isQuarantined(job: SynchronizationJob): boolean {
  return job.status?.code === 'Quarantine' || Boolean(job.status?.quarantine);
}

async function appsFromSpecs(client: GraphClient, specs: string[]): Promise<ServicePrincipal[]> {
  const found = new Map<string, ServicePrincipal>();
  for (const spec of specs) {
    const sps = await client.findApps(spec);
    if (sps.length === 0)
      throw new UserError(`no service principal with the id or display name ${JSON.stringify(spec)}`);
    for (const sp of sps) found.set(sp.id, sp);
  }
  return [...found.values()];
}

/** Service principals with provisioning events in the workspace's last 30 days of logs. */
export function workspaceApps(workspace: Workspace): ServicePrincipal[] {
  const seen = new Map<string, ServicePrincipal>();
  const texts = new Set<string>();
  const newest = workspaceInfo(workspace).tables.find((t) => t.table === 'AADProvisioningLogs')?.maxTime;
  if (!newest) return [];
  const from = new Date(Date.parse(newest.slice(0, 10)) - 30 * 86_400_000).toISOString().slice(0, 10);
  for (const table of loadTable(workspace, 'AADProvisioningLogs', { from })) {
    for (const batch of table.batches) {
      const column = stringColumn(batch, 'ServicePrincipal');
      for (let i = 0; i < column.length; i++) texts.add(column.get(i));
    }
  }
  for (const text of texts) {
    try {
      const sp = JSON.parse(text) as { Id?: unknown; Name?: unknown };
      if (typeof sp.Id === 'string' && sp.Id)
        seen.set(sp.Id, { id: sp.Id, displayName: String(sp.Name ?? '') });
    } catch {
      // not JSON: skip
    }
  }
  return [...seen.values()];
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function provisioningStatus(
  client: GraphClient,
  options: StatusOptions = {},
): Promise<StatusReport> {
  const now = options.now ?? Date.now;
  let discovery: StatusReport['discovery'];
  let sps: ServicePrincipal[];
  if (options.apps && options.apps.length > 0) {
    discovery = 'apps';
    sps = await appsFromSpecs(client, options.apps);
  } else if (options.discover === 'workspace') {
    if (!options.workspace) throw new UserError('--discover workspace needs a workspace (--workspace DIR)');
    discovery = 'workspace';
    sps = workspaceApps(options.workspace);
  } else {
    discovery = 'graph';
    sps = await client.enterpriseApplications();
  }
  const perSp = await mapLimited(sps, options.concurrency ?? 4, async (sp) => {
    try {
      return { sp, jobs: await client.synchronizationJobs(sp.id) };
    } catch (error) {
      // Apps without provisioning, or ones this identity may not read, are not provisioning jobs to show.
      if (
        error instanceof GraphRequestError &&
        (error.status === 403 || error.status === 404) &&
        discovery !== 'apps'
      )
        return { sp, jobs: [] };
      throw error;
    }
  });
  const jobs: JobStatus[] = [];
  for (const { sp, jobs: list } of perSp) {
    for (const job of list) {
      jobs.push({
        servicePrincipal: { id: sp.id, displayName: sp.displayName ?? '' },
        job,
        quarantined: isQuarantined(job),
      });
    }
  }
  jobs.sort(
    (a, b) =>
      a.servicePrincipal.displayName.localeCompare(b.servicePrincipal.displayName) ||
      (a.job.id < b.job.id ? -1 : 1),
  );
  return { generatedAt: new Date(now()).toISOString(), discovery, servicePrincipals: sps.length, jobs };
}
