import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';

export interface DemoArgs {
  dir: string;
  seed: number;
  end?: string;
  json: boolean;
}

export function demoCommand(outcome: Outcome): CommandModule<object, DemoArgs> {
  return {
    command: 'demo',
    describe: 'Build a demo workspace from a generated tenant and summarise it (no Azure needed)',
    builder: (y) =>
      y
        .option('dir', { type: 'string', default: 'provlog-demo', describe: 'Folder for the demo output' })
        .option('seed', { type: 'number', default: 42, describe: 'Random seed of the demo tenant' })
        .option('end', {
          type: 'string',
          describe: 'End of the window, ISO 8601 (default: this hour, UTC)',
        }) as never,
    handler: async (args) => {
      const { runDemo } = await import('../run-demo.js');
      outcome.code = await runDemo(args);
    },
  };
}
