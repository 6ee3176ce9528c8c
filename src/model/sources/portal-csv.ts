/**
 * The Entra admin center CSV download: three files joined on change id (§6) — the main
 * `ProvisioningLogs…csv`, `…ProvisioningSteps…csv` and `…ModifiedProperties…csv`. The real headers are
 * not published, so every header is normalised (lower case, no spaces `_` `-` `.`, no `(…)` suffix)
 * and looked up in an alias table; unknown headers are reported once per file.
 *
 * The main file is streamed; the step and modified-property files are indexed by change id in memory
 * (portal downloads stop at 250,000 records).
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ProvisioningLogRow } from '../rows.js';
import {
  applyOverlay,
  csvRecordReject,
  derivedId,
  emptyProvisioningRow,
  enumInt,
  enumText,
  excerpt,
  finishBilling,
  firstNonEmpty,
  type Json,
  type JsonObject,
  longField,
  OVERLAY_KEY,
  PROVISIONING_ACTIONS,
  RESULTS,
  STEP_TYPES,
  tenantFromJobId,
  timeField,
  titleCase,
} from './common.js';
import { type CsvValue, csvRecords, normaliseHeader } from './csv.js';
import { readHead } from './text.js';
import type { SourceItem } from './types.js';
import { SourceError } from './types.js';

export type PortalRole = 'main' | 'steps' | 'modprops';

function aliases(table: Record<string, string[]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [field, names] of Object.entries(table))
    for (const name of names) map.set(normaliseHeader(name), field);
  return map;
}

/** Canonical field → accepted headers (§6, plus the explicit headers provlog's writer uses). */
export const MAIN_HEADERS: Record<string, string[]> = {
  changeId: ['Change ID', 'ChangeId', 'Change Id'],
  activityDateTime: [
    'Date',
    'Date (UTC)',
    'activityDateTime',
    'Activity Date Time',
    'TimeGenerated',
    'Activity Date',
  ],
  id: ['Id', 'ID'],
  tenantId: ['Tenant ID', 'TenantId', 'Tenant'],
  jobId: ['Job ID', 'JobId'],
  cycleId: ['Cycle ID', 'CycleId'],
  provisioningAction: ['Provisioning Action', 'provisioningAction'],
  action: ['Action'],
  status: ['Status', 'Result', 'provisioningStatusInfo.status', 'Provisioning Status'],
  sourceIdentityId: ['Source ID', 'Source Identity ID', 'Source Object ID'],
  sourceIdentityName: ['Source Identity', 'Source Display Name', 'Source Identity Name', 'Source Name'],
  sourceIdentityType: ['Identity Type', 'Source Identity Type'],
  sourceIdentityDetails: ['Source Identity Details', 'Source Details'],
  targetIdentityId: ['Target ID', 'Target Identity ID', 'Target Object ID'],
  targetIdentityName: ['Target Identity', 'Target Display Name', 'Target Identity Name', 'Target Name'],
  targetIdentityType: ['Target Identity Type'],
  targetIdentityDetails: ['Target Identity Details', 'Target Details'],
  sourceSystemName: ['Source System', 'Source System Name'],
  sourceSystemId: ['Source System ID'],
  sourceSystemDetails: ['Source System Details'],
  targetSystemName: ['Target System', 'Target System Name'],
  targetSystemId: ['Target System ID'],
  targetSystemDetails: ['Target System Details'],
  servicePrincipalName: ['Application', 'Service Principal', 'Service Principal Name', 'Application Name'],
  servicePrincipalId: ['Service Principal ID', 'Application ID (Service Principal)'],
  initiatedByName: ['Initiated By', 'Initiated By Name', 'Initiator'],
  initiatedById: ['Initiated By ID', 'Initiator ID'],
  initiatedByType: ['Initiated By Type', 'Initiator Type'],
  errorCode: ['Error Code'],
  reason: ['Reason', 'Failure Reason', 'Error Reason'],
  additionalDetails: ['Additional Details'],
  errorCategory: ['Error Category'],
  recommendedAction: ['Recommended Action'],
  duration: ['Duration (ms)', 'Duration', 'durationInMilliseconds', 'Duration ms', 'DurationMs'],
  overlay: [OVERLAY_KEY],
};

