import type { TableName } from '../model/schema.js';
import { stringColumn } from './column-access.js';
import { loadTable, partitionFiles } from './reader.js';
import type { Workspace } from './workspace.js';

export interface WorkspaceSummary {
  rows: number;
  auditRows: number;
  byResult: Record<string, number>;
  byAction: Record<string, number>;
  byApp: Record<string, number>;
  failuresByCode: Record<string, number>;
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function appName(servicePrincipalJson: string): string {
  try {
    const value = JSON.parse(servicePrincipalJson) as { Name?: unknown };
    return typeof value.Name === 'string' && value.Name !== '' ? value.Name : '(unknown app)';
  } catch {
    return '(unknown app)';
  }
}

/** From the catalog: counting rows needs no partition read. */
function rowCount(workspace: Workspace, table: TableName): number {
  return partitionFiles(workspace, table).reduce((n, file) => n + file.rows, 0);
}

/** Counts over the stored provisioning events: by result, action and app, and failures by error code. */
export function summarizeWorkspace(workspace: Workspace): WorkspaceSummary {
  const summary: WorkspaceSummary = {
    rows: 0,
    auditRows: rowCount(workspace, 'AuditLogs'),
    byResult: {},
    byAction: {},
    byApp: {},
    failuresByCode: {},
  };
  const appNames = new Map<string, string>();
  for (const table of loadTable(workspace, 'AADProvisioningLogs')) {
    for (const batch of table.batches) {
      const result = stringColumn(batch, 'ResultType');
      const action = stringColumn(batch, 'ProvisioningAction');
      const app = stringColumn(batch, 'ServicePrincipal');
      const code = stringColumn(batch, 'ResultSignature');
      for (let i = 0; i < batch.numRows; i++) {
        const resultType = result.get(i);
        bump(summary.byResult, resultType || '(empty)');
        bump(summary.byAction, action.get(i) || '(empty)');
        const sp = app.get(i);
        let name = appNames.get(sp);
        if (name === undefined) {
          name = appName(sp);
          appNames.set(sp, name);
        }
        bump(summary.byApp, name);
        if (resultType === 'Failure') bump(summary.failuresByCode, code.get(i) || '(no code)');
      }
      summary.rows += batch.numRows;
    }
  }
  return summary;
}
