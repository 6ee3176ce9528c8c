/**
 * Workbooks (`Microsoft.Insights/workbooks`): the name is a GUID, serializedData a JSON document as a
 * string, GET returns serializedData only with `canFetchContent=true`, and every write makes a revision.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { EmulatorRequest } from '../http.js';
import type { ArmResource } from '../resources.js';
import type { Route } from '../router.js';
import {
  armError,
  badRequest,
  isGuid,
  type Json,
  nowIso,
  objectAt,
  publicView,
  requireLocation,
  resourceGroupId,
  systemData,
  tagsOf,
  trackedResourceRoutes,
} from './common.js';

export const WORKBOOK_TYPE = 'Microsoft.Insights/workbooks';
const API_VERSIONS = ['2023-06-01', '2022-04-01'] as const;
const DEFAULT_SOURCE_ID = 'azure monitor';

export function workbookRoutes(): Route[] {
  return trackedResourceRoutes({
    provider: 'Microsoft.Insights',
    type: 'workbooks',
    apiVersions: API_VERSIONS,
    checkName: (name) => {
      if (!isGuid(name)) {
        throw badRequest(
          `The workbook name '${name}' is invalid: a workbook's resource name must be a GUID.`,
          'BadRequest',
        );
      }
    },
    put: ({ id, name, body, existing, context, request, resourceGroup }) => {
      const location = requireLocation(body, existing);
      const kind = body.kind ?? 'shared';
      if (kind !== 'shared')
        throw badRequest(`kind must be 'shared'; got ${JSON.stringify(kind)}.`, 'BadRequest');
      const properties = objectAt(body, 'properties');
      const sourceId = request.url.searchParams.get('sourceId') ?? properties.sourceId ?? DEFAULT_SOURCE_ID;
      const checked = checkProperties({ ...properties, sourceId });
      checkUniqueName(context, resourceGroup, id, checked);
      const tags = tagsOf(body, undefined);
      return stored(context, { id, name, location, existing, tags, properties: checked });
    },
    patch: ({ body, existing, context, resourceGroup }) => {
      const merged = { ...objectAt(existing, 'properties'), ...objectAt(body, 'properties') };
      const checked = checkProperties(merged);
      checkUniqueName(context, resourceGroup, existing.id, checked);
      return stored(context, {
        id: existing.id,
        name: existing.name,
        location: String(existing.location),
        existing,
        tags: tagsOf(body, existing),
        properties: checked,
      });
    },
    view,
    listFilter: (request) => {
      const category = request.url.searchParams.get('category');
      if (!category) {
        throw badRequest(
          "The 'category' query parameter is required to list workbooks (e.g. category=workbook).",
          'BadRequest',
        );
      }
      const sourceId = request.url.searchParams.get('sourceId');
      return (resource) => {
        const p = objectAt(resource, 'properties');
        return (
          String(p.category).toLowerCase() === category.toLowerCase() &&
          (sourceId === null || String(p.sourceId).toLowerCase() === sourceId.toLowerCase())
        );
      };
    },
  });
}

function view(resource: ArmResource, request: EmulatorRequest): Json {
  const result = publicView(resource);
  const fetchContent =
    request.method !== 'GET' || request.url.searchParams.get('canFetchContent')?.toLowerCase() === 'true';
  if (fetchContent) return result;
  const { serializedData: _content, ...properties } = objectAt(result, 'properties');
  return { ...result, properties };
}

function stored(
  context: EmulatorContext,
  input: {
    id: string;
    name: string;
    location: string;
    existing: ArmResource | undefined;
    tags: Json | undefined;
    properties: Json;
  },
): ArmResource {
  return {
    id: input.id,
    name: input.name,
    type: WORKBOOK_TYPE,
    location: input.location,
    kind: 'shared',
    ...(input.tags ? { tags: input.tags } : {}),
    systemData: systemData(context, input.existing),
    properties: {
      ...input.properties,
      timeModified: nowIso(context),
      userId: 'provlog-emulator',
      revision: randomBytes(16).toString('hex'),
    },
  };
}

function checkProperties(input: Json): Json {
  const { timeModified: _t, userId: _u, revision: _r, ...properties } = input;
  for (const field of ['displayName', 'category'] as const) {
    if (typeof properties[field] !== 'string' || (properties[field] as string).trim() === '') {
      throw badRequest(`properties.${field} is required.`, 'BadRequest');
    }
  }
  const content = properties.serializedData;
  if (typeof content !== 'string') {
    throw badRequest(
      'properties.serializedData is required and must be a string: the workbook document as JSON text (JSON.stringify it).',
      'BadRequest',
    );
  }
  try {
    JSON.parse(content);
  } catch (error) {
    throw badRequest(
      `properties.serializedData is not valid JSON: ${(error as Error).message}`,
      'BadRequest',
    );
  }
  return properties;
}

/** Display names are unique per resource group and sourceId. */
function checkUniqueName(
  context: EmulatorContext,
  resourceGroup: string,
  id: string,
  properties: Json,
): void {
  const clash = context.resources.list(WORKBOOK_TYPE, resourceGroupId(context, resourceGroup)).find((r) => {
    const p = objectAt(r, 'properties');
    return (
      r.id.toLowerCase() !== id.toLowerCase() &&
      String(p.displayName).toLowerCase() === String(properties.displayName).toLowerCase() &&
      String(p.sourceId).toLowerCase() === String(properties.sourceId).toLowerCase()
    );
  });
  if (clash) {
    throw armError(
      409,
      'Conflict',
      `A workbook named '${String(properties.displayName)}' already exists for this source in resource group '${resourceGroup}' (${clash.name}); reuse its GUID to update it.`,
    );
  }
}
