import type { Argv, CommandModule } from 'yargs';
import { type AzureArgs, withAzureOptions } from '../azure-options.js';
import type { Outcome } from '../exit-codes.js';
import { workspaceOption } from '../workspace-dir.js';
import { IMPORT_FORMATS } from './import.js';

export const INGEST_TABLES = ['AADProvisioningLogs', 'AuditLogs'] as const;

export interface IngestArgs extends AzureArgs {
  files?: string[];
  workspace?: string;
  table: (typeof INGEST_TABLES)[number];
  format: (typeof IMPORT_FORMATS)[number];
  from?: string;
  to?: string;
  dcrImmutableId?: string;
  endpoint?: string;
  stream?: string;
  customTable?: string;
  workspaceId?: string;
  dcrId?: string;
  concurrency: number;
  chunkBytes: number;
  state?: string;
  restart: boolean;
  settle?: number;
  verify: boolean;
  verifyTimeout?: number;
  allowRejects: boolean;
  json: boolean;
}

export interface IngestSetupArgs extends AzureArgs {
  workspace?: string;
  workspaceResourceId?: string;
  dcr: string;
  location?: string;
  resourceGroup?: string;
  table: string;
  customTable?: string;
  stream?: string;
  retentionDays?: number;
  totalRetentionDays?: number;
  json: boolean;
}

function setupCommand(outcome: Outcome): CommandModule<object, IngestSetupArgs> {
  return {
    command: 'setup',
    describe: 'Create the custom _CL table and the data collection rule a backfill sends to',
    builder: (y) =>
      withAzureOptions(y)
        .option('workspace-resource-id', {
          type: 'string',
          describe: 'ARM id of the Log Analytics workspace (default on the emulator: its workspace)',
        })
        .option('dcr', { type: 'string', demandOption: true, describe: 'Name of the data collection rule' })
        .option('workspace', {
          ...workspaceOption,
          describe: `${workspaceOption.describe}; it keeps the target, so later ingest and pull --ingest runs need no ids`,
        })
        .option('location', { type: 'string', describe: "Region of the rule (default: the workspace's)" })
        .option('resource-group', {
          type: 'string',
          describe: "Resource group of the rule (default: the workspace's)",
        })
        .option('table', {
          type: 'string',
          default: 'AADProvisioningLogs',
          describe:
            'Table to backfill (AADProvisioningLogs, AuditLogs), or the name of the _CL table to create',
        })
        .option('custom-table', {
          type: 'string',
          describe: 'Custom table to create (default EntraProvisioning_CL; EntraAudit_CL for AuditLogs)',
        })
        .option('stream', {
          type: 'string',
          describe: 'Stream name (default Custom-EntraProvisioning / Custom-EntraAudit)',
        })
        .option('retention-days', { type: 'number', describe: 'Interactive retention of the table (4–730)' })
        .option('total-retention-days', { type: 'number', describe: 'Total retention of the table' })
        .example(
          '$0 ingest setup --workspace-resource-id /subscriptions/…/workspaces/law --dcr provlog-backfill',
          'table EntraProvisioning_CL and a Direct rule in the workspace region',
        ) as unknown as Argv<IngestSetupArgs>,
    handler: async (args) => {
      const { runIngestSetup } = await import('../run-ingest.js');
      outcome.code = await runIngestSetup(args);
    },
  };
}

export function ingestCommand(outcome: Outcome): CommandModule {
  return {
    command: 'ingest',
    describe: 'Backfill provisioning logs into a Log Analytics custom table through a data collection rule',
    // `setup` and the backfill itself (the default) each have their own options.
    builder: (y) =>
      y
        .command(setupCommand(outcome) as unknown as CommandModule)
        .command(sendCommand(outcome) as unknown as CommandModule),
    handler: () => {},
  };
}

function sendCommand(outcome: Outcome): CommandModule<object, IngestArgs> {
  return {
    command: '$0 [files..]',
    describe: 'Send the workspace (or files) through the rule',
    builder: (y) =>
      withAzureOptions(y)
        .positional('files', {
          type: 'string',
          array: true,
          describe: 'Files or folders to send (as provlog import reads them); default: the workspace',
        })
        .option('workspace', {
          ...workspaceOption,
          describe: `${workspaceOption.describe}; the rows to send when no files are given`,
        })
        .option('table', {
          choices: INGEST_TABLES,
          default: 'AADProvisioningLogs' as const,
          describe: 'Table to send',
        })
        .option('format', {
          choices: IMPORT_FORMATS,
          default: 'auto' as const,
          describe: 'Format of the files',
        })
        .option('from', {
          type: 'string',
          describe: 'Send only workspace rows from this time on (ISO 8601; e.g. what a pull just added)',
        })
        .option('to', { type: 'string', describe: 'Send only workspace rows before this time (ISO 8601)' })
        .option('dcr-immutable-id', {
          type: 'string',
          describe:
            "The rule's immutableId (dcr-…; default: the target provlog ingest setup saved in the workspace)",
        })
        .option('endpoint', {
          type: 'string',
          describe: "The rule's logs ingestion endpoint (default on the emulator: the emulator)",
        })
        .option('stream', {
          type: 'string',
          describe: 'Stream (default Custom-EntraProvisioning; Custom-EntraAudit for AuditLogs)',
        })
        .option('custom-table', {
          type: 'string',
          describe: 'The _CL table the rule writes to, for lookups and --verify',
        })
        .option('workspace-id', {
          type: 'string',
          describe: 'Workspace (GUID) the rule writes to, for lookups and --verify',
        })
        .option('dcr-id', {
          type: 'string',
          describe: 'ARM id of the rule, to find the workspace instead of --workspace-id',
        })
        .option('concurrency', { type: 'number', default: 4, describe: 'Requests in flight' })
        .option('chunk-bytes', {
          type: 'number',
          default: 900_000,
          describe: 'Largest request body (JSON bytes)',
        })
        .option('state', {
          type: 'string',
          describe: 'Folder of the ledger and rejects file (default: <workspace>/ingest)',
        })
        .option('restart', {
          type: 'boolean',
          default: false,
          describe:
            'Plan again after the source changed; every chunk is looked up first, only missing rows are sent',
        })
        .option('settle', {
          type: 'number',
          describe:
            'Seconds rows take to become queryable, before unsure rows are looked up (default 600; emulator 0)',
        })
        .option('verify', {
          type: 'boolean',
          default: false,
          describe: 'Compare per-day row counts by query afterwards',
        })
        .option('verify-timeout', {
          type: 'number',
          describe: 'Seconds to wait for the counts to match (default 1800; emulator 30)',
        })
        .option('allow-rejects', {
          type: 'boolean',
          default: false,
          describe: 'Exit 0 even when rows were rejected',
        })
        .check((args) => {
          if ((args.concurrency as number) < 1) throw new Error('--concurrency must be at least 1');
          return true;
        })
        .example('$0 ingest setup --workspace-resource-id ID --dcr provlog-backfill', 'first: table and rule')
        .example(
          '$0 ingest --dcr-immutable-id dcr-… --endpoint https://… --workspace-id GUID --verify',
          'send the workspace, then check the counts',
        ) as unknown as Argv<IngestArgs>,
    handler: async (args) => {
      const { runIngest } = await import('../run-ingest.js');
      outcome.code = await runIngest(args);
    },
  };
}
