import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';
import { type RemoteArgs, withRemoteWorkspace } from '../remote-workspace.js';
import { nowOption, paramOption, type TimeArgs, timeOptions } from '../time-options.js';
import { workspaceOption } from '../workspace-dir.js';

export interface ReportListArgs {
  json: boolean;
}

export interface ReportRunArgs extends TimeArgs, RemoteArgs {
  report: string;
  workspace?: string;
  now?: string;
  param: string[];
  format: 'html' | 'md' | 'csv' | 'json';
  output?: string;
  json: boolean;
}

export function reportCommand(outcome: Outcome): CommandModule {
  return {
    command: 'report',
    describe: 'List or run reports (HTML, Markdown, CSV or JSON)',
    builder: (y) =>
      y
        .command<ReportListArgs>({
          command: 'list',
          describe: 'List the reports and their parameters',
          handler: async (args) => {
            const { runReportList } = await import('../run-report.js');
            outcome.code = await runReportList(args);
          },
        })
        .command<ReportRunArgs>({
          command: 'run <report>',
          describe: 'Run a report on the local workspace, or on Log Analytics (--workspace-id)',
          builder: (yy) =>
            withRemoteWorkspace(yy)
              .positional('report', { type: 'string', describe: 'Report id (see provlog report list)' })
              .option('workspace', workspaceOption)
              .options(timeOptions)
              .option('now', nowOption)
              .option('param', paramOption)
              .option('format', {
                choices: ['html', 'md', 'csv', 'json'] as const,
                default: 'html' as const,
                describe: 'html: one self-contained file; md; csv: one file per section; json',
              })
              .option('output', {
                alias: 'o',
                type: 'string',
                describe:
                  'Output file (html, md, json; - for stdout) or folder (csv). Default: <report>.html for html, stdout for md and json',
              }) as never,
          handler: async (args) => {
            const { runReportCommand } = await import('../run-report.js');
            outcome.code = await runReportCommand(args);
          },
        })
        .demandCommand(1, 'Name a report command: list, run'),
    handler: () => {},
  };
}
