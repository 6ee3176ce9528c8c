/**
 * Deterministic synthetic Entra tenant: provisioning jobs of several kinds, their cycles and events
 * (AADProvisioningLogs rows) and the AuditLogs events of the provisioning service, with ground truth
 * of what was injected.
 */

import type { AuditLogRow, ProvisioningLogRow } from '../model/rows.js';
import { formatCanonical, parseTime } from '../model/time.js';
import { type AppDef, type GeneratedApp, makeApps } from './apps.js';
import { auditRows } from './audit.js';
import { ERRORS } from './errors.js';
import { makeGroups, makeUsers } from './names.js';
import { Rng } from './rng.js';
import { ACTION_OF_KIND, DAY, K, makePlan, type Plan, RESULT_NAMES, Simulation } from './scenarios.js';
import { Renderer } from './steps.js';

export type { AppKind, GeneratedApp } from './apps.js';

export interface GenerateOptions {
  seed: number;
  users: number;
  apps: number;
  days: number;
  /** End of the window: ISO or any form parseTime accepts. */
  end: string;
  /** Log Analytics workspace id (the TenantId column); default a GUID derived from the seed. */
  workspaceId?: string;
}

export interface GroundTruth {
  tenantId: string;
  workspaceId: string;
  start: string;
  end: string;
  apps: GeneratedApp[];
  rowCount: number;
  auditCount: number;
  byResult: Record<string, number>;
  /** By ProvisioningAction. */
  byAction: Record<string, number>;
  /** By service principal name. */
  byApp: Record<string, number>;
  /** Failures (ResultType Failure) by ResultSignature. */
  failuresByCode: Record<string, number>;
  quarantines: Array<{
    servicePrincipalId: string;
    jobId: string;
    began: string;
    ended: string | null;
    reason: string;
    errorCode: string;
  }>;
  stagedDeletes: number;
  unresolvedReferences: number;
  fakeServicePrincipalEvents: number;
  /** Display names of the awkward users that appear in the rows. */
  awkwardUsers: string[];
}

export interface GeneratedTenant {
  options: Required<GenerateOptions>;
  tenantId: string;
  apps: GeneratedApp[];
  /** Rows in TimeGenerated order, streamed day by day (memory bounded by one day). */
  provisioningRows(): Generator<ProvisioningLogRow>;
  auditRows(): AuditLogRow[];
  /** Computed by running the simulation (cheap counters), consistent with the rows. */
  truth(): GroundTruth;
}

const TENANT_NAMES = [
  'contoso',
  'fabrikam',
  'northwind',
  'adatum',
  'woodgrove',
  'tailspin',
  'litware',
  'wingtip',
];
const PARTNERS = ['Fabrikam', 'Adventure Works', 'Proseware', 'Lamna', 'Relecloud', 'Trey Research'];

