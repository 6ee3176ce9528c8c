/**
 * Query packs and their queries (`Microsoft.OperationalInsights/queryPacks[/queries]`, also reachable as
 * `Microsoft.Insights/queryPacks`): query ids are GUIDs, displayName and body are required, `related`
 * lists hold at most 10 entries each.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { type EmulatorReply, type EmulatorRequest, jsonReply } from '../http.js';
import type { ArmResource } from '../resources.js';
import type { Params, Route } from '../router.js';
import {
  apiVersion,
  armError,
  badRequest,
  checkSubscription,
  isGuid,
  isObject,
  type Json,
  listReply,
  nowIso,
  objectAt,
  objectBody,
  publicView,
  requireLocation,
  resourceGroupId,
  resourceNotFound,
  systemData,
  tagsOf,
  trackedResourceRoutes,
} from './common.js';

export const QUERY_PACK_TYPE = 'Microsoft.OperationalInsights/queryPacks';
export const QUERY_TYPE = 'Microsoft.OperationalInsights/queryPacks/queries';
const API_VERSIONS = ['2019-09-01', '2019-09-01-preview', '2023-09-01', '2025-02-01'] as const;
const PROVIDERS = ['Microsoft.OperationalInsights', 'Microsoft.Insights'];
const RELATED_LISTS = ['categories', 'resourceTypes', 'solutions'];
const MAX_RELATED = 10;

export function queryPackRoutes(): Route[] {
  const routes = trackedResourceRoutes({
    provider: 'Microsoft.OperationalInsights',
    providerAliases: ['Microsoft.Insights'],
    type: 'queryPacks',
    apiVersions: API_VERSIONS,
    put: ({ id, name, body, existing, context }) => {
      const location = requireLocation(body, existing);
      const previous = objectAt(existing ?? {}, 'properties');
      const tags = tagsOf(body, undefined);
      return {
        id,
        name,
        type: QUERY_PACK_TYPE,
        location,
        ...(tags ? { tags } : {}),
        systemData: systemData(context, existing),
        properties: {
          queryPackId: previous.queryPackId ?? randomUUID(),
          timeCreated: previous.timeCreated ?? nowIso(context),
          timeModified: nowIso(context),
          provisioningState: 'Succeeded',
        },
      };
    },
    patch: ({ body, existing, context }) => ({
      ...existing,
      ...(body.tags !== undefined ? { tags: tagsOf(body, existing) } : {}),
      systemData: systemData(context, existing),
      properties: { ...objectAt(existing, 'properties'), timeModified: nowIso(context) },
    }),
  });
  for (const provider of PROVIDERS) {
    const base = `/subscriptions/:sub/resourceGroups/:rg/providers/${provider}/queryPacks/:pack/queries`;
    routes.push(
      {
        methods: ['GET'],
        pattern: base,
        handler: (request, params, context) => {
          apiVersion(request, API_VERSIONS, QUERY_TYPE);
          const pack = parentPack(context, params);
          return listQueries(request, context.resources.list(QUERY_TYPE, pack.id));
        },
      },
      {
        methods: ['POST'],
        pattern: `${base}/search`,
        handler: (request, params, context) => {
          apiVersion(request, API_VERSIONS, QUERY_TYPE);
          const pack = parentPack(context, params);
          const filter = request.body.length > 0 ? objectBody(request) : {};
          const related = objectAt(filter, 'related');
          const tags = objectAt(filter, 'tags');
          const matches = context.resources.list(QUERY_TYPE, pack.id).filter((query) => {
            const p = objectAt(query, 'properties');
            const queryRelated = objectAt(p, 'related');
            const relatedOk = RELATED_LISTS.every((list) => {
              const wanted = related[list];
              if (!Array.isArray(wanted) || wanted.length === 0) return true;
              const have = Array.isArray(queryRelated[list]) ? (queryRelated[list] as string[]) : [];
              return wanted.some((w) => have.some((h) => h.toLowerCase() === String(w).toLowerCase()));
            });
            const queryTags = objectAt(p, 'tags');
            const tagsOk = Object.entries(tags).every(([key, values]) => {
              const have = Array.isArray(queryTags[key]) ? (queryTags[key] as string[]) : [];
              return Array.isArray(values) && values.some((v) => have.includes(String(v)));
            });
            return relatedOk && tagsOk;
          });
          return listQueries(request, matches);
        },
      },
      {
        methods: ['GET', 'PUT', 'PATCH', 'DELETE'],
        pattern: `${base}/:query`,
        handler: (request, params, context) => queryHandler(request, params, context),
      },
    );
  }
  return routes;
}

function parentPack(context: EmulatorContext, params: Params): ArmResource {
  checkSubscription(context, params.sub);
  const pack = context.resources.get(
    `${resourceGroupId(context, params.rg)}/providers/${QUERY_PACK_TYPE}/${params.pack}`,
  );
  if (!pack) {
    throw armError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${params.pack}' not found.`,
    );
  }
  return pack;
}

function listQueries(request: EmulatorRequest, queries: ArmResource[]): EmulatorReply {
  const includeBody = request.url.searchParams.get('includeBody')?.toLowerCase() === 'true';
  const top = Number(request.url.searchParams.get('$top') ?? '');
  const limited = Number.isInteger(top) && top > 0 ? queries.slice(0, top) : queries;
  return listReply(limited.map((q) => queryView(q, includeBody)));
}

function queryView(resource: ArmResource, includeBody: boolean): Json {
  const result = publicView(resource);
  if (includeBody) return result;
  const { body: _body, ...properties } = objectAt(result, 'properties');
  return { ...result, properties };
}

function queryHandler(request: EmulatorRequest, params: Params, context: EmulatorContext): EmulatorReply {
  apiVersion(request, API_VERSIONS, QUERY_TYPE);
  const pack = parentPack(context, params);
  if (!isGuid(params.query)) {
    throw badRequest(
      `Query id '${params.query}' is invalid: the id of a query pack query must be a GUID.`,
      'BadRequest',
    );
  }
  const id = `${pack.id}/queries/${params.query.toLowerCase()}`;
  const existing = context.resources.get(id);
  switch (request.method) {
    case 'GET':
      if (!existing) throw resourceNotFound(QUERY_TYPE, `${params.pack}/${params.query}`, params.rg);
      return jsonReply(200, publicView(existing));
    case 'DELETE':
      if (!existing) return { status: 204 };
      context.resources.delete(existing.id);
      return { status: 200 };
    case 'PATCH': {
      if (!existing) throw resourceNotFound(QUERY_TYPE, `${params.pack}/${params.query}`, params.rg);
      const merged = { ...objectAt(existing, 'properties'), ...objectAt(objectBody(request), 'properties') };
      const stored = context.resources.put(storedQuery(context, id, params.query, merged, existing));
      return jsonReply(200, publicView(stored));
    }
    default: {
      const properties = objectAt(objectBody(request), 'properties');
      const stored = context.resources.put(storedQuery(context, id, params.query, properties, existing));
      return jsonReply(existing ? 200 : 201, publicView(stored));
    }
  }
}

function storedQuery(
  context: EmulatorContext,
  id: string,
  queryId: string,
  input: Json,
  existing: ArmResource | undefined,
): ArmResource {
  for (const field of ['displayName', 'body'] as const) {
    if (typeof input[field] !== 'string' || (input[field] as string).trim() === '') {
      throw badRequest(`properties.${field} is required.`, 'BadRequest');
    }
  }
  const related = input.related ?? {};
  if (!isObject(related)) throw badRequest('properties.related must be an object.', 'BadRequest');
  for (const list of RELATED_LISTS) {
    const values = related[list];
    if (values === undefined) continue;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      throw badRequest(`properties.related.${list} must be an array of strings.`, 'BadRequest');
    }
    if (values.length > MAX_RELATED) {
      throw badRequest(
        `properties.related.${list} has ${values.length} entries; at most ${MAX_RELATED} are allowed.`,
        'BadRequest',
      );
    }
  }
  const tags = input.tags ?? {};
  if (
    !isObject(tags) ||
    !Object.values(tags).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'))
  ) {
    throw badRequest('properties.tags must map each tag name to an array of strings.', 'BadRequest');
  }
  if (input.properties !== undefined && !isObject(input.properties)) {
    throw badRequest('properties.properties must be an object.', 'BadRequest');
  }
  const previous = objectAt(existing ?? {}, 'properties');
  return {
    id,
    name: queryId.toLowerCase(),
    type: QUERY_TYPE,
    systemData: systemData(context, existing),
    properties: {
      id: queryId.toLowerCase(),
      displayName: input.displayName,
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      body: input.body,
      related,
      tags,
      ...(input.properties !== undefined ? { properties: input.properties } : {}),
      timeCreated: previous.timeCreated ?? nowIso(context),
      timeModified: nowIso(context),
      author: 'provlog-emulator',
    },
  };
}
