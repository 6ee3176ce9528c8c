/** Log Analytics workspaces (`Microsoft.OperationalInsights/workspaces`): the resources and their data. */
import type { EmulatorContext } from '../context.js';
import type { ArmResource } from '../resources.js';
import type { Params, Route } from '../router.js';
import { upsertWorkspace, WORKSPACE_TYPE } from '../workspaces.js';
import {
  armError,
  badRequest,
  checkSubscription,
  isObject,
  type Json,
  objectAt,
  requireLocation,
  resourceGroupId,
  trackedResourceRoutes,
} from './common.js';

export const WORKSPACE_API_VERSIONS = ['2022-10-01', '2023-09-01', '2025-02-01'] as const;

export function workspaceRoutes(): Route[] {
  return trackedResourceRoutes({
    provider: 'Microsoft.OperationalInsights',
    type: 'workspaces',
    apiVersions: WORKSPACE_API_VERSIONS,
    checkName,
    put: ({ id, body, existing, context }) => {
      const location = requireLocation(body, existing);
      const properties = objectAt(body, 'properties');
      checkProperties(properties);
      const tags = isObject(body.tags) ? (body.tags as Record<string, string>) : undefined;
      return upsertWorkspace(context, id, {
        location,
        ...(tags ? { tags } : {}),
        properties: withoutReadOnly(properties),
      }).resource;
    },
    patch: ({ id, body, existing, context }) => {
      const properties = objectAt(body, 'properties');
      checkProperties(properties);
      const tags = isObject(body.tags) ? (body.tags as Record<string, string>) : undefined;
      return upsertWorkspace(context, id, {
        location: String(existing.location),
        ...(tags ? { tags } : {}),
        properties: withoutReadOnly(properties),
      }).resource;
    },
    deleted: (resource, context) => {
      const customerId = objectAt(resource, 'properties').customerId;
      if (typeof customerId === 'string') context.logs.remove(customerId);
    },
  });
}

/** The workspace resource a nested route names, or a 404 ParentResourceNotFound. */
export function parentWorkspace(context: EmulatorContext, params: Params): ArmResource {
  checkSubscription(context, params.sub);
  const id = `${resourceGroupId(context, params.rg)}/providers/${WORKSPACE_TYPE}/${params.ws}`;
  const workspace = context.resources.get(id);
  if (!workspace) {
    throw armError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${params.ws}' not found.`,
    );
  }
  return workspace;
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/.test(name)) {
    throw badRequest(
      `Workspace name '${name}' is invalid: use 4–63 letters, digits or hyphens, starting and ending with a letter or digit.`,
      'InvalidWorkspaceName',
    );
  }
}

function checkProperties(properties: Json): void {
  const retention = properties.retentionInDays;
  if (retention !== undefined && retention !== null) {
    if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 30 || retention > 730) {
      throw badRequest(
        `Workspace retentionInDays must be an integer between 30 and 730; got ${JSON.stringify(retention)}.`,
      );
    }
  }
  const sku = properties.sku;
  if (sku !== undefined && (!isObject(sku) || typeof sku.name !== 'string')) {
    throw badRequest('sku must be an object with a name (e.g. {"name":"PerGB2018"}).');
  }
}

const READ_ONLY = ['customerId', 'provisioningState', 'createdDate', 'modifiedDate'];

function withoutReadOnly(properties: Json): Json {
  return Object.fromEntries(Object.entries(properties).filter(([k]) => !READ_ONLY.includes(k)));
}