function positiveInt(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || Math.floor(value) !== value || value < min)
    throw new RangeError(`generateTenant: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export function generateTenant(options: GenerateOptions): GeneratedTenant {
  const seed = Number(options.seed);
  if (!Number.isFinite(seed))
    throw new RangeError(`generateTenant: seed must be a number, got ${options.seed}`);
  const userCount = positiveInt('users', options.users, 1);
  const appCount = positiveInt('apps', options.apps, 1);
  if (!(options.days > 0)) throw new RangeError(`generateTenant: days must be > 0, got ${options.days}`);
  const endTime = parseTime(options.end);
  if (!endTime) throw new RangeError(`generateTenant: end is not a datetime: ${options.end}`);

  const rng = new Rng(seed, 1);
  const tenantId = rng.guid();
  const workspaceId = options.workspaceId ?? rng.guid();
  const tenantName = TENANT_NAMES[rng.int(TENANT_NAMES.length)];
  const partner = PARTNERS[rng.int(PARTNERS.length)];
  const domain = `${tenantName}${rng.range(10, 99)}.onmicrosoft.com`;
  const windowMs = Math.round(options.days * DAY);
  const startMs = endTime.epochMs - windowMs;
  const startSub = endTime.subMsTicks;
  const start = formatCanonical({ epochMs: startMs, subMsTicks: startSub });
  const end = formatCanonical(endTime);

  const users = makeUsers(new Rng(seed, 2), userCount, domain);
  const groups = makeGroups(new Rng(seed, 3), Math.max(4, Math.round(userCount / 25)));
  const apps: AppDef[] = makeApps(new Rng(seed, 4), appCount, tenantId, tenantName, partner, windowMs);
  const plan: Plan = makePlan(apps, userCount, windowMs);
  const publicApps = apps.map((a) => ({ ...a.public }));
  const resolved: Required<GenerateOptions> = {
    seed,
    users: userCount,
    apps: appCount,
    days: options.days,
    end: options.end,
    workspaceId,
  };
  const simulation = () => new Simulation(seed, apps, users, groups, plan);
  const at = (offsetMs: number) => formatCanonical({ epochMs: startMs + offsetMs, subMsTicks: startSub });

  function* provisioningRows(): Generator<ProvisioningLogRow> {
    const sim = simulation();
    const renderer = new Renderer(
      { tenantId, workspaceId, domain, startMs, startSub, apps, users, groups },
      new Rng(seed, 5),
    );
    while (!sim.done) {
      const events = sim.day();
      for (let i = 0; i < events.length; i++) yield renderer.render(events[i]);
    }
  }

  function audit(): AuditLogRow[] {
    return auditRows(
      { tenantId, workspaceId, domain, startMs, startSub, apps, users, plan },
      new Rng(seed, 6),
    );
  }

  function truth(): GroundTruth {
    const sim = simulation();
    const byResult: Record<string, number> = {};
    const byAction: Record<string, number> = {};
    const byApp: Record<string, number> = {};
    const failuresByCode: Record<string, number> = {};
    const bump = (counts: Record<string, number>, key: string) => {
      counts[key] = (counts[key] ?? 0) + 1;
    };
    const seen = new Uint8Array(users.length);
    let rowCount = 0;
    let stagedDeletes = 0;
    let unresolvedReferences = 0;
    let fakeServicePrincipalEvents = 0;
    while (!sim.done) {
      for (const ev of sim.day()) {
        rowCount++;
        bump(byResult, RESULT_NAMES[ev.result]);
        bump(byAction, ACTION_OF_KIND[ev.kind]);
        bump(byApp, apps[ev.app].spName);
        if (ev.result === 1) bump(failuresByCode, ev.err ? ERRORS[ev.err].errorCode : '(no code)');
        if (ev.kind === K.staged) stagedDeletes++;
        else if (ev.kind === K.fakeSp) fakeServicePrincipalEvents++;
        else if (ev.kind === K.groupMembers) {
          if (ev.err === 'unresolvedReference') unresolvedReferences++;
        } else if (ev.kind !== K.groupCreate) seen[ev.obj] = 1;
      }
    }
    const quarantines: GroundTruth['quarantines'] = [];
    const W = plan.windowMs;
    const q = plan.quarantine;
    if (q && q.quarantineAt < W) {
      const app = apps[q.app];
      quarantines.push({
        servicePrincipalId: app.spId,
        jobId: app.jobId,
        began: at(q.quarantineAt),
        ended: q.liftAt < W ? at(q.liftAt) : null,
        reason: 'EncounteredQuarantineException',
        errorCode: ERRORS.credential.errorCode,
      });
    }
    const s = plan.staged;
    if (s && s.quarantineAt < W) {
      const app = apps[s.app];
      quarantines.push({
        servicePrincipalId: app.spId,
        jobId: app.jobId,
        began: at(s.quarantineAt),
        ended: s.approveAt < W ? at(s.approveAt) : null,
        reason: 'TooManyDeletes',
        errorCode: 'TooManyDeletes',
      });
    }
    return {
      tenantId,
      workspaceId,
      start,
      end,
      apps: publicApps.map((a) => ({ ...a })),
      rowCount,
      auditCount: audit().length,
      byResult,
      byAction,
      byApp,
      failuresByCode,
      quarantines,
      stagedDeletes,
      unresolvedReferences,
      fakeServicePrincipalEvents,
      awkwardUsers: users.filter((u) => u.awkward && seen[u.index]).map((u) => u.displayName),
    };
  }

  return {
    options: resolved,
    tenantId,
    apps: publicApps,
    provisioningRows,
    auditRows: audit,
    truth,
  };
}
