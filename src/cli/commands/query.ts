import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';
import { type RemoteArgs, withRemoteWorkspace } from '../remote-workspace.js';
import { nowOption, paramOption, type TimeArgs, timeOptions } from '../time-options.js';
import { workspaceOption } from '../workspace-dir.js';

export interface QueryRunArgs extends TimeArgs, RemoteArgs {
  query: string;
  workspace?: string;
  now?: string;
  param: string[];
  format: 'table' | 'json' | 'csv';
  json: boolean;
}

export interface QueryCheckArgs {
  query: string;
  json: boolean;
}

export interface QueryListArgs {
  category?: string;
  json: boolean;
}

export interface QueryShowArgs extends TimeArgs {
  query: string;
  text: boolean;
  param: string[];
  now?: string;
  json: boolean;
}

export function queryCommand(outcome: Outcome): CommandModule {
  return {
    command: 'query',
    describe: 'List, show, run or check KQL queries (the library, or your own files)',
    builder: (y) =>
      y
        .command<QueryListArgs>({
          command: 'list',
          describe: 'List the queries of the library',
          builder: (yy) =>
            yy.option('category', { type: 'string', describe: 'Only queries in this category' }) as never,
          handler: async (args) => {
            const { runQueryList } = await import('../run-query-library.js');
            outcome.code = await runQueryList(args);
          },
        })
        .command<QueryShowArgs>({
          command: 'show <query>',
          describe: 'Show a library query: description, parameters and KQL',
          builder: (yy) =>
            yy
              .positional('query', { type: 'string', describe: 'Query id' })
              .option('text', {
                type: 'boolean',
                default: false,
                describe:
                  'Print only the KQL to run, with parameters and functions filled in (for Log Analytics)',
              })
              .option('param', paramOption)
              .options(timeOptions)
              .option('now', nowOption) as never,
          handler: async (args) => {
            const { runQueryShow } = await import('../run-query-library.js');
            outcome.code = await runQueryShow(args);
          },
        })
        .command<QueryRunArgs>({
          command: 'run <query>',
          describe:
            'Run a library query (by id), a .kql file, or - for stdin, on a local workspace or on Log Analytics (--workspace-id)',
          builder: (yy) =>
            withRemoteWorkspace(yy)
              .positional('query', { type: 'string', describe: 'Query id, .kql file, or - to read stdin' })
              .option('workspace', workspaceOption)
              .option('param', paramOption)
              .options(timeOptions)
              .option('now', nowOption)
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
          command: 'check <query>',
          describe: 'Print the analyser diagnostics of a KQL file (exit 1 when it has errors)',
          builder: (yy) =>
            yy.positional('query', { type: 'string', describe: 'Query file, or - to read stdin' }) as never,
          handler: async (args) => {
            const { runQueryCheck } = await import('../run-query.js');
            outcome.code = await runQueryCheck(args);
          },
        })
        .demandCommand(1, 'Name a query command: list, show, run, check'),
    handler: () => {},
  };
}
