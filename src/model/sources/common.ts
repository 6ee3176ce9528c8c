/**
 * Helpers shared by the source readers and writers: enum tables, datetime and number coercion,
 * tenant-id recovery, key renaming with the key order of the real records, and row completion.
 */
import { createHash } from 'node:crypto';
import { billedSize } from '../billing.js';
import type { AuditLogRow, DynamicValue, ProvisioningLogRow } from '../rows.js';
import { TABLES, type TableName } from '../schema.js';
import { canonicalTime } from '../time.js';
import type { SourceReject } from './types.js';

export type Json = DynamicValue;
export type JsonObject = { [key: string]: Json };

/** A record-level problem: becomes a SourceReject with this one-line reason. */
export class RecordError extends Error {}

export const EXCERPT_MAX = 200;

/** The reject for a CSV record a mapper refused (a RecordError); other errors are bugs and rethrown. */
export function csvRecordReject(
  file: string,
  line: number,
  fields: readonly (string | null)[],
  error: unknown,
): SourceReject {
  if (!(error instanceof RecordError)) throw error;
  return { kind: 'reject', file, line, reason: error.message, excerpt: excerpt(fields.join(',')) };
}

export function excerpt(text: string): string {
  const oneLine = text.length > EXCERPT_MAX * 2 ? text.slice(0, EXCERPT_MAX * 2) : text;
  const flat = oneLine.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_MAX ? flat.slice(0, EXCERPT_MAX) : flat;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short JSON-ish rendering of a bad value for a reason text. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---- enums -------------------------------------------------------------------------------------

export const STEP_TYPES = ['import', 'scoping', 'matching', 'processing', 'referenceResolution', 'export'];
export const RESULTS = ['success', 'failure', 'skipped', 'warning'];
export const PROVISIONING_ACTIONS = ['other', 'create', 'delete', 'disable', 'update', 'stagedDelete'];

/** Per member list: lower-case text → the first member with that lower case. */
const MEMBER_INDEX = new WeakMap<readonly string[], Map<string, string>>();

function canonicalMember(members: readonly string[], text: string): string | undefined {
  let index = MEMBER_INDEX.get(members);
  if (!index) {
    index = new Map();
    for (const m of members) if (!index.has(m.toLowerCase())) index.set(m.toLowerCase(), m);
    MEMBER_INDEX.set(members, index);
  }
  return index.get(text.trim().toLowerCase());
}

/** Enum text → canonical camelCase member (case-insensitive); unknown text is kept as given. */
export function enumText(members: readonly string[], value: Json | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < members.length) {
    return members[value];
  }
  const text = String(value);
  if (text === '') return '';
  return canonicalMember(members, text) ?? text;
}

/** Enum value → its integer (as in the LA / diagnostic JSON); unknown text is kept as given. */
export function enumInt(members: readonly string[], value: Json | undefined): Json {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return value ?? null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const member = canonicalMember(members, value);
  return member === undefined ? value : members.indexOf(member);
}

export function titleCase(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : '';
}

// ---- scalar coercion ----------------------------------------------------------------------------

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * True when the text is already canonical (`yyyy-MM-ddTHH:mm:ss.fffffffZ`) and a valid time that
 * canonicalTime gives back unchanged (years from 1000, seconds up to 59): the common case, checked
 * without the regex and date arithmetic.
 */
function isPlainCanonical(text: string): boolean {
  if (text.length !== 28) return false;
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(27) !== 90 // Z
  )
    return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month])) return false;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  return digitsAt(text, 20, 7) >= 0;
}

/** Datetime text → canonical, or a RecordError naming the field. */
export function timeField(field: string, value: Json | undefined, required: true): string;
export function timeField(field: string, value: Json | undefined, required: boolean): string | null;
export function timeField(field: string, value: Json | undefined, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new RecordError(`${field}: missing`);
    return null;
  }
  if (typeof value !== 'string') throw new RecordError(`${field}: not a datetime: ${show(value)}`);
  if (isPlainCanonical(value)) return value;
  // LA portal CSV writes `5/2/2024, 10:15:07.123 AM`: drop the comma after the date.
  const text = value.replace(/^(\d{1,2}\/\d{1,2}\/\d{4}),\s*/, '$1 ');
  const canonical = canonicalTime(text);
  if (canonical === undefined) throw new RecordError(`${field}: not a datetime: ${show(value)}`);
  return canonical;
}

