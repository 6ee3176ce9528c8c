/**
 * What every ARM route shares: api-version checks, ARM error bodies, request bodies, resource ids and
 * the generic routes of a resource-group-scoped ("tracked") resource type.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import {
  EmulatorHttpError,
  type EmulatorReply,
  type EmulatorRequest,
  type ErrorDetail,
  errorReply,
  jsonReply,
} from '../http.js';
import type { ArmResource } from '../resources.js';
import type { Params, Route } from '../router.js';

export type Json = Record<string, unknown>;

/** Fields the emulator keeps on a stored resource for itself; never sent to clients. */
export const INTERNAL = 'emulatorState';

/**
 * The request's api-version (read with a URL parser, so `api%2Dversion` works), or a 400 as ARM sends
 * it when absent, malformed or not one the resource type supports.
 */
export function apiVersion(request: EmulatorRequest, supported: readonly string[], type: string): string {
  const value = request.url.searchParams.get('api-version');
  if (value === null || value === '') {
    throw armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/i.test(value)) {
    throw armError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${value}' is invalid. The supported versions are '${supported.join(',')}'.`,
    );
  }
  if (!supported.some((v) => v.toLowerCase() === value.toLowerCase())) {
    throw armError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for API version '${value}' and type '${type}'. The supported api-versions are '${supported.join(', ')}'.`,
    );
  }
  return value;
}

export function armError(
  status: number,
  code: string,
  message: string,
  details?: ErrorDetail[],
): EmulatorHttpError {
  return new EmulatorHttpError(errorReply(status, code, message, details ? { details } : {}));
}

export function badRequest(message: string, code = 'InvalidParameter'): EmulatorHttpError {
  return armError(400, code, message);
}

export function resourceNotFound(type: string, name: string, resourceGroup?: string): EmulatorHttpError {
  const where = resourceGroup === undefined ? '' : ` under resource group '${resourceGroup}'`;
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}'${where} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** The emulator serves one subscription; others do not exist. */
export function checkSubscription(context: EmulatorContext, subscriptionId: string): void {
  if (subscriptionId.toLowerCase() !== context.identity.subscriptionId.toLowerCase()) {
    throw armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  }
}

export function resourceGroupId(context: EmulatorContext, resourceGroup: string): string {
  return `/subscriptions/${context.identity.subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** The request body as a JSON object (400 InvalidRequestContent otherwise). */
export function objectBody(request: EmulatorRequest): Json {
  const text = request.body.toString('utf8');
  if (text.trim() === '') throw armError(400, 'InvalidRequestContent', 'The request content is empty.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw armError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: ${(error as Error).message}`,
    );
  }
  if (!isObject(value)) {
    throw armError(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  }
  return value;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: Json, key: string): Json {
  const inner = value[key];
  return isObject(inner) ? inner : {};
}

export function nowIso(context: EmulatorContext): string {
  return new Date(context.now()).toISOString();
}

export function systemData(context: EmulatorContext, existing: ArmResource | undefined): Json {
  const now = nowIso(context);
  const previous = isObject(existing?.systemData) ? existing.systemData : undefined;
  return {
    createdBy: previous?.createdBy ?? 'provlog-emulator',
    createdByType: previous?.createdByType ?? 'User',
    createdAt: previous?.createdAt ?? now,
    lastModifiedBy: 'provlog-emulator',
    lastModifiedByType: 'User',
    lastModifiedAt: now,
  };
}

export function newEtag(): string {
  return `"${randomUUID()}"`;
}

/** A stored resource as clients see it (without the emulator's own fields). */
export function publicView(resource: ArmResource): Json {
  const { [INTERNAL]: _internal, ...rest } = resource;
  return rest;
}

export function internalState<T extends Json>(resource: ArmResource | undefined): Partial<T> {
  const state = resource?.[INTERNAL];
  return (isObject(state) ? state : {}) as Partial<T>;
}

export function isGuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

/** `location` is required on tracked resources; ARM answers LocationRequired without it. */
export function requireLocation(body: Json, existing: ArmResource | undefined): string {
  const location = body.location ?? existing?.location;
  if (typeof location !== 'string' || location.trim() === '') {
    throw armError(400, 'LocationRequired', 'The location property is required for this definition.');
  }
  return location;
}

export function tagsOf(body: Json, existing: ArmResource | undefined): Json | undefined {
  if (body.tags !== undefined) {
    if (!isObject(body.tags)) throw badRequest('tags must be an object of string values.');
    return body.tags;
  }
  return isObject(existing?.tags) ? existing.tags : undefined;
}

/** ISO 8601 duration (`PT5M`, `P1D`, `PT1H30M`) in milliseconds, or undefined when not one. */
export function isoDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text === 'P' || /T$/i.test(text)) return undefined;
  const [days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

export function listReply(values: unknown[]): EmulatorReply {
  return jsonReply(200, { value: values });
}

/** How one tracked resource type behaves; the generic routes do the rest. */
export interface TrackedResourceType {
  /** `Microsoft.Insights` */
  provider: string;
  /** Other provider namespaces the same resources are reachable under (query packs). */
  providerAliases?: string[];
  /** `dataCollectionRules` */
  type: string;
  apiVersions: readonly string[];
  /** Checks the name from the URL (throws a 400). */
  checkName?(name: string): void;
  /** The stored resource for a PUT (throws a 400 on invalid bodies). */
  put(input: PutInput): ArmResource;
  /** The stored resource for a PATCH; absent: the type has no PATCH. */
  patch?(input: PutInput & { existing: ArmResource }): ArmResource;
  /** The resource as clients see it (defaults to publicView). */
  view?(resource: ArmResource, request: EmulatorRequest, context: EmulatorContext): Json;
  /** Extra work after a DELETE (removing data). */
  deleted?(resource: ArmResource, context: EmulatorContext): void;
  /** Filters list results (e.g. workbooks by category); may throw a 400. */
  listFilter?(request: EmulatorRequest): (resource: ArmResource) => boolean;
  /** Statuses of PUT: default 201 on create, 200 on update. */
  putStatus?(created: boolean): number;
}

export interface PutInput {
  id: string;
  name: string;
  resourceGroup: string;
  body: Json;
  existing: ArmResource | undefined;
  apiVersion: string;
  request: EmulatorRequest;
  context: EmulatorContext;
}

export function fullType(spec: TrackedResourceType): string {
  return `${spec.provider}/${spec.type}`;
}

/** Routes for list by subscription / resource group, and GET/PUT/PATCH/DELETE of one resource. */
export function trackedResourceRoutes(spec: TrackedResourceType): Route[] {
  const type = fullType(spec);
  const idOf = (context: EmulatorContext, params: Params): string =>
    `${resourceGroupId(context, params.rg)}/providers/${type}/${params.name}`;
  const view = (resource: ArmResource, request: EmulatorRequest, context: EmulatorContext): Json =>
    spec.view ? spec.view(resource, request, context) : publicView(resource);
  const routes: Route[] = [];
  for (const provider of [spec.provider, ...(spec.providerAliases ?? [])]) {
    const base = `/subscriptions/:sub/resourceGroups/:rg/providers/${provider}/${spec.type}`;
    routes.push(
      {
        methods: ['GET'],
        pattern: `/subscriptions/:sub/providers/${provider}/${spec.type}`,
        handler: (request, params, context) => {
          apiVersion(request, spec.apiVersions, type);
          checkSubscription(context, params.sub);
          const keep = spec.listFilter?.(request) ?? (() => true);
          const found = context.resources
            .list(type, `/subscriptions/${context.identity.subscriptionId}`)
            .filter(keep);
          return listReply(found.map((r) => view(r, request, context)));
        },
      },
      {
        methods: ['GET'],
        pattern: base,
        handler: (request, params, context) => {
          apiVersion(request, spec.apiVersions, type);
          checkSubscription(context, params.sub);
          const keep = spec.listFilter?.(request) ?? (() => true);
          const found = context.resources.list(type, resourceGroupId(context, params.rg)).filter(keep);
          return listReply(found.map((r) => view(r, request, context)));
        },
      },
      {
        methods: ['GET', 'PUT', 'PATCH', 'DELETE'],
        pattern: `${base}/:name`,
        handler: (request, params, context) => {
          const version = apiVersion(request, spec.apiVersions, type);
          checkSubscription(context, params.sub);
          spec.checkName?.(params.name);
          const id = idOf(context, params);
          const existing = context.resources.get(id);
          switch (request.method) {
            case 'GET':
              if (!existing) throw resourceNotFound(type, params.name, params.rg);
              return jsonReply(200, view(existing, request, context));
            case 'DELETE':
              if (!existing) return { status: 204 };
              context.resources.delete(existing.id);
              spec.deleted?.(existing, context);
              return { status: 200 };
            case 'PATCH': {
              if (!spec.patch) {
                throw armError(405, 'MethodNotAllowed', `PATCH is not supported on ${type}.`);
              }
              if (!existing) throw resourceNotFound(type, params.name, params.rg);
              const input = putInput(request, params, context, existing.id, existing, version);
              const stored = context.resources.put(spec.patch({ ...input, existing }));
              return jsonReply(200, view(stored, request, context));
            }
            default: {
              const input = putInput(request, params, context, existing?.id ?? id, existing, version);
              const stored = context.resources.put(spec.put(input));
              const status = spec.putStatus?.(!existing) ?? (existing ? 200 : 201);
              return jsonReply(status, view(stored, request, context));
            }
          }
        },
      },
    );
  }
  return routes;
}

function putInput(
  request: EmulatorRequest,
  params: Params,
  context: EmulatorContext,
  id: string,
  existing: ArmResource | undefined,
  version: string,
): PutInput {
  return {
    id,
    name: id.split('/').pop() ?? params.name,
    resourceGroup: params.rg,
    body: objectBody(request),
    existing,
    apiVersion: version,
    request,
    context,
  };
}
