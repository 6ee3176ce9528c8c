import type { CommandModule } from 'yargs';
import { type AzureArgs, withAzureOptions } from '../azure-options.js';
import type { Outcome } from '../exit-codes.js';
import { workspaceOption } from '../workspace-dir.js';

export interface StatusArgs extends AzureArgs {
  app: string[];
  discover: 'graph' | 'workspace';
  workspace?: string;
  json: boolean;
}

export function statusCommand(outcome: Outcome): CommandModule<object, StatusArgs> {
  return {
    command: 'status',
    describe:
      'Current status of the provisioning jobs (state, quarantine, last cycle, progress); exit 3 if one is quarantined',
    builder: (y) =>
      withAzureOptions(
        y
          .option('app', {
            type: 'string',
            array: true,
            default: [] as string[],
            describe: 'Only these apps: service principal object ids or display names (repeatable)',
          })
          .option('discover', {
            choices: ['graph', 'workspace'] as const,
            default: 'graph' as const,
            describe:
              'Without --app, which apps to ask: every enterprise app in the tenant (graph), or the apps in the workspace logs of the last 30 days',
          })
          .option('workspace', workspaceOption)
          .example('$0 status', 'every provisioning job of the tenant')
          .example('$0 status --app "Dropbox Business" --json', 'one app, machine-readable'),
      ) as never,
    handler: async (args) => {
      const { runStatus } = await import('../run-status.js');
      outcome.code = await runStatus(args);
    },
  };
}
