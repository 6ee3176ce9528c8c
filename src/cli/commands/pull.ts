import type { CommandModule } from 'yargs';
import { type AzureArgs, withAzureOptions } from '../azure-options.js';
import type { Outcome } from '../exit-codes.js';
import { workspaceOption } from '../workspace-dir.js';

export interface PullArgs extends AzureArgs {
  workspace?: string;
  since?: string;
  from?: string;
  to?: string;
  app?: string;
  job?: string;
  api: 'beta' | 'v1.0';
  pageSize: number;
  overlap: string;
  commitRows: number;
  rate?: string;
  ingest: boolean;
  json: boolean;
}

export function pullCommand(outcome: Outcome): CommandModule<object, PullArgs> {
  return {
    command: 'pull',
    describe: 'Pull provisioning logs from Microsoft Graph into the workspace (incremental, resumable)',
    builder: (y) =>
      withAzureOptions(
        y
          .option('workspace', workspaceOption)
          .option('since', {
            type: 'string',
            describe: 'Window ending now: 7d, 24h, P30D (default: 30d, Graph keeps 30 days)',
          })
          .option('from', { type: 'string', describe: 'Start of an absolute window (ISO 8601)' })
          .option('to', { type: 'string', describe: 'End of an absolute window (ISO 8601; default: now)' })
          .option('app', {
            type: 'string',
            describe: "Only this app: its service principal's object id or display name",
          })
          .option('job', { type: 'string', describe: 'Only this provisioning job id' })
          .option('api', {
            choices: ['beta', 'v1.0'] as const,
            default: 'beta' as const,
            describe: 'Graph version: beta also carries the legacy Action and StatusInfo columns verbatim',
          })
          .option('page-size', { type: 'number', default: 999, describe: 'Events per request ($top)' })
          .option('ingest', {
            type: 'boolean',
            default: false,
            describe: 'Then send the window on to Log Analytics, to the target provlog ingest setup saved',
          })
          .option('overlap', {
            type: 'string',
            default: '1h',
            describe: 'Events this recent are read again by the next pull (they may still arrive late)',
          })
          .option('commit-rows', { type: 'number', default: 5000, hidden: true })
          .option('rate', {
            type: 'string',
            hidden: true,
            describe: 'Request limit as N/SECONDS (default 5/10)',
          })
          .conflicts('since', ['from', 'to'])
          .check((a) => {
            if (a.to !== undefined && a.from === undefined) return '--to needs --from';
            if (!Number.isInteger(a.pageSize) || (a.pageSize as number) < 1)
              return '--page-size must be a whole number >= 1';
            if (!Number.isInteger(a.commitRows) || (a.commitRows as number) < 1)
              return '--commit-rows must be a whole number >= 1';
            return true;
          })
          .example('$0 pull --since 7d', "the last week's events into the default workspace")
          .example(
            '$0 pull --app "Dropbox Business" --from 2026-01-01 --to 2026-01-15',
            'one app, a fixed window',
          ),
      ) as never,
    handler: async (args) => {
      const { runPull } = await import('../run-pull.js');
      outcome.code = await runPull(args);
    },
  };
}
