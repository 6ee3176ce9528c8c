/**
 * Writers: rows → source files, the reverse of the readers (used by the synthetic generator and the
 * round-trip tests). Everything is streamed to disk record by record; `rows` / `audit` are iterated
 * once each.
 *
 * Round trip: `readSources(writeSourceFile(rows))` gives back the input rows in every column except
 * `TenantId`, which only `la-json` carries (the others come back with ""; the workspace stamps its id).
 *
 * How: each writer emits the real shape of its source (Graph v1.0 / beta objects, diagnostic records,
 * portal CSV trio), computes what the reader will derive from it, and puts only the columns that
 * differ in an `@provlog.columns` property (an OData-style instance annotation; a column of that name
 * in the portal CSV). Rows consistent with real data need nothing there, except `_BilledSize` when it
 * is not billedSize(row). Typical contents: an empty legacy `Action` or a `StatusInfo` that does not
 * follow the status (Graph v1.0 derives them), a `ResultType` that disagrees with the status (Graph
 * and the portal derive it), JSON key orders other than the real records' canonical order (Graph and
 * portal CSV rebuild those objects), ProvisioningSteps / ModifiedProperties "" (portal CSV gives
 * "[]"), and for AuditLogs through Graph everything a directoryAudit lacks (tenant, ResourceId,
 * Resource*, Level, Location, DurationMs, ResultSignature, a ResultDescription that is not the
 * resultReason). Real exports never carry the annotation, so importing them is unaffected.
 *
 * Limits: the portal CSV download has no audit events (audit rows are not written); it joins steps
 * and modified properties on change id + id, so one event (same Id and ChangeId) must appear once.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { AuditLogRow, ProvisioningLogRow } from '../rows.js';
import { TABLES } from '../schema.js';
import {
  enumText,
  finishBilling,
  isObject,
  type Json,
  OVERLAY_KEY,
  overlayFor,
  parseColumn,
  RESULTS,
  STEP_TYPES,
} from './common.js';
import { type CsvValue, csvLine } from './csv.js';
import { auditRowToDiagnostic, provisioningRowToDiagnostic } from './diagnostic.js';
import { auditRowToGraph, GRAPH_AUDIT_CONTEXT, GRAPH_CONTEXT, provisioningRowToGraph } from './graph.js';
import { mainRow, modValue, stepValue } from './portal-csv.js';

export type WritableFormat = 'la-json' | 'diagnostic' | 'graph' | 'portal-json' | 'portal-csv';

/** A file written chunk by chunk, honouring back-pressure; opened on first write. */
class Out {
  private stream: WriteStream | undefined;
  constructor(readonly path: string) {}
  get opened(): boolean {
    return this.stream !== undefined;
  }
  async write(text: string): Promise<void> {
    if (!this.stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path, { encoding: 'utf8' });
    }
    if (!this.stream.write(text)) {
      const stream = this.stream;
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        stream.once('error', onError);
        stream.once('drain', () => {
          stream.off('error', onError);
          resolve();
        });
      });
    }
  }
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
}

function sibling(path: string, suffix: string, ext: string): string {
  const stem = basename(path, extname(path));
  return join(dirname(path), `${stem}${suffix}${ext}`);
}

/** Row object with the columns in schema order. */
function laObject(
  row: ProvisioningLogRow | AuditLogRow,
  table: 'AADProvisioningLogs' | 'AuditLogs',
): Record<string, Json> {
  const source = row as unknown as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const column of TABLES[table].columns) out[column.name] = source[column.name] ?? null;
  return out;
}

/**
 * Writes rows in a source format and returns the paths written. `la-json` and `diagnostic` write one
 * JSON-lines file with both tables; `graph` and `portal-json` write the provisioning objects to
 * `outPath` and the audit events to `<stem>.audit.json` (only when there are any); `portal-csv` writes
 * `outPath` plus `<stem>_ProvisioningSteps.csv` and `<stem>_ModifiedProperties.csv`.
 */
export async function writeSourceFile(
  format: WritableFormat,
  rows: Iterable<ProvisioningLogRow>,
  audit: Iterable<AuditLogRow>,
  outPath: string,
): Promise<string[]> {
  switch (format) {
    case 'la-json':
    case 'diagnostic': {
      const out = new Out(outPath);
      try {
        for (const row of rows) {
          const value =
            format === 'la-json' ? laObject(row, 'AADProvisioningLogs') : provisioningRowToDiagnostic(row);
          await out.write(`${JSON.stringify(value)}\n`);
        }
        for (const row of audit) {
          const value = format === 'la-json' ? laObject(row, 'AuditLogs') : auditRowToDiagnostic(row);
          await out.write(`${JSON.stringify(value)}\n`);
        }
        if (!out.opened) await out.write('');
      } finally {
        await out.close();
      }
      return [outPath];
    }
    case 'graph':
    case 'portal-json':
      return writeGraph(format, rows, audit, outPath);
    case 'portal-csv':
      return writePortalCsv(rows, outPath);
    default:
      throw new Error(`cannot write format ${String(format)}`);
  }
}

