/** `--workspace-id`: run queries and reports on a Log Analytics workspace instead of a local one. */
import type { Argv } from 'yargs';
import { type AzureArgs, withAzureOptions } from './azure-options.js';

export interface RemoteArgs extends AzureArgs {
  workspaceId?: string;
}

/** Adds `--workspace-id` and the Azure sign-in options; `--workspace` and `--workspace-id` exclude each other. */
export function withRemoteWorkspace<T>(y: Argv<T>): Argv<T & RemoteArgs> {
  return withAzureOptions(
    y.option('workspace-id', {
      type: 'string',
      describe:
        'Run on this Log Analytics workspace (its workspace id GUID, or its ARM resource id) instead of a local workspace',
      group: 'Azure:',
    }),
  ).conflicts('workspace', 'workspace-id') as unknown as Argv<T & RemoteArgs>;
}
