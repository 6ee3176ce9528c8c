/** The options every command that talks to Azure shares: how to sign in, which cloud, or the emulator. */
import type { Argv } from 'yargs';
import type { CloudName } from '../azure/clouds.js';
import type { ConnectionOptions } from '../azure/connection.js';
import { AUTH_MODES, type AuthMode } from '../azure/credentials.js';

export interface AzureArgs {
  auth?: AuthMode;
  cloud?: CloudName;
  tenant?: string;
  emulator?: string;
}

export function withAzureOptions<T>(y: Argv<T>): Argv<T & AzureArgs> {
  return y
    .option('auth', {
      choices: AUTH_MODES,
      describe: 'How to sign in: auto (environment, then Azure CLI), env, cli, sp, managed-identity, default',
      group: 'Azure:',
    })
    .option('cloud', {
      choices: ['public', 'usgov', 'china'] as const,
      default: 'public' as const,
      describe: 'Azure cloud',
      group: 'Azure:',
    })
    .option('tenant', { type: 'string', describe: 'Entra tenant id to sign in to', group: 'Azure:' })
    .option('emulator', {
      type: 'string',
      describe: 'Talk to a running provlog emulator (its --data directory; default: $PROVLOG_EMULATOR)',
      group: 'Azure:',
    }) as unknown as Argv<T & AzureArgs>;
}

export function connectionOptions(args: AzureArgs): ConnectionOptions {
  const emulator = args.emulator ?? process.env.PROVLOG_EMULATOR;
  return {
    ...(args.auth ? { auth: args.auth } : {}),
    ...(args.cloud ? { cloud: args.cloud } : {}),
    ...(args.tenant ? { tenantId: args.tenant } : {}),
    ...(emulator ? { emulator } : {}),
  };
}
