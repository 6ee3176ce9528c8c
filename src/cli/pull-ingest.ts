/**
 * `provlog pull --ingest`: after the pull, the pulled window of the workspace goes on to Log Analytics
 * through the target `provlog ingest setup` saved. The window is looked up before it is sent, so rows
 * an earlier run (or an overlapping window) sent are not sent again, and a killed run is made good by
 * the next one.
 */
import type { AzureConnection } from '../azure/connection.js';
import { type IngestResult, ingest, loadTarget, workspaceSource } from '../azure/ingest/index.js';
import { UserError } from '../errors.js';
import { ticksToCanonical } from '../model/time.js';

export async function ingestPulledWindow(
  connection: AzureConnection,
  workspaceDir: string,
  window: { from: number; to: number },
  onProgress: (sent: number, read: number) => void,
): Promise<IngestResult> {
  const target = loadTarget(workspaceDir, 'AADProvisioningLogs');
  if (!target) {
    throw new UserError(
      `--ingest needs an ingestion target for ${workspaceDir}: run provlog ingest setup --workspace ${workspaceDir} … first`,
    );
  }
  const canonical = (ms: number) => ticksToCanonical(BigInt(ms) * 10_000n);
  return ingest({
    connection,
    endpoint: connection.emulator?.url ?? target.endpoint,
    ruleId: target.dcrImmutableId,
    stream: target.stream,
    customTable: target.customTable,
    workspaceId: target.workspaceId,
    dcrId: target.dcrId,
    workspaceDir,
    source: workspaceSource(workspaceDir, 'AADProvisioningLogs', {
      from: canonical(window.from),
      to: canonical(window.to),
    }),
    onProgress: (p) => onProgress(p.sent, p.read),
  });
}
