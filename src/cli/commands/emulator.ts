import type { CommandModule } from 'yargs';
import type { Outcome } from '../exit-codes.js';

export interface EmulatorStartArgs {
  port: number;
  data: string;
  workspace?: string;
  demo: boolean;
  seed: number;
  faults?: string;
  json: boolean;
}

export function emulatorCommand(outcome: Outcome): CommandModule {
  return {
    command: 'emulator',
    describe: 'Local HTTPS emulator of the Azure APIs provlog uses (no tenant needed)',
    builder: (y) =>
      y
        .command<EmulatorStartArgs>({
          command: 'start',
          describe: 'Start the emulator on 127.0.0.1 and run until interrupted',
          builder: (yy) =>
            yy
              .option('port', { type: 'number', default: 0, describe: 'Port (0: any free port)' })
              .option('data', {
                type: 'string',
                default: 'provlog-emulator',
                describe: 'Directory for its state, certificate and token',
              })
              .option('workspace', {
                type: 'string',
                describe: 'A provlog workspace to serve as the default Log Analytics workspace',
              })
              .option('demo', {
                type: 'boolean',
                default: false,
                describe: 'Fill the default workspace with a generated demo tenant when it is empty',
              })
              .option('seed', { type: 'number', default: 42, describe: 'Seed of the --demo tenant' })
              .option('faults', {
                type: 'string',
                describe: 'Settings as JSON, e.g. {"faults":{"throttleRate":0.1,"retryAfterSeconds":1}}',
              }) as never,
          handler: async (args) => {
            const { runEmulatorStart } = await import('../run-emulator.js');
            outcome.code = await runEmulatorStart(args);
          },
        })
        .demandCommand(1, 'Name an emulator command: start'),
    handler: () => {},
  };
}
