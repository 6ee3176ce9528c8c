/** Opening a Log Analytics workspace for `query run` / `report run --workspace-id`. */
import { azureConnection } from '../azure/connection.js';
import { LogsQueryError } from '../azure/logs-query.js';
import { UserError } from '../errors.js';
import { prebuiltAnalysesDir } from '../queries/prebuilt.js';
import { RemoteBackend } from '../queries/remote-backend.js';
import { connectionOptions } from './azure-options.js';
import { analysisCacheDir } from './cache-dir.js';
import type { RemoteArgs } from './remote-workspace.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ARM_WORKSPACE =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.operationalinsights\/workspaces\/[^/]+$/i;

/**
 * A backend on the workspace `--workspace-id` names, signed in as the Azure options say. With
 * `dataRange` it first asks the workspace the time range of its logs (a report shows it).
 */
export async function openRemoteBackend(
  args: RemoteArgs & { workspaceId: string },
  now: bigint,
  options: { dataRange: boolean },
): Promise<RemoteBackend> {
  const workspace = args.workspaceId.trim();
  if (!GUID.test(workspace) && !ARM_WORKSPACE.test(workspace))
    throw new UserError(
      `--workspace-id ${args.workspaceId}: give the workspace id (a GUID, "Workspace ID" in the portal) or its ARM resource id`,
    );
  const connection = await azureConnection(connectionOptions(args));
  const backend = new RemoteBackend({
    connection,
    workspace,
    now,
    analysisCache: { dir: analysisCacheDir(), prebuilt: [prebuiltAnalysesDir()] },
    onWarning: (message) => process.stderr.write(`provlog: warning: ${message}\n`),
  });
  try {
    if (options.dataRange) await backend.loadDataRange();
    return backend;
  } catch (error) {
    throw remoteError(error, workspace);
  }
}

/** The service's message when it refused the query itself (HTTP 400), as the local engine would. */
export function queryRefusal(error: unknown): string | undefined {
  return error instanceof LogsQueryError && error.status === 400 ? error.message : undefined;
}

/** A failed Log Analytics request as a one-line error (other errors unchanged). */
export function remoteError(error: unknown, workspace: string): unknown {
  if (!(error instanceof LogsQueryError)) return error;
  const status = error.status === undefined ? 'no response' : `HTTP ${error.status}`;
  const codes = error.codes.length > 0 ? ` ${error.codes.slice(0, 2).join('/')}` : '';
  return new UserError(`Log Analytics workspace ${workspace}: ${error.message} (${status}${codes})`);
}
