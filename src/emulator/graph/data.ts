/**
 * What the Graph routes serve: the default Log Analytics workspace's AADProvisioningLogs and AuditLogs
 * rows, sorted by time and id, with the JSON columns the filters and the job status need parsed once.
 * Reloaded when the store's catalog changes (an import commits a new one).
 */
import { statSync } from 'node:fs';
import type { AuditLogRow, ProvisioningLogRow } from '../../model/rows.js';
import { readRows } from '../../store/reader.js';
import { Workspace } from '../../store/workspace.js';
import type { EmulatorContext } from '../context.js';

export interface ProvisioningEntry {
  row: ProvisioningLogRow;
  /** Canonical TimeGenerated (text order is time order). */
  time: string;
  id: string;
  status: string;
  spId: string;
  spName: string;
  sourceId: string;
  sourceName: string;
  sourceType: string;
  targetId: string;
  targetName: string;
  targetType: string;
  sourceSystem: string;
  targetSystem: string;
  initiator: string;
  appId: string;
}

export interface AuditEntry {
  row: AuditLogRow;
  /** Written by the provisioning service (its configuration, quarantine and on-demand events). */
  provisioning: boolean;
  time: string;
  id: string;
  activity: string;
  /** Service principals among the target resources. */
  targets: { id: string; displayName: string; type: string }[];
  /** AdditionalDetails as a map (JobId, QuarantineReason, ErrorCode, SeriesCount, …). */
  details: Record<string, string>;
  initiator: string;
}

export interface GraphData {
  provisioning: ProvisioningEntry[];
  audits: AuditEntry[];
}

const EMPTY: GraphData = { provisioning: [], audits: [] };

function parseObject(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

function provisioningEntry(row: ProvisioningLogRow): ProvisioningEntry {
  const sp = parseObject(row.ServicePrincipal);
  const source = parseObject(row.SourceIdentity);
  const target = parseObject(row.TargetIdentity);
  const targetSystem = parseObject(row.TargetSystem);
  const status = parseObject(row.ProvisioningStatusInfo);
  const details = (targetSystem.details ?? {}) as Record<string, unknown>;
  return {
    row,
    time: row.TimeGenerated,
    id: row.Id,
    status: str(status.Status ?? status.status),
    spId: str(sp.Id),
    spName: str(sp.Name),
    sourceId: str(source.Id),
    sourceName: str(source.Name),
    sourceType: str(source.identityType),
    targetId: str(target.Id),
    targetName: str(target.Name),
    targetType: str(target.identityType),
    sourceSystem: str(parseObject(row.SourceSystem).Name),
    targetSystem: str(targetSystem.Name),
    initiator: str(parseObject(row.InitiatedBy).Name),
    appId: str(details.ApplicationId),
  };
}

function auditEntry(row: AuditLogRow): AuditEntry {
  const targets: AuditEntry['targets'] = [];
  if (Array.isArray(row.TargetResources)) {
    for (const t of row.TargetResources as unknown[]) {
      if (t === null || typeof t !== 'object' || Array.isArray(t)) continue;
      const r = t as Record<string, unknown>;
      targets.push({ id: str(r.id), displayName: str(r.displayName), type: str(r.type) });
    }
  }
  const details: Record<string, string> = {};
  if (Array.isArray(row.AdditionalDetails)) {
    for (const d of row.AdditionalDetails) {
      if (d !== null && typeof d === 'object' && !Array.isArray(d)) details[str(d.key)] = str(d.value);
    }
  }
  return {
    row,
    provisioning: row.LoggedByService === 'Account Provisioning' || row.Category === 'ProvisioningManagement',
    time: row.TimeGenerated,
    id: row.Id,
    activity: row.ActivityDisplayName || row.OperationName,
    targets,
    details,
    initiator: row.Identity,
  };
}

const byTimeThenId = (a: { time: string; id: string }, b: { time: string; id: string }) =>
  a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function load(store: Workspace): GraphData {
  const provisioning: ProvisioningEntry[] = [];
  for (const row of readRows(store, 'AADProvisioningLogs'))
    provisioning.push(provisioningEntry(row as unknown as ProvisioningLogRow));
  const audits: AuditEntry[] = [];
  for (const row of readRows(store, 'AuditLogs')) audits.push(auditEntry(row as unknown as AuditLogRow));
  provisioning.sort(byTimeThenId);
  audits.sort(byTimeThenId);
  return { provisioning, audits };
}

/** Keeps the loaded data of one emulator's default workspace until its catalog changes. */
export class GraphDataCache {
  private key = '';
  private data: GraphData = EMPTY;

  get(context: EmulatorContext): GraphData {
    const workspace = context.logs.get(context.identity.workspaceId);
    if (!workspace || !Workspace.exists(workspace.storeDir)) return EMPTY;
    const store = workspace.store();
    let key: string;
    try {
      const stat = statSync(store.catalogPath);
      key = `${store.dir}|${stat.mtimeMs}|${stat.size}`;
    } catch {
      return EMPTY;
    }
    if (key !== this.key) {
      this.data = load(store);
      this.key = key;
    }
    return this.data;
  }
}

/** Index of the first entry whose (time, id) is greater than (or equal to, when `inclusive`) the key. */
export function lowerBound(
  entries: readonly { time: string; id: string }[],
  time: string,
  id: string,
  inclusive: boolean,
): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = byTimeThenId(entries[mid], { time, id });
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