async function writeGraph(
  format: 'graph' | 'portal-json',
  rows: Iterable<ProvisioningLogRow>,
  audit: Iterable<AuditLogRow>,
  outPath: string,
): Promise<string[]> {
  const beta = format === 'portal-json';
  // graph: a v1.0 page, one element per line; portal-json: one minified array.
  const open = (context: string) => (beta ? '[' : `{"@odata.context":${JSON.stringify(context)},"value":[\n`);
  const sep = beta ? ',' : ',\n';
  const close = beta ? ']' : '\n]}\n';
  const paths = [outPath];
  const main = new Out(outPath);
  try {
    await main.write(open(GRAPH_CONTEXT));
    let first = true;
    for (const row of rows) {
      await main.write(`${first ? '' : sep}${JSON.stringify(provisioningRowToGraph(row, beta))}`);
      first = false;
    }
    await main.write(close);
  } finally {
    await main.close();
  }
  const auditPath = sibling(outPath, '.audit', '.json');
  const side = new Out(auditPath);
  try {
    let first = true;
    for (const row of audit) {
      if (first) await side.write(open(GRAPH_AUDIT_CONTEXT));
      await side.write(`${first ? '' : sep}${JSON.stringify(auditRowToGraph(row))}`);
      first = false;
    }
    if (!first) {
      await side.write(close);
      paths.push(auditPath);
    }
  } finally {
    await side.close();
  }
  return paths;
}

/** Main-file columns of the portal CSV writer: header and the reader's canonical field. */
const MAIN_COLUMNS: [string, string][] = [
  ['Date', 'activityDateTime'],
  ['Id', 'id'],
  ['Tenant ID', 'tenantId'],
  ['Job ID', 'jobId'],
  ['Cycle ID', 'cycleId'],
  ['Change ID', 'changeId'],
  ['Action', 'action'],
  ['Provisioning Action', 'provisioningAction'],
  ['Status', 'status'],
  ['Source Identity Type', 'sourceIdentityType'],
  ['Source ID', 'sourceIdentityId'],
  ['Source Display Name', 'sourceIdentityName'],
  ['Source Identity Details', 'sourceIdentityDetails'],
  ['Target Identity Type', 'targetIdentityType'],
  ['Target ID', 'targetIdentityId'],
  ['Target Display Name', 'targetIdentityName'],
  ['Target Identity Details', 'targetIdentityDetails'],
  ['Source System', 'sourceSystemName'],
  ['Source System ID', 'sourceSystemId'],
  ['Source System Details', 'sourceSystemDetails'],
  ['Target System', 'targetSystemName'],
  ['Target System ID', 'targetSystemId'],
  ['Target System Details', 'targetSystemDetails'],
  ['Application', 'servicePrincipalName'],
  ['Service Principal ID', 'servicePrincipalId'],
  ['Initiated By', 'initiatedByName'],
  ['Initiated By ID', 'initiatedById'],
  ['Initiated By Type', 'initiatedByType'],
  ['Error Code', 'errorCode'],
  ['Reason', 'reason'],
  ['Additional Details', 'additionalDetails'],
  ['Error Category', 'errorCategory'],
  ['Recommended Action', 'recommendedAction'],
  ['Duration (ms)', 'duration'],
  [OVERLAY_KEY, 'overlay'],
];
const STEP_COLUMNS: [string, string][] = [
  ['Change ID', 'changeId'],
  ['Id', 'id'],
  ['Step Number', 'number'],
  ['Step Name', 'name'],
  ['Step Type', 'type'],
  ['Status', 'status'],
  ['Description', 'description'],
  ['Details', 'details'],
];
const MODPROP_COLUMNS = ['Change ID', 'Id', 'Display Name', 'Old Value', 'New Value'];

type Cell = string | number | null;