/** A long column (number or numeric text); null when absent or empty. */
export function longField(field: string, value: Json | undefined): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(value))
    return Number(value);
  throw new RecordError(`${field}: not a number: ${show(value)}`);
}

/** A string column: numbers and booleans become text, objects are refused. */
export function stringField(field: string, value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RecordError(`${field}: not a string: ${show(value)}`);
}

export function objectField(field: string, value: Json | undefined): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new RecordError(`${field}: not an object: ${show(value)}`);
  return value;
}

export function arrayField(field: string, value: Json | undefined): Json[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new RecordError(`${field}: not an array: ${show(value)}`);
  return value;
}

// ---- tenant ids ---------------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_IN_RESOURCE =
  /\/tenants\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;

export function tenantFromResourceId(resourceId: string): string {
  return TENANT_IN_RESOURCE.exec(resourceId)?.[1] ?? '';
}

/** `{template}.{tenantNoDashes}.{guid}` → the tenant GUID with dashes re-inserted. */
export function tenantFromJobId(jobId: string): string {
  const part = jobId.split('.')[1] ?? '';
  if (!/^[0-9a-f]{32}$/i.test(part)) return '';
  return `${part.slice(0, 8)}-${part.slice(8, 12)}-${part.slice(12, 16)}-${part.slice(16, 20)}-${part.slice(20)}`;
}

export function firstNonEmpty(...values: string[]): string {
  return values.find((v) => v !== '') ?? '';
}

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/**
 * The id given to a record that has none (the time-format corner-case records carry only `time` and
 * `category`): a GUID-shaped hash of the record's compact JSON, so that importing the same file twice
 * dedupes on it.
 */
