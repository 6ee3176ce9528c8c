import type { TableRow } from './rows.js';
import { type ColumnSchema, TABLES } from './schema.js';

/** Columns that count in `_BilledSize`: TenantId (the workspace) is left out, as only LA exports carry it. */
function billedColumns(columns: readonly ColumnSchema[]): ColumnSchema[] {
  return columns.filter((c) => c.name !== '_BilledSize' && c.name !== '_IsBillable' && c.name !== 'TenantId');
}

const COLUMNS = {
  AADProvisioningLogs: billedColumns(TABLES.AADProvisioningLogs.columns),
  AuditLogs: billedColumns(TABLES.AuditLogs.columns),
};

/**
 * `_BilledSize` for a row whose source does not carry it: the UTF-8 size of its values, 8 bytes per
 * number or datetime. Log Analytics computes its own figure; this one is deterministic so that the
 * same event imported from any source gets the same value.
 */
export function billedSize(row: TableRow): number {
  const columns = row.Type === 'AuditLogs' ? COLUMNS.AuditLogs : COLUMNS.AADProvisioningLogs;
  const values = row as unknown as Record<string, unknown>;
  let size = 0;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    const value = values[column.name];
    if (value === null || value === undefined) continue;
    if (column.type === 'datetime' || typeof value === 'number') size += 8;
    else if (typeof value === 'string') size += Buffer.byteLength(value, 'utf8');
    else size += Buffer.byteLength(JSON.stringify(value), 'utf8');
  }
  return size;
}