export const STEP_HEADERS: Record<string, string[]> = {
  changeId: MAIN_HEADERS.changeId,
  id: ['Id', 'ID'],
  number: ['Step Number', 'Step', '#', 'Index'],
  name: ['Step Name', 'Name'],
  type: ['Step Type', 'Type', 'provisioningStepType'],
  status: ['Status', 'Step Status'],
  description: ['Description', 'Step Description'],
  details: ['Details', 'Step Details'],
};

export const MODPROP_HEADERS: Record<string, string[]> = {
  changeId: MAIN_HEADERS.changeId,
  id: ['Id', 'ID'],
  displayName: ['Display Name', 'Property', 'Property Name', 'Attribute', 'Name'],
  oldValue: ['Old Value'],
  newValue: ['New Value'],
};

const ALIASES: Record<PortalRole, Map<string, string>> = {
  main: aliases(MAIN_HEADERS),
  steps: aliases(STEP_HEADERS),
  modprops: aliases(MODPROP_HEADERS),
};

const REQUIRED: Record<PortalRole, string[]> = {
  main: ['changeId', 'activityDateTime'],
  steps: ['changeId', 'name'],
  modprops: ['changeId', 'displayName'],
};

/** Role of a portal CSV file from its name, else from its header line. */
export function portalRole(file: string, headerLine = ''): PortalRole {
  const name = basename(file).toLowerCase();
  if (name.includes('provisioningsteps')) return 'steps';
  if (name.includes('modifiedproperties')) return 'modprops';
  const headers = headerLine.split(',').map((h) => normaliseHeader(h.replace(/"/g, '')));
  if (headers.includes('stepname') || headers.includes('steptype')) return 'steps';
  if (headers.includes('oldvalue') || headers.includes('newvalue')) return 'modprops';
  return 'main';
}

interface Mapped {
  readonly fields: (string | undefined)[];
  readonly present: Set<string>;
}

function mapHeaders(
  file: string,
  role: PortalRole,
  header: CsvValue[],
  line: number,
): [Mapped, SourceItem | undefined] {
  const fields: (string | undefined)[] = [];
  const present = new Set<string>();
  const unknown: string[] = [];
  for (const h of header) {
    const field = ALIASES[role].get(normaliseHeader(h ?? ''));
    fields.push(field && !present.has(field) ? field : undefined);
    if (field) present.add(field);
    else if ((h ?? '').trim() !== '') unknown.push(h ?? '');
  }
  const missing = REQUIRED[role].filter((f) => !present.has(f));
  if (missing.length) {
    throw new SourceError(
      file,
      `missing required column(s) ${missing.join(', ')} (accepted headers: ${missing
        .map((f) =>
          (role === 'main' ? MAIN_HEADERS : role === 'steps' ? STEP_HEADERS : MODPROP_HEADERS)[f].join(' / '),
        )
        .join('; ')})`,
      line,
    );
  }
  const warning: SourceItem | undefined = unknown.length
    ? { kind: 'warning', file, line, message: `unknown column(s) ignored: ${unknown.join(', ')}` }
    : undefined;
  return [{ fields, present }, warning];
}

function recordObject(mapped: Mapped, values: CsvValue[]): Record<string, CsvValue> {
  const obj: Record<string, CsvValue> = {};
  mapped.fields.forEach((field, i) => {
    if (field) obj[field] = values[i] ?? null;
  });
  return obj;
}

function jsonCell(text: CsvValue): Json {
  if (text === null) return null;
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as Json;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Step / modified-property rows by change id. When the file also has an `Id` column (provlog's writer
 * adds it, since two events can share a change id) rows are matched on both.
 */
/** One step from the cells of a step row. */
export function stepValue(obj: Record<string, CsvValue>, present: Set<string>): JsonObject {
  const value: JsonObject = {};
  if (present.has('name')) value.name = obj.name;
  if (present.has('type')) value.provisioningStepType = enumInt(STEP_TYPES, obj.type);
  if (present.has('status')) value.status = enumInt(RESULTS, obj.status);
  if (present.has('description')) value.description = obj.description;
  if (present.has('details') && obj.details !== null) value.details = jsonCell(obj.details);
  return value;
}

export function modValue(obj: Record<string, CsvValue>): JsonObject {
  return { displayName: obj.displayName, oldValue: obj.oldValue ?? null, newValue: obj.newValue ?? null };
}

type Side = { rows: Map<string, { id: string; value: Json }[]>; items: SourceItem[]; byId: boolean };

function sideValues(side: Side, changeId: string, id: string): Json[] {
  const list = side.rows.get(changeId) ?? [];
  return (side.byId ? list.filter((e) => e.id === id) : list).map((e) => e.value);
}

async function readSide(file: string, role: 'steps' | 'modprops'): Promise<Side> {
  const head = await readHead(file);
  const rows = new Map<string, { id: string; value: Json }[]>();
  const items: SourceItem[] = [];
  if (head.binary) throw new SourceError(file, head.binary);
  let mapped: Mapped | undefined;
  for await (const item of csvRecords(file, head)) {
    if (item.kind === 'error') {
      items.push({ kind: 'reject', file, line: item.line, reason: item.reason, excerpt: excerpt(item.raw) });
      continue;
    }
    if (!mapped) {
      const [m, warning] = mapHeaders(file, role, item.fields, item.line);
      mapped = m;
      if (warning) items.push(warning);
      continue;
    }
    const obj = recordObject(mapped, item.fields);
    const changeId = obj.changeId ?? '';
    if (!changeId) {
      items.push({
        kind: 'reject',
        file,
        line: item.line,
        reason: 'change id: missing',
        excerpt: excerpt(item.fields.join(',')),
      });
      continue;
    }
    let value: JsonObject;
    if (role === 'steps') {
      value = {};
      if (mapped.present.has('name')) value.name = obj.name;
      if (mapped.present.has('type')) value.provisioningStepType = enumInt(STEP_TYPES, obj.type);
      if (mapped.present.has('status')) value.status = enumInt(RESULTS, obj.status);
      if (mapped.present.has('description')) value.description = obj.description;
      if (mapped.present.has('details') && obj.details !== null) value.details = jsonCell(obj.details);
    } else {
      value = {
        displayName: obj.displayName,
        oldValue: obj.oldValue ?? null,
        newValue: obj.newValue ?? null,
      };
    }
    const entry = { id: obj.id ?? '', value };
    const list = rows.get(changeId);
    if (list) list.push(entry);
    else rows.set(changeId, [entry]);
  }
  if (!mapped) items.push({ kind: 'warning', file, message: 'empty file' });
  return { rows, items, byId: mapped?.present.has('id') ?? false };
}

/** Canonical-order LA object from CSV cells; '' when every cell is absent. */
function laObject(entries: [string, Json | undefined][]): string {
  const obj: JsonObject = {};
  let any = false;
  for (const [key, value] of entries) {
    if (value === undefined || value === null) continue;
    obj[key] = value;
    any = true;
  }
  return any ? JSON.stringify(obj) : '';
}

/** The row of one main-file record; `steps` / `mods` are its joined rows (undefined: no such file). */
export function mainRow(
  obj: Record<string, CsvValue>,
  present: Set<string>,
  steps: Json[] | undefined,
  mods: Json[] | undefined,
): ProvisioningLogRow {
  const row = emptyProvisioningRow();
  const text = (key: string): string => obj[key] ?? '';
  const cell = (key: string): Json | undefined => (present.has(key) ? obj[key] : undefined);
  const details = (key: string): Json | undefined =>
    present.has(key) && obj[key] !== null ? jsonCell(obj[key]) : undefined;
  row.TimeGenerated = timeField('date', obj.activityDateTime, true);
  row.Id = text('id');
  row.ChangeId = text('changeId');
  row.CorrelationId = row.ChangeId;
  row.JobId = text('jobId');
  row.CycleId = text('cycleId');
  row.AADTenantId = firstNonEmpty(text('tenantId'), tenantFromJobId(row.JobId));
  row.DurationMs = longField('duration', obj.duration);
  row.ProvisioningAction = enumText(
    PROVISIONING_ACTIONS,
    present.has('provisioningAction') ? text('provisioningAction') : text('action'),
  );
  row.Action = present.has('action') ? text('action') : titleCase(row.ProvisioningAction);
  const status = enumText(RESULTS, text('status'));
  const errorKeys = ['errorCode', 'reason', 'additionalDetails', 'errorCategory', 'recommendedAction'];
  const hasError = errorKeys.some((k) => obj[k] !== null && obj[k] !== undefined);
  const errorInformation: Json = hasError
    ? Object.fromEntries(errorKeys.map((k) => [k, obj[k] ?? null]))
    : null;
  if (status || hasError) row.ProvisioningStatusInfo = JSON.stringify({ Status: status, errorInformation });
  if (status) row.StatusInfo = JSON.stringify({ Status: enumInt(RESULTS, status) });
  row.ResultType = titleCase(status);
  row.ResultSignature = text('errorCode');
  row.ResultDescription = text('reason');
  row.InitiatedBy = laObject([
    ['Type', cell('initiatedByType')],
    ['Id', cell('initiatedById')],
    ['Name', cell('initiatedByName')],
  ]);
  row.ServicePrincipal = laObject([
    ['Id', cell('servicePrincipalId')],
    ['Name', cell('servicePrincipalName')],
  ]);
  for (const side of ['source', 'target'] as const) {
    const system = laObject([
      ['details', details(`${side}SystemDetails`)],
      ['Id', cell(`${side}SystemId`)],
      ['Name', cell(`${side}SystemName`)],
    ]);
    const identity = laObject([
      ['identityType', cell(`${side}IdentityType`)],
      ['details', details(`${side}IdentityDetails`)],
      ['Id', cell(`${side}IdentityId`)],
      ['Name', cell(`${side}IdentityName`)],
    ]);
    if (side === 'source') {
      row.SourceSystem = system;
      row.SourceIdentity = identity;
    } else {
      row.TargetSystem = system;
      row.TargetIdentity = identity;
    }
  }
  if (steps) row.ProvisioningSteps = JSON.stringify(steps);
  if (mods) row.ModifiedProperties = JSON.stringify(mods);
  if (obj.overlay) applyOverlay('AADProvisioningLogs', row, jsonCell(obj.overlay));
  return row;
}

/** A main file with the step and modified-property files that belong to it. */
export interface PortalGroup {
  readonly main: string;
  steps?: string;
  modprops?: string;
}

/** Looks in the main file's folder for its step / modified-property files. */
export async function findSiblings(group: PortalGroup): Promise<void> {
  if (group.steps && group.modprops) return;
  const folder = dirname(group.main);
  const stem = basename(group.main, extname(group.main)).toLowerCase();
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => n.toLowerCase().endsWith('.csv'));
  } catch {
    return;
  }
  const pick = (token: string): string | undefined => {
    const candidates = names.filter((n) => n.toLowerCase().includes(token));
    const own = candidates.filter((n) => n.toLowerCase().startsWith(stem));
    const chosen = own.length === 1 ? own[0] : candidates.length === 1 ? candidates[0] : undefined;
    return chosen ? join(folder, chosen) : undefined;
  };
  group.steps ??= pick('provisioningsteps');
  group.modprops ??= pick('modifiedproperties');
}

/** Reads one portal CSV group into provisioning rows. */
export async function* readPortalCsv(group: PortalGroup): AsyncGenerator<SourceItem> {
  const steps = group.steps ? await readSide(group.steps, 'steps') : undefined;
  const mods = group.modprops ? await readSide(group.modprops, 'modprops') : undefined;
  if (steps) yield* steps.items;
  if (mods) yield* mods.items;
  const file = group.main;
  const head = await readHead(file);
  if (head.binary) throw new SourceError(file, head.binary);
  let mapped: Mapped | undefined;
  let derived = 0;
  for await (const item of csvRecords(file, head)) {
    if (item.kind === 'error') {
      yield { kind: 'reject', file, line: item.line, reason: item.reason, excerpt: excerpt(item.raw) };
      continue;
    }
    if (!mapped) {
      const [m, warning] = mapHeaders(file, 'main', item.fields, item.line);
      mapped = m;
      if (warning) yield warning;
      continue;
    }
    const obj = recordObject(mapped, item.fields);
    try {
      const id = obj.id ?? '';
      const changeId = obj.changeId ?? '';
      const row = mainRow(
        obj,
        mapped.present,
        steps && sideValues(steps, changeId, id),
        mods && sideValues(mods, changeId, id),
      );
      if (!row.Id) {
        row.Id = derivedId(obj as unknown as Json);
        derived++;
      }
      yield { kind: 'row', table: 'AADProvisioningLogs', row: finishBilling(row), file, line: item.line };
    } catch (error) {
      yield csvRecordReject(file, item.line, item.fields, error);
    }
  }
  if (derived) yield derivedWarning(file, derived);
}

export function derivedWarning(file: string, count: number): SourceItem {
  return {
    kind: 'warning',
    file,
    message: `${count} record(s) had no id: each was given an id derived from a hash of its content`,
  };
}