export function derivedId(record: Json): string {
  const hex = createHash('sha256').update(JSON.stringify(record)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// ---- nested objects ------------------------------------------------------------------------------

/** Kinds of the identity-like objects and their key order in the real diagnostic records (§3.1). */
export type IdentityKind = 'initiator' | 'servicePrincipal' | 'system' | 'identity';

const LA_ORDER: Record<IdentityKind, readonly string[]> = {
  initiator: ['Type', 'Id', 'Name'],
  servicePrincipal: ['Id', 'Name'],
  system: ['details', 'Id', 'Name'],
  identity: ['identityType', 'details', 'Id', 'Name'],
};

const GRAPH_ORDER: Record<IdentityKind, readonly string[]> = {
  initiator: ['id', 'displayName', 'initiatorType'],
  servicePrincipal: ['id', 'displayName'],
  system: ['id', 'displayName', 'details'],
  identity: ['id', 'displayName', 'identityType', 'details'],
};

const TO_LA: Record<string, string> = {
  id: 'Id',
  displayName: 'Name',
  initiatorType: 'Type',
  initiatingType: 'Type',
};
const TO_GRAPH: Record<string, string> = { Id: 'id', Name: 'displayName', Type: 'initiatorType' };

/**
 * A Graph (camelCase) or LA (PascalCase) identity-like object → the LA object. Graph objects get the
 * key order of the real records (known keys first in that order, unknown keys after, as given);
 * objects already in LA form keep their own key order.
 */
export function toLaIdentity(kind: IdentityKind, value: JsonObject): JsonObject {
  // (for…in over these plain JSON objects visits the same keys, in the same order, as Object.keys.)
  let graphStyle = false;
  for (const key in value) {
    if (key in TO_LA) {
      graphStyle = true;
      break;
    }
  }
  const initiator = kind === 'initiator';
  const renamed: JsonObject = {};
  for (const key in value) {
    const v = value[key];
    const name = TO_LA[key] ?? (key === 'type' && initiator ? 'Type' : key);
    renamed[name] = name === 'Type' && initiator && typeof v === 'string' ? initiatorType(v) : v;
  }
  if (!graphStyle) return renamed;
  const ordered: JsonObject = {};
  const order = LA_ORDER[kind];
  for (let i = 0; i < order.length; i++) {
    const key = order[i];
    if (key in renamed) ordered[key] = renamed[key];
  }
  for (const key in renamed) if (!(key in ordered)) ordered[key] = renamed[key];
  return ordered;
}

const INITIATOR_TYPES = ['user', 'application', 'system'];

function initiatorType(text: string): string {
  return canonicalMember(INITIATOR_TYPES, text) ?? text;
}

/** LA identity-like object → Graph camelCase object in Graph's key order. */
export function toGraphIdentity(kind: IdentityKind, value: JsonObject): JsonObject {
  const renamed: JsonObject = {};
  for (const [key, v] of Object.entries(value)) renamed[TO_GRAPH[key] ?? key] = v;
  const ordered: JsonObject = {};
  for (const key of GRAPH_ORDER[kind]) if (key in renamed) ordered[key] = renamed[key];
  for (const [key, v] of Object.entries(renamed)) if (!(key in ordered)) ordered[key] = v;
  return ordered;
}

/** Steps with integer type/status (LA form); other keys and the key order are kept. */
export function toLaSteps(steps: Json[]): Json[] {
  const result: Json[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!isObject(step)) {
      result.push(step);
      continue;
    }
    const out: JsonObject = {};
    for (const key in step) {
      const v = step[key];
      if (key === 'provisioningStepType') out[key] = enumInt(STEP_TYPES, v);
      else if (key === 'status') out[key] = enumInt(RESULTS, v);
      else out[key] = v;
    }
    result.push(out);
  }
  return result;
}

export function toGraphSteps(steps: Json[]): Json[] {
  return steps.map((step) => {
    if (!isObject(step)) return step;
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(step)) {
      if (key === 'provisioningStepType' || key === 'status') {
        out[key] = typeof v === 'number' ? enumText(key === 'status' ? RESULTS : STEP_TYPES, v) : v;
      } else out[key] = v;
    }
    return out;
  });
}

/** `{status|Status, errorInformation}` → LA `{"Status":"<lower>","errorInformation":…}`, order kept. */
export function toLaStatusInfo(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key in value) {
    const v = value[key];
    if (key === 'status' || key === 'Status') out.Status = enumText(RESULTS, v);
    else out[key] = v;
  }
  return out;
}

/**
 * Legacy `statusInfo` → `{"Status":n}`. The beta failure subtype `statusDetails` also carries the
 * error fields; LA keeps only the status there (the error is in ProvisioningStatusInfo).
 */
export function toLaLegacyStatus(value: JsonObject): JsonObject {
  return { Status: enumInt(RESULTS, value.Status ?? value.status ?? null) };
}

