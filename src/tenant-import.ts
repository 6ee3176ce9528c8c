import type { GeneratedTenant } from './generate/index.js';
import type { SourceItem } from './model/sources/types.js';
import { type ImportProgress, type ImportSummary, importItems } from './store/importer.js';
import type { Workspace } from './store/workspace.js';

function* generatedItems(tenant: GeneratedTenant): Generator<SourceItem> {
  const file = `generated:seed=${tenant.options.seed}`;
  let line = 0;
  for (const row of tenant.auditRows()) yield { kind: 'row', table: 'AuditLogs', row, file, line: ++line };
  for (const row of tenant.provisioningRows())
    yield { kind: 'row', table: 'AADProvisioningLogs', row, file, line: ++line };
}

/** Imports a generated tenant straight into a workspace (same transaction and dedupe as a file import). */
export function importGeneratedTenant(
  workspace: Workspace,
  tenant: GeneratedTenant,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const o = tenant.options;
  return importItems(workspace, generatedItems(tenant), {
    sources: [
      `generate --seed ${o.seed} --users ${o.users} --apps ${o.apps} --days ${o.days} --end ${o.end}`,
    ],
    onProgress,
  });
}

/** The start of the current hour (UTC): the default end of a generated window. */
export function currentHour(now = new Date()): string {
  const hour = new Date(now);
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
}
