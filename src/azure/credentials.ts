/**
 * Credentials for the CLI: environment variables then the Azure CLI by default (no managed-identity
 * probe on laptops), or the one chosen with `--auth`; `--emulator` uses the emulator's own token instead.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { UserError } from '../errors.js';

export const AUTH_MODES = ['auto', 'env', 'cli', 'sp', 'managed-identity', 'default'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** A fixed token (the emulator's); long expiry, because the SDK refreshes tokens close to expiring. */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 24 * 3_600_000 }),
  };
}

export async function credentialFor(
  mode: AuthMode,
  options: { tenantId?: string } = {},
): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const tenant = options.tenantId ? { tenantId: options.tenantId } : {};
  switch (mode) {
    case 'auto':
      return new identity.ChainedTokenCredential(
        new identity.EnvironmentCredential(),
        new identity.AzureCliCredential(tenant),
      );
    case 'env':
      return new identity.EnvironmentCredential();
    case 'cli':
      return new identity.AzureCliCredential(tenant);
    case 'sp': {
      const { AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH } =
        process.env;
      const tenantId = options.tenantId ?? AZURE_TENANT_ID;
      if (!tenantId || !AZURE_CLIENT_ID || !(AZURE_CLIENT_SECRET || AZURE_CLIENT_CERTIFICATE_PATH)) {
        throw new UserError(
          '--auth sp needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)',
        );
      }
      return AZURE_CLIENT_SECRET
        ? new identity.ClientSecretCredential(tenantId, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)
        : new identity.ClientCertificateCredential(tenantId, AZURE_CLIENT_ID, {
            certificatePath: AZURE_CLIENT_CERTIFICATE_PATH!,
          });
    }
    case 'managed-identity':
      return process.env.AZURE_CLIENT_ID
        ? new identity.ManagedIdentityCredential({ clientId: process.env.AZURE_CLIENT_ID })
        : new identity.ManagedIdentityCredential();
    case 'default':
      return new identity.DefaultAzureCredential(tenant);
  }
}