export function jsonText(value: Json | undefined): string {
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

/** Parses a JSON-string column of a row (writers); '' → null. */
export function parseColumn(text: string): Json {
  if (text === '') return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

// ---- rows -----------------------------------------------------------------------------------------

export function emptyProvisioningRow(): ProvisioningLogRow {
  return {
    TimeGenerated: '',
    TenantId: '',
    AADTenantId: '',
    Type: 'AADProvisioningLogs',
    Category: 'ProvisioningLogs',
    OperationName: 'Provisioning activity',
    OperationVersion: '1.0',
    Id: '',
    JobId: '',
    CycleId: '',
    ChangeId: '',
    CorrelationId: '',
    DurationMs: null,
    ProvisioningAction: '',
    Action: '',
    ResultType: '',
    ResultSignature: '',
    ResultDescription: '',
    InitiatedBy: '',
    ServicePrincipal: '',
    SourceSystem: '',
    TargetSystem: '',
    SourceIdentity: '',
    TargetIdentity: '',
    ModifiedProperties: '',
    ProvisioningSteps: '',
    ProvisioningStatusInfo: '',
    StatusInfo: '',
    _BilledSize: null,
    _IsBillable: 'True',
  };
}

export function emptyAuditRow(): AuditLogRow {
  return {
    TimeGenerated: '',
    TenantId: '',
    SourceSystem: 'Azure AD',
    ResourceId: '',
    OperationName: '',
    OperationVersion: '1.0',
    Category: '',
    ResultType: '',
    ResultSignature: '',
    ResultDescription: '',
    DurationMs: null,
    CorrelationId: '',
    Resource: '',
    ResourceGroup: '',
    ResourceProvider: '',
    Identity: '',
    Level: '',
    Location: '',
    AdditionalDetails: null,
    Id: '',
    InitiatedBy: null,
    LoggedByService: '',
    Result: '',
    ResultReason: '',
    TargetResources: null,
    AADTenantId: '',
    ActivityDisplayName: '',
    ActivityDateTime: null,
    AADOperationType: '',
    Type: 'AuditLogs',
    _BilledSize: null,
    _IsBillable: 'True',
  };
}

/** Resource / ResourceGroup / ResourceProvider as Azure derives them from `/…/providers/{rp}`. */
export function resourceParts(resourceId: string): string {
  return /\/providers\/([^/]+)/i.exec(resourceId)?.[1] ?? '';
}

/** `_BilledSize` from the source when it had one, else computed. */
export function finishBilling<T extends ProvisioningLogRow | AuditLogRow>(row: T): T {
  if (row._BilledSize === null) row._BilledSize = billedSize(row);
  return row;
}

// ---- the provlog column overlay -----------------------------------------------------------------

/**
 * Name of the property (an OData-style instance annotation, ignored by other readers) in which
 * provlog's writers put the LA columns a source shape cannot carry or would derive differently
 * (e.g. an empty legacy Action, a ResultDescription that is not the error reason, the tenant of a
 * directoryAudit event). Real exports never have it; with it, writer → reader is lossless.
 */
export const OVERLAY_KEY = '@provlog.columns';

function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  return a === b || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Sets the overlay's columns on a freshly mapped row (before billing); validates their types. */
export function applyOverlay(
  table: TableName,
  row: ProvisioningLogRow | AuditLogRow,
  overlay: Json | undefined,
): void {
  if (overlay === undefined || overlay === null) return;
  if (!isObject(overlay)) throw new RecordError(`${OVERLAY_KEY}: not an object: ${show(overlay)}`);
  const target = row as unknown as Record<string, Json>;
  for (const [name, value] of Object.entries(overlay)) {
    const column = TABLES[table].columns.find((c) => c.name === name);
    if (!column || name === 'TenantId') continue;
    const field = `${OVERLAY_KEY}.${name}`;
    switch (column.type) {
      case 'datetime':
        target[name] = timeField(field, value, name === 'TimeGenerated');
        break;
      case 'long':
      case 'int':
      case 'real':
        target[name] = longField(field, value);
        break;
      case 'dynamic':
        target[name] = value;
        break;
      default:
        if (typeof value !== 'string') throw new RecordError(`${field}: not a string: ${show(value)}`);
        target[name] = value;
    }
  }
}

/**
 * The overlay a writer must add so that reading `readBack` (the row the reader derives from the
 * written object, without overlay) gives `row` again. TenantId is never carried.
 */
export function overlayFor(
  table: TableName,
  row: ProvisioningLogRow | AuditLogRow,
  readBack: ProvisioningLogRow | AuditLogRow,
): JsonObject | undefined {
  const source = row as unknown as Record<string, Json>;
  const back = readBack as unknown as Record<string, Json>;
  const overlay: JsonObject = {};
  for (const { name } of TABLES[table].columns) {
    if (name === 'TenantId' || name === '_BilledSize') continue;
    if (!sameValue(source[name], back[name])) overlay[name] = source[name] ?? null;
  }
  if (row._BilledSize !== null) {
    const final = { ...readBack, ...overlay, TenantId: '', _BilledSize: null } as
      | ProvisioningLogRow
      | AuditLogRow;
    if (billedSize(final) !== row._BilledSize) overlay._BilledSize = row._BilledSize;
  }
  return Object.keys(overlay).length ? overlay : undefined;
}
