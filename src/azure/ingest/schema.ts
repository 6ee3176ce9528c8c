/**
 * The custom (`_CL`) table a backfill writes to, derived from the built-in table's schema
 * (src/model/schema.ts), and the workspace function that puts the original column names back.
 *
 * Column choices:
 * - `TenantId` and `Type` are reserved: Log Analytics fills them (workspace id, table name). They are
 *   not sent; the Entra tenant is already in `AADTenantId`, and the function sets `Type` back.
 * - `Id` is renamed `RecordId`: `id` is reserved and whether the check ignores case is unverified.
 * - `_BilledSize` and `_IsBillable` are not sent: custom columns must start with a letter, and Log
 *   Analytics computes both for every row itself.
 * - `OriginalTimeGenerated` keeps the activity time: the service replaces a TimeGenerated more than
 *   two days old with the time the row arrived, which is every row of a backfill.
 * - `IngestionId` is a stable hash of the source table and the row's Id, so the rows of a request
 *   whose outcome is unknown can be looked up before anything is sent again (exactly once).
 * JSON-in-string columns stay `string` (data-model.md §2): `dynamic` would change query semantics.
 */
import { createHash } from 'node:crypto';
import { type ColumnType, TABLES, type TableName } from '../../model/schema.js';

export const ORIGINAL_TIME_COLUMN = 'OriginalTimeGenerated';
export const INGESTION_ID_COLUMN = 'IngestionId';
const RENAMED: Readonly<Record<string, string>> = { Id: 'RecordId' };
const NOT_SENT = new Set(['TenantId', 'Type', '_BilledSize', '_IsBillable']);

/** Stream declaration column types (DCR) and table column types (Tables API) of one column. */
export interface CustomColumn {
  name: string;
  /** The built-in table's column it carries (absent for IngestionId). */
  source?: string;
  streamType: 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';
  tableType: 'string' | 'int' | 'long' | 'real' | 'boolean' | 'dateTime' | 'dynamic' | 'guid';
  description: string;
}

export interface IngestTarget {
  sourceTable: TableName;
  customTable: string;
  stream: string;
  functionName: string;
}

export const DEFAULT_TARGETS: Readonly<Record<TableName, IngestTarget>> = {
  AADProvisioningLogs: {
    sourceTable: 'AADProvisioningLogs',
    customTable: 'EntraProvisioning_CL',
    stream: 'Custom-EntraProvisioning',
    functionName: 'AADProvisioningLogsWithBackfill',
  },
  AuditLogs: {
    sourceTable: 'AuditLogs',
    customTable: 'EntraAudit_CL',
    stream: 'Custom-EntraAudit',
    functionName: 'AuditLogsWithBackfill',
  },
};

function typesOf(type: ColumnType): Pick<CustomColumn, 'streamType' | 'tableType'> {
  switch (type) {
    case 'datetime':
      return { streamType: 'datetime', tableType: 'dateTime' };
    case 'long':
    case 'timespan':
      return { streamType: 'long', tableType: 'long' };
    case 'int':
      return { streamType: 'int', tableType: 'int' };
    case 'real':
      return { streamType: 'real', tableType: 'real' };
    case 'bool':
      return { streamType: 'boolean', tableType: 'boolean' };
    case 'dynamic':
      return { streamType: 'dynamic', tableType: 'dynamic' };
    default:
      return { streamType: 'string', tableType: 'string' };
  }
}

/** The custom table's columns, in the built-in table's order, then IngestionId. */
export function customColumns(table: TableName): CustomColumn[] {
  const columns: CustomColumn[] = [];
  for (const column of TABLES[table].columns) {
    if (NOT_SENT.has(column.name)) continue;
    columns.push({
      name: RENAMED[column.name] ?? column.name,
      source: column.name,
      ...typesOf(column.type),
      description: column.description,
    });
    if (column.name === 'TimeGenerated') {
      columns.push({
        name: ORIGINAL_TIME_COLUMN,
        source: 'TimeGenerated',
        streamType: 'datetime',
        tableType: 'dateTime',
        description: 'TimeGenerated of the original record (the service replaces an old TimeGenerated).',
      });
    }
  }
  columns.push({
    name: INGESTION_ID_COLUMN,
    streamType: 'string',
    tableType: 'string',
    description: 'Stable hash of the source table and Id; provlog ingest uses it to send each row once.',
  });
  return columns;
}

/** The stable IngestionId of a row of `table` with this Id. */
export function ingestionId(table: TableName, id: string): string {
  return createHash('sha256').update(`${table}\n${id}`).digest('hex').slice(0, 32);
}

/**
 * A function turning a row of the built-in table into a record of the stream (absent values as null).
 * Compiled once per table into an object literal: records then share one shape, which makes building
 * and serialising them several times faster than adding properties one by one (see la.ts).
 */
export function customRowMapper(table: TableName): (row: Record<string, unknown>) => Record<string, unknown> {
  const fields = customColumns(table)
    .filter((c) => c.source !== undefined)
    .map((c) => `${JSON.stringify(c.name)}: row[${JSON.stringify(c.source)}] ?? null`);
  const idColumn = JSON.stringify(TABLES[table].idColumn);
  const factory = new Function(
    'ingestionId',
    'table',
    `'use strict';\nreturn function toRecord(row) {\nreturn {\n${fields.join(',\n')},\n${JSON.stringify(INGESTION_ID_COLUMN)}: ingestionId(table, String(row[${idColumn}] ?? '')),\n};\n};`,
  );
  return factory(ingestionId, table) as (row: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * KQL of a workspace function: the built-in table together with the backfilled rows under the
 * original names. `isfuzzy` keeps it working while the built-in table does not exist yet.
 */
export function unionFunctionKql(target: IngestTarget): string {
  const renames = Object.entries(RENAMED)
    .filter(([source]) => TABLES[target.sourceTable].columns.some((c) => c.name === source))
    .map(([source, name]) => `${source} = ${name}`);
  const restored = [
    `TimeGenerated = ${ORIGINAL_TIME_COLUMN}`,
    ...renames,
    `Type = '${target.sourceTable}'`,
  ].join(', ');
  const dropped = [ORIGINAL_TIME_COLUMN, ...Object.values(RENAMED), INGESTION_ID_COLUMN].join(', ');
  return [
    `// Function: ${target.functionName}`,
    `// ${target.sourceTable} together with the rows backfilled into ${target.customTable} by provlog ingest,`,
    '// under the original column names. Backfilled rows carry their arrival time as the stored',
    '// TimeGenerated, so give queries a time range that covers when they were ingested.',
    'union isfuzzy=true',
    `    ${target.sourceTable},`,
    `    (${target.customTable}`,
    `    | extend ${restored}`,
    `    | project-away ${dropped})`,
  ].join('\n');
}
