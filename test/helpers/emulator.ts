/**
 * Starts a provlog emulator in the test process on a temp data directory, and gives the connection a
 * real SDK client or the CLI (`--emulator DIR`) uses to reach it.
 */
import { rmSync } from 'node:fs';
import { request } from 'node:https';
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

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS request to the emulator below the SDKs (to see status codes, headers and bodies as sent):
 * with its token unless `token` says otherwise (null: no Authorization header).
 */
export function rawRequest(
  target: TestEmulator,
  method: string,
  path: string,
  options: { token?: string | null; body?: string; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const token = options.token === undefined ? target.emulator.token : options.token;
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.emulator.url}${path}`,
      {
        method,
        ca: target.emulator.ca,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
