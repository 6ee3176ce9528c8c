/**
 * How provlog reaches Azure: endpoints, token scopes, a credential and transport options. The same
 * shape points at the public cloud, a sovereign cloud, or a running provlog emulator.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { UserError } from '../errors.js';
import { type AzureEndpoints, type AzureScopes, CLOUDS, type CloudName, scopesFor } from './clouds.js';
import { type AuthMode, credentialFor, staticTokenCredential } from './credentials.js';

export interface AzureConnection {
  endpoints: AzureEndpoints;
  scopes: AzureScopes;
  credential: TokenCredential;
  /** Spread into every SDK client's options (the emulator's CA, retry tuning). */
  clientOptions: { tlsOptions?: { ca: string } };
  /** Set when talking to the emulator: its identity (tenant, subscription, default workspace). */
  emulator?: EmulatorInfo;
}

export interface EmulatorInfo {
  url: string;
  dataDir: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  workspaceId: string;
  workspaceResourceId: string;
}

export interface ConnectionOptions {
  auth?: AuthMode;
  cloud?: CloudName;
  tenantId?: string;
  /** A running emulator's data directory (its emulator.json says where it listens). */
  emulator?: string;
}

export async function azureConnection(options: ConnectionOptions = {}): Promise<AzureConnection> {
  if (options.emulator) return emulatorConnection(options.emulator);
  const cloud = options.cloud ?? 'public';
  const endpoints = CLOUDS[cloud];
  const auth = options.auth ?? 'auto';
  return {
    endpoints,
    scopes: scopesFor(endpoints, cloud),
    credential: await credentialFor(auth, options.tenantId ? { tenantId: options.tenantId } : {}),
    clientOptions: {},
  };
}

/** A connection to a running emulator, from `<dataDir>/emulator.json`. */
export function emulatorConnection(dataDir: string): AzureConnection {
  const dir = resolve(dataDir);
  const file = join(dir, 'emulator.json');
  if (!existsSync(file)) {
    throw new UserError(
      `no running emulator at ${dir} (start one with: provlog emulator start --data ${dataDir})`,
    );
  }
  const connection = JSON.parse(readFileSync(file, 'utf8')) as {
    url: string;
    caFile: string;
    tokenFile: string;
    identity: Omit<EmulatorInfo, 'url' | 'dataDir'>;
  };
  const endpoints: AzureEndpoints = {
    arm: connection.url,
    query: `${connection.url}/v1`,
    graph: connection.url,
    ingestionAudience: CLOUDS.public.ingestionAudience,
  };
  return {
    endpoints,
    scopes: scopesFor(endpoints, 'public'),
    credential: staticTokenCredential(readFileSync(connection.tokenFile, 'utf8').trim()),
    clientOptions: { tlsOptions: { ca: readFileSync(connection.caFile, 'utf8') } },
    emulator: { url: connection.url, dataDir: dir, ...connection.identity },
  };
}
