import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';

export const GENERATE_FORMATS = ['la', 'graph', 'diagnostic', 'portal-json', 'portal-csv'] as const;

export interface GenerateArgs {
  workspace?: string;
  out?: string;
  format: (typeof GENERATE_FORMATS)[number];
  seed: number;
  users: number;
  apps: number;
  days: number;
  end?: string;
  json: boolean;
}

export function generateCommand(outcome: Outcome): CommandModule<object, GenerateArgs> {
  return {
    command: 'generate',
    describe: "Generate a synthetic tenant's provisioning logs (deterministic for a seed)",
    builder: (y) =>
      y
        .option('workspace', { type: 'string', describe: 'Import the generated rows into this workspace' })
        .option('out', { type: 'string', describe: 'Write the generated logs to this file instead' })
        .option('format', {
          choices: GENERATE_FORMATS,
          default: 'la' as const,
          describe: 'Source format of --out',
        })
        .option('seed', { type: 'number', default: 1, describe: 'Random seed' })
        .option('users', { type: 'number', default: 200, describe: 'Users in the tenant' })
        .option('apps', { type: 'number', default: 6, describe: 'Provisioning apps (jobs)' })
        .option('days', { type: 'number', default: 14, describe: 'Days of activity' })
        .option('end', { type: 'string', describe: 'End of the window, ISO 8601 (default: this hour, UTC)' })
        .conflicts('workspace', 'out')
        .check((a) => {
          if (!a.workspace && !a.out) return 'give --workspace DIR or --out FILE';
          for (const name of ['users', 'apps', 'days'] as const) {
            const v = a[name];
            if (!Number.isInteger(v) || v < 1) return `--${name} must be a whole number >= 1`;
          }
          if (!Number.isInteger(a.seed)) return '--seed must be a whole number';
          return true;
        })
        .example('$0 generate --workspace ./ws --users 500 --days 30', 'a month of a 500-user tenant')
        .example('$0 generate --out logs.json --format graph --seed 7', 'Graph API pages') as never,
    handler: async (args) => {
      const { runGenerate } = await import('../run-generate.js');
      outcome.code = await runGenerate(args);
    },
  };
}
