/**
 * Starts a provlog emulator in the test process on a temp data directory, and gives the connection a
 * real SDK client or the CLI (`--emulator DIR`) uses to reach it.
 */
import { rmSync } from 'node:fs';
import { type AzureConnection, emulatorConnection } from '../../src/azure/connection.js';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/server.js';
import { tempDir } from './cli.js';

export interface TestEmulator {
  emulator: RunningEmulator;
  connection: AzureConnection;
  dataDir: string;
  /** The CLI arguments that point a provlog command at this emulator. */
  cliArgs: string[];
  stop(): Promise<void>;
}

export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? tempDir('provlog-emulator-');
  const emulator = await startEmulator({ ...options, dataDir });
  return {
    emulator,
    connection: emulatorConnection(dataDir),
    dataDir,
    cliArgs: ['--emulator', dataDir],
    stop: async () => {
      await emulator.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
