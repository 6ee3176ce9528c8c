import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';
import { workspaceOption } from '../workspace-dir.js';

interface InfoArgs {
  workspace?: string;
  json: boolean;
}

export function workspaceCommand(outcome: Outcome): CommandModule {
  return {
    command: 'workspace',
    describe: 'Inspect the local workspace',
    builder: (y) =>
      y
        .command<InfoArgs>({
          command: 'info',
          describe: 'Tables, row counts, time range and size on disk',
          builder: (yy) => yy.option('workspace', workspaceOption) as never,
          handler: async (args) => {
            const { runWorkspaceInfo } = await import('../run-workspace.js');
            outcome.code = runWorkspaceInfo(args);
          },
        })
        .demandCommand(1, 'Name a workspace command: info'),
    handler: () => {},
  };
}