function text(value: Json | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function objectCells(column: string, keys: string[]): Cell[] {
  const value = parseColumn(column);
  if (!isObject(value)) return keys.map(() => null);
  return keys.map((key) => {
    if (!(key in value)) return null;
    const v = value[key];
    if (key === 'details') return JSON.stringify(v);
    return text(v);
  });
}

/** Cells → the reader's field object (as the CSV parser would give them back). */
function fieldsOf(columns: [string, string][], cells: Cell[]): [Record<string, CsvValue>, Set<string>] {
  const obj: Record<string, CsvValue> = {};
  columns.forEach(([, field], i) => {
    const v = cells[i];
    obj[field] = v === null || v === undefined ? null : String(v);
  });
  return [obj, new Set(columns.map(([, field]) => field))];
}

function mainCells(row: ProvisioningLogRow): Cell[] {
  const psi = parseColumn(row.ProvisioningStatusInfo);
  const status = isObject(psi) ? text(psi.Status) : null;
  const error = isObject(psi) && isObject(psi.errorInformation) ? psi.errorInformation : undefined;
  const errorCells = ['errorCode', 'reason', 'additionalDetails', 'errorCategory', 'recommendedAction'].map(
    (k) => (error ? text(error[k]) : null),
  );
  const identity = ['identityType', 'details', 'Id', 'Name'];
  const [srcType, srcDetails, srcId, srcName] = objectCells(row.SourceIdentity, identity);
  const [tgtType, tgtDetails, tgtId, tgtName] = objectCells(row.TargetIdentity, identity);
  const [ssDetails, ssId, ssName] = objectCells(row.SourceSystem, ['details', 'Id', 'Name']);
  const [tsDetails, tsId, tsName] = objectCells(row.TargetSystem, ['details', 'Id', 'Name']);
  const [spId, spName] = objectCells(row.ServicePrincipal, ['Id', 'Name']);
  const [inType, inId, inName] = objectCells(row.InitiatedBy, ['Type', 'Id', 'Name']);
  return [
    row.TimeGenerated,
    row.Id,
    row.AADTenantId,
    row.JobId,
    row.CycleId,
    row.ChangeId,
    row.Action,
    row.ProvisioningAction,
    status,
    srcType,
    srcId,
    srcName,
    srcDetails,
    tgtType,
    tgtId,
    tgtName,
    tgtDetails,
    ssName,
    ssId,
    ssDetails,
    tsName,
    tsId,
    tsDetails,
    spName,
    spId,
    inName,
    inId,
    inType,
    ...errorCells,
    row.DurationMs,
    null,
  ];
}

async function writePortalCsv(rows: Iterable<ProvisioningLogRow>, outPath: string): Promise<string[]> {
  const stepsPath = sibling(outPath, '_ProvisioningSteps', '.csv');
  const modsPath = sibling(outPath, '_ModifiedProperties', '.csv');
  const main = new Out(outPath);
  const steps = new Out(stepsPath);
  const mods = new Out(modsPath);
  try {
    await main.write(csvLine(MAIN_COLUMNS.map(([header]) => header)));
    await steps.write(csvLine(STEP_COLUMNS.map(([header]) => header)));
    await mods.write(csvLine(MODPROP_COLUMNS));
    for (const row of rows) {
      const stepRows: Cell[][] = [];
      const stepList = parseColumn(row.ProvisioningSteps);
      if (Array.isArray(stepList)) {
        let n = 0;
        for (const step of stepList) {
          n++;
          if (!isObject(step)) continue;
          const type = step.provisioningStepType;
          const stepStatus = step.status;
          stepRows.push([
            row.ChangeId,
            row.Id,
            n,
            text(step.name),
            typeof type === 'number' ? enumText(STEP_TYPES, type) : text(type),
            typeof stepStatus === 'number' ? enumText(RESULTS, stepStatus) : text(stepStatus),
            text(step.description),
            'details' in step ? JSON.stringify(step.details) : null,
          ]);
        }
      }
      const modRows: Cell[][] = [];
      const modList = parseColumn(row.ModifiedProperties);
      if (Array.isArray(modList)) {
        for (const mod of modList) {
          if (isObject(mod))
            modRows.push([
              row.ChangeId,
              row.Id,
              text(mod.displayName),
              text(mod.oldValue),
              text(mod.newValue),
            ]);
        }
      }
      // What the reader will make of these cells; the difference goes in the overlay column.
      const cells = mainCells(row);
      const [obj, present] = fieldsOf(MAIN_COLUMNS, cells);
      const readBack = mainRow(
        obj,
        present,
        stepRows.map((cellsOfStep) => stepValue(...fieldsOf(STEP_COLUMNS, cellsOfStep))),
        modRows.map(([, , displayName, oldValue, newValue]) =>
          modValue({ displayName: text(displayName), oldValue: text(oldValue), newValue: text(newValue) }),
        ),
      );
      finishBilling(readBack);
      const overlay = overlayFor('AADProvisioningLogs', row, readBack);
      cells[cells.length - 1] = overlay ? JSON.stringify(overlay) : null;
      await main.write(csvLine(cells));
      for (const cellsOfStep of stepRows) await steps.write(csvLine(cellsOfStep));
      for (const cellsOfMod of modRows) await mods.write(csvLine(cellsOfMod));
    }
  } finally {
    await main.close();
    await steps.close();
    await mods.close();
  }
  return [outPath, stepsPath, modsPath];
}
