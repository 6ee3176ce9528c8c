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

function timeCell(column: ColumnSchema, value: Json | undefined, localTime: boolean): Json {
  if (localTime && typeof value === 'string' && value !== '' && !OFFSET.test(value)) {
    throw new RecordError(
      `${column.name}: local-time export without a UTC offset; export the query with UTC times`,
    );
  }
  return timeField(column.name, value, column.name === 'TimeGenerated');
}

function dynamicCell(_column: ColumnSchema, value: Json | undefined): Json {
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

function jsonStringCell(column: ColumnSchema, value: Json | undefined): Json {
  if (Array.isArray(value) || isObject(value)) return JSON.stringify(value);
  return stringField(column.name, value);
}

function billableCell(column: ColumnSchema, value: Json | undefined): Json {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === undefined || value === null || value === '') return 'True';
  return stringField(column.name, value);
}

function plainStringCell(column: ColumnSchema, value: Json | undefined): Json {
  return stringField(column.name, value);
}

function numberCell(column: ColumnSchema, value: Json | undefined): Json {
  return longField(column.name, value);
}

/** The cell converter of a column, by its type. */
function cellFunction(column: ColumnSchema): string {
  switch (column.type) {
    case 'datetime':
      return 'timeCell';
    case 'long':
    case 'int':
    case 'real':
      return 'numberCell';
    case 'dynamic':
      return 'dynamicCell';
    default:
      if (column.json) return 'jsonStringCell';
      return column.name === '_IsBillable' ? 'billableCell' : 'plainStringCell';
  }
}

type RowFiller = (obj: JsonObject, row: Record<string, Json>, local: ReadonlySet<string> | undefined) => void;

/**
 * Sets the cells of a row from an LA row object, column by column in the order of the table; columns
 * absent from the object keep the row's defaults (except TimeGenerated, which is required). Compiled
 * once per table so that every column is a plain property access (the objects of a file share their
 * shape), instead of a lookup by a computed name.
 */
function compileFiller(table: TableName): RowFiller {
  const columns = TABLES[table].columns;
  const lines = columns.map((column, i) => {
    const key = JSON.stringify(column.name);
    const local = column.type === 'datetime' ? `, local !== undefined && local.has(${key})` : '';
    const set = `row[${key}] = ${cellFunction(column)}(columns[${i}], obj[${key}]${local});`;
    return column.name === 'TimeGenerated' ? set : `if (${key} in obj) ${set}`;
  });
  const factory = new Function(
    'columns',
    'timeCell',
    'numberCell',
    'dynamicCell',
    'jsonStringCell',
    'billableCell',
    'plainStringCell',
    `'use strict';\nreturn function fill(obj, row, local) {\n${lines.join('\n')}\n};`,
  );
  return factory(
    columns,
    timeCell,
    numberCell,
    dynamicCell,
    jsonStringCell,
    billableCell,
    plainStringCell,
  ) as RowFiller;
}

const FILLERS: Record<TableName, RowFiller> = {
  AADProvisioningLogs: compileFiller('AADProvisioningLogs'),
  AuditLogs: compileFiller('AuditLogs'),
};

function tableOfObject(obj: JsonObject): TableName | undefined {
  const type = obj.Type;
  // The usual spellings first, without lower-casing.
  if (type === 'AADProvisioningLogs') return 'AADProvisioningLogs';
  if (type === 'AuditLogs') return 'AuditLogs';
  if (typeof type === 'string' && type) return laTableOf([], type);
  return laTableOf(Object.keys(obj), type);
}

/**
 * One LA row object → typed row. `localTimeColumns` names datetime columns exported in local time
 * (LA CSV `[Local Time]` headers): their values are accepted only when they carry an offset.
 */
export function laObjectToRow(obj: Json, localTimeColumns?: ReadonlySet<string>): MappedRecord {
  if (!isObject(obj)) throw new RecordError(`not a JSON object: ${show(obj)}`);
  const table = tableOfObject(obj);
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
  FILLERS[table](obj, row, localTimeColumns);
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
