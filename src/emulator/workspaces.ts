/** Log Analytics workspaces as ARM resources, tied to their data by customerId. */
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import type { ArmResource } from './resources.js';

export const WORKSPACE_TYPE = 'Microsoft.OperationalInsights/workspaces';

export function workspaceResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${name}`;
}

/**
 * Creates (or updates) a workspace resource and its data. `properties` are the caller's (a PUT body's);
 * customerId, provisioningState and the timestamps are the service's.
 */
export function upsertWorkspace(
  context: EmulatorContext,
  id: string,
  body: { location?: string; tags?: Record<string, string>; properties?: Record<string, unknown> },
  options: { customerId?: string; storeDir?: string } = {},
): { resource: ArmResource; created: boolean } {
  const existing = context.resources.get(id);
  const name = id.split('/').pop() ?? '';
  const previous = (existing?.properties ?? {}) as Record<string, unknown>;
  const customerId = (previous.customerId as string | undefined) ?? options.customerId ?? randomUUID();
  const now = new Date(context.now()).toISOString();
  const properties: Record<string, unknown> = {
    sku: { name: 'PerGB2018' },
    retentionInDays: 30,
    features: { enableLogAccessUsingOnlyResourcePermissions: true },
    publicNetworkAccessForIngestion: 'Enabled',
    publicNetworkAccessForQuery: 'Enabled',
    ...previous,
    ...(body.properties ?? {}),
    customerId,
    provisioningState: 'Succeeded',
    createdDate: (previous.createdDate as string | undefined) ?? now,
    modifiedDate: now,
  };
  const resource: ArmResource = {
    id,
    name,
    type: WORKSPACE_TYPE,
    location: body.location ?? (existing?.location as string | undefined) ?? 'eastus',
    ...(body.tags ? { tags: body.tags } : existing?.tags ? { tags: existing.tags } : {}),
    properties,
  };
  context.resources.put(resource);
  context.logs.create({ customerId, armId: id, ...(options.storeDir ? { storeDir: options.storeDir } : {}) });
  return { resource, created: !existing };
}
