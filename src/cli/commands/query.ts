import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';
import { workspaceOption } from '../workspace-dir.js';

export interface QueryRunArgs {
  file: string;
  workspace?: string;
  now?: string;
  format: 'table' | 'json' | 'csv';
  json: boolean;
}

export interface QueryCheckArgs {
  file: string;
  json: boolean;
}

export function queryCommand(outcome: Outcome): CommandModule {
  return {
    command: 'query',
    describe: 'Run or check KQL on the local workspace with the embedded engine',
    builder: (y) =>
      y
        .command<QueryRunArgs>({
          command: 'run <file>',
          describe: 'Run a KQL query (a .kql file, or - for stdin)',
          builder: (yy) =>
            yy
              .positional('file', { type: 'string', describe: 'Query file, or - to read stdin' })
              .option('workspace', workspaceOption)
              .option('now', {
                type: 'string',
                describe: 'The time now() and ago() use (ISO 8601), for reproducible results',
              })
              .option('format', {
                choices: ['table', 'json', 'csv'] as const,
                default: 'table' as const,
                describe: 'table (aligned text), json (the Log Analytics query API response), csv',
              }) as never,
          handler: async (args) => {
            const { runQueryCommand } = await import('../run-query.js');
            outcome.code = await runQueryCommand(args);
          },
        })
        .command<QueryCheckArgs>({
          command: 'check <file>',
          describe: 'Print the analyser diagnostics of a KQL query (exit 1 when it has errors)',
          builder: (yy) =>
            yy.positional('file', { type: 'string', describe: 'Query file, or - to read stdin' }) as never,
          handler: async (args) => {
            const { runQueryCheck } = await import('../run-query.js');
            outcome.code = await runQueryCheck(args);
          },
        })
        .demandCommand(1, 'Name a query command: run, check'),
    handler: () => {},
  };
}
