/**
 * Log Analytics rows as saved by users (query API JSON, `az monitor log-analytics query -o json`,
 * JSON lines, portal CSV export) → typed rows. Values may all be text; `dynamic` cells may be JSON
 * text. `TenantId` and `_BilledSize` are kept as given.
 */
import type { TableRow } from '../rows.js';
import { type ColumnSchema, TABLES, type TableName } from '../schema.js';
import {
  derivedId,
  emptyAuditRow,
  emptyProvisioningRow,
  finishBilling,
  isObject,
  type Json,
  type JsonObject,
  longField,
  RecordError,
  show,
  stringField,
  timeField,
} from './common.js';
import type { MappedRecord } from './diagnostic.js';

const PROVISIONING_ONLY = ['JobId', 'CycleId', 'ChangeId', 'ProvisioningSteps', 'ProvisioningAction'];
const AUDIT_ONLY = ['ActivityDisplayName', 'LoggedByService', 'TargetResources', 'AADOperationType'];

/** The table a row object belongs to, from its `Type` or, failing that, the columns present. */
export function laTableOf(names: Iterable<string>, type?: Json): TableName | undefined {
  if (typeof type === 'string' && type) {
    if (type.toLowerCase() === 'aadprovisioninglogs') return 'AADProvisioningLogs';
    if (type.toLowerCase() === 'auditlogs') return 'AuditLogs';
    return undefined;
  }
  const set = new Set(names);
  if (PROVISIONING_ONLY.some((n) => set.has(n))) return 'AADProvisioningLogs';
  if (AUDIT_ONLY.some((n) => set.has(n))) return 'AuditLogs';
  return undefined;
}

export function isLaColumn(name: string): boolean {
  return (
    TABLES.AADProvisioningLogs.columns.some((c) => c.name === name) ||
    TABLES.AuditLogs.columns.some((c) => c.name === name)
  );
}

const OFFSET = /(?:Z|[+-]\d{2}:?\d{2})\s*$/i;

function cell(column: ColumnSchema, value: Json | undefined, localTime: boolean): Json {
  switch (column.type) {
    case 'datetime': {
      if (localTime && typeof value === 'string' && value !== '' && !OFFSET.test(value)) {
        throw new RecordError(
          `${column.name}: local-time export without a UTC offset; export the query with UTC times`,
        );
      }
      return timeField(column.name, value, column.name === 'TimeGenerated');
    }
    case 'long':
    case 'int':
    case 'real':
      return longField(column.name, value);
    case 'dynamic': {
      if (typeof value !== 'string') return value ?? null;
      const text = value.trim();
      if (text === '') return null;
      if (text[0] === '{' || text[0] === '[') {
        try {
          return JSON.parse(text) as Json;
        } catch {
          return value;
        }
      }
      return value;
    }
    default:
      if (column.json && (Array.isArray(value) || isObject(value))) return JSON.stringify(value);
      if (column.name === '_IsBillable') {
        if (typeof value === 'boolean') return value ? 'True' : 'False';
        if (value === undefined || value === null || value === '') return 'True';
      }
      return stringField(column.name, value);
  }
}

/**
 * One LA row object → typed row. `localTimeColumns` names datetime columns exported in local time
 * (LA CSV `[Local Time]` headers): their values are accepted only when they carry an offset.
 */
export function laObjectToRow(obj: Json, localTimeColumns?: ReadonlySet<string>): MappedRecord {
  if (!isObject(obj)) throw new RecordError(`not a JSON object: ${show(obj)}`);
  const table = laTableOf(Object.keys(obj), obj.Type);
  if (!table) {
    throw new RecordError(
      obj.Type
        ? `Type: not AADProvisioningLogs or AuditLogs: ${show(obj.Type)}`
        : 'cannot tell the table: no Type column',
    );
  }
  // Columns absent from the source get the defaults of the table (constants such as Category).
  const row = (table === 'AuditLogs' ? emptyAuditRow() : emptyProvisioningRow()) as unknown as Record<
    string,
    Json
  >;
  for (const column of TABLES[table].columns) {
    if (!(column.name in obj) && column.name !== 'TimeGenerated') continue;
    row[column.name] = cell(column, obj[column.name], localTimeColumns?.has(column.name) ?? false);
  }
  if (!row.Type) row.Type = table;
  const typed = row as unknown as TableRow;
  const idDerived = typed.Id === '';
  if (idDerived) typed.Id = derivedId(obj as JsonObject);
  return { table, row: finishBilling(typed), idDerived };
}

/** Columns + rows of a query-API table → row objects. */
export function tableRowObject(columns: readonly string[], cells: Json[]): JsonObject {
  const obj: JsonObject = {};
  columns.forEach((name, i) => {
    obj[name] = cells[i] ?? null;
  });
  return obj;
}
