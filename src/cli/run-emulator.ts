import { startEmulator } from '../emulator/server.js';
import { UserError } from '../errors.js';
import { generateTenant } from '../generate/index.js';
import { workspaceInfo } from '../store/reader.js';
import { currentHour, importGeneratedTenant } from '../tenant-import.js';
import type { EmulatorStartArgs } from './commands/emulator.js';
import { exitCodes } from './exit-codes.js';

/** Starts the emulator, prints how to reach it, and serves until SIGINT/SIGTERM. */
export async function runEmulatorStart(args: EmulatorStartArgs): Promise<number> {
  let settings: unknown;
  if (args.faults) {
    try {
      settings = JSON.parse(args.faults);
    } catch (error) {
      throw new UserError(`--faults: not JSON (${(error as Error).message})`);
    }
  }
  // Listening for the stop signals before anything is printed: a client may stop it right after.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const emulator = await startEmulator({
    dataDir: args.data,
    ...(args.port ? { port: args.port } : {}),
    ...(args.workspace ? { workspaceDir: args.workspace } : {}),
    ...(settings ? { settings: settings as never } : {}),
    log: (message) => process.stderr.write(`emulator: ${message}\n`),
  });
  const identity = emulator.context.identity;
  const workspace = emulator.context.logs.get(identity.workspaceId);
  if (args.demo && workspace) {
    const store = workspace.store();
    if (workspaceInfo(store).tables.every((t) => t.rows === 0)) {
      const tenant = generateTenant({ seed: args.seed, users: 200, apps: 6, days: 30, end: currentHour() });
      await importGeneratedTenant(store, tenant);
    }
  }
  const info = {
    url: emulator.url,
    caFile: emulator.caFile,
    tokenFile: `${emulator.context.dataDir}/token`,
    connectionFile: emulator.connectionFile,
    workspaceId: identity.workspaceId,
    workspaceResourceId: identity.workspaceResourceId,
    subscriptionId: identity.subscriptionId,
    tenantId: identity.tenantId,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(info)}\n`);
  else {
    process.stdout.write(
      [
        `provlog emulator listening on ${info.url}`,
        `  trust its certificate:  ${info.caFile}   (NODE_EXTRA_CA_CERTS or tlsOptions.ca)`,
        `  bearer token in:        ${info.tokenFile}`,
        `  workspace id:           ${info.workspaceId}`,
        `  workspace resource id:  ${info.workspaceResourceId}`,
        `  use it from provlog:    --emulator ${args.data}   (or PROVLOG_EMULATOR=${args.data})`,
        '',
      ].join('\n'),
    );
  }
  await stopped;
  await emulator.close();
  return exitCodes.ok;
}
