import type { CommandModule } from 'yargs';
import { SOURCE_FORMATS } from '../../model/sources/types.js';
import type { Outcome } from '../exit-codes.js';
import { workspaceOption } from '../workspace-dir.js';

export const IMPORT_FORMATS = ['auto', 'la', ...SOURCE_FORMATS] as const;

interface ImportArgs {
  files: string[];
  format: (typeof IMPORT_FORMATS)[number];
  workspace?: string;
  allowRejects: boolean;
  json: boolean;
}

export function importCommand(outcome: Outcome): CommandModule<object, ImportArgs> {
  return {
    command: 'import <files...>',
    describe:
      'Import provisioning logs (Graph, portal downloads, diagnostic archives, Log Analytics exports)',
    builder: (y) =>
      y
        .positional('files', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'Files or folders (folders are searched for .json, .jsonl, .log and .csv files)',
        })
        .option('format', { choices: IMPORT_FORMATS, default: 'auto' as const, describe: 'Source format' })
        .option('workspace', workspaceOption)
        .option('allow-rejects', {
          type: 'boolean',
          default: false,
          describe: 'Exit 0 even when records were rejected',
        })
        .option('readers', {
          type: 'number',
          describe:
            'Threads that read and normalise large inputs (default: the number of cores, at most 4; 1 = none)',
        })
        .example('$0 import ProvisioningLogs.json', 'a portal JSON download')
        .example(
          '$0 import ./insights-logs-provisioninglogs/ --format diagnostic',
          'a storage-account archive',
        ) as never,
    handler: async (args) => {
      const { runImport } = await import('../run-import.js');
      outcome.code = await runImport(args);
    },
  };
}
