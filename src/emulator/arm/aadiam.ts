/**
 * Entra diagnostic settings (`microsoft.aadiam/diagnosticSettings`, tenant scope). Mirrors the
 * service's quirks: at most 5 settings, a setting without an enabled log is accepted but never readable,
 * and (with `arm.consistencyDelayMs`) a new setting reads as 404 and a deleted one as present for a while.
 */
import type { EmulatorContext } from '../context.js';
import { jsonReply } from '../http.js';
import type { ArmResource } from '../resources.js';
import type { Route } from '../router.js';
import { WORKSPACE_TYPE } from '../workspaces.js';
import {
  apiVersion,
  armError,
  badRequest,
  INTERNAL,
  internalState,
  isObject,
  type Json,
  listReply,
  objectAt,
  objectBody,
  publicView,
} from './common.js';

const API_VERSIONS = ['2017-04-01', '2017-04-01-preview'] as const;
const SETTING_TYPE = 'microsoft.aadiam/diagnosticSettings';
const CATEGORY_TYPE = 'microsoft.aadiam/diagnosticSettingsCategories';
export const MAX_DIAGNOSTIC_SETTINGS = 5;

/** The Entra log categories a setting may route. */
export const ENTRA_LOG_CATEGORIES = [
  'AuditLogs',
  'SignInLogs',
  'NonInteractiveUserSignInLogs',
  'ServicePrincipalSignInLogs',
  'ManagedIdentitySignInLogs',
  'ProvisioningLogs',
  'ADFSSignInLogs',
  'RiskyUsers',
  'UserRiskEvents',
  'RiskyServicePrincipals',
  'ServicePrincipalRiskEvents',
  'EnrichedOffice365AuditLogs',
  'MicrosoftGraphActivityLogs',
  'NetworkAccessTrafficLogs',
  'CustomSecurityAttributeAuditLogs',
];

interface Visibility {
  /** Epoch ms from which a new setting is readable. */
  visibleFrom?: number;
  /** Epoch ms of the DELETE; the setting stays readable for the consistency delay after it. */
  deletedAt?: number;
}

function settingId(name: string): string {
  return `/providers/microsoft.aadiam/diagnosticSettings/${name}`;
}

// The consistency delay is about real elapsed time, even when a test fixes the emulator's clock.
const clock = (): number => Date.now();

/** Whether a GET/list would see the setting now; purges a deleted one whose delay has passed. */
function visible(context: EmulatorContext, resource: ArmResource): boolean {
  const state = internalState<Visibility & Json>(resource);
  const delay = context.settings().arm.consistencyDelayMs;
  if (state.deletedAt !== undefined) {
    if (clock() < state.deletedAt + delay) return true;
    context.resources.delete(resource.id);
    return false;
  }
  return state.visibleFrom === undefined || clock() >= state.visibleFrom;
}

function live(resource: ArmResource): boolean {
  return internalState<Visibility & Json>(resource).deletedAt === undefined;
}

export function aadiamRoutes(): Route[] {
  const base = '/providers/microsoft.aadiam';
  return [
    {
      methods: ['GET'],
      pattern: `${base}/diagnosticSettings`,
      handler: (request, _params, context) => {
        apiVersion(request, API_VERSIONS, SETTING_TYPE);
        const settings = context.resources.list(SETTING_TYPE).filter((r) => visible(context, r));
        return listReply(settings.map(publicView));
      },
    },
    {
      methods: ['GET', 'PUT', 'DELETE'],
      pattern: `${base}/diagnosticSettings/:name`,
      handler: (request, params, context) => {
        apiVersion(request, API_VERSIONS, SETTING_TYPE);
        const existing = context.resources.get(settingId(params.name));
        if (request.method === 'GET') {
          if (!existing || !visible(context, existing)) {
            throw armError(404, 'ResourceNotFound', `The diagnostic setting '${params.name}' was not found.`);
          }
          return jsonReply(200, publicView(existing));
        }
        if (request.method === 'DELETE') {
          if (!existing || !live(existing)) return { status: 204 };
          const delay = context.settings().arm.consistencyDelayMs;
          if (delay > 0) {
            context.resources.put({ ...existing, [INTERNAL]: { deletedAt: clock() } });
          } else {
            context.resources.delete(existing.id);
          }
          return { status: 200 };
        }
        return putSetting(context, params.name, existing, objectBody(request));
      },
    },
    {
      methods: ['GET'],
      pattern: `${base}/diagnosticSettingsCategories`,
      handler: (request) => {
        apiVersion(request, API_VERSIONS, CATEGORY_TYPE);
        return listReply(ENTRA_LOG_CATEGORIES.map(categoryResource));
      },
    },
    {
      methods: ['GET'],
      pattern: `${base}/diagnosticSettingsCategories/:name`,
      handler: (request, params) => {
        apiVersion(request, API_VERSIONS, CATEGORY_TYPE);
        const category = ENTRA_LOG_CATEGORIES.find((c) => c.toLowerCase() === params.name.toLowerCase());
        if (!category) {
          throw armError(
            404,
            'ResourceNotFound',
            `The diagnostic settings category '${params.name}' was not found.`,
          );
        }
        return jsonReply(200, categoryResource(category));
      },
    },
    {
      methods: ['GET'],
      pattern: `${base}/operations`,
      handler: (request) => {
        apiVersion(request, API_VERSIONS, 'microsoft.aadiam/operations');
        const operation = (name: string, description: string) => ({
          name: `microsoft.aadiam/diagnosticSettings/${name}`,
          display: {
            provider: 'Microsoft Entra ID',
            resource: 'Diagnostic settings',
            operation: description,
            description,
          },
        });
        return listReply([
          operation('read', 'Read diagnostic settings'),
          operation('write', 'Write diagnostic settings'),
          operation('delete', 'Delete diagnostic settings'),
        ]);
      },
    },
  ];
}

function categoryResource(name: string): Json {
  return {
    id: `/providers/microsoft.aadiam/diagnosticSettingsCategories/${name}`,
    name,
    type: CATEGORY_TYPE,
    properties: { categoryType: 'Logs' },
  };
}

function putSetting(
  context: EmulatorContext,
  name: string,
  existing: ArmResource | undefined,
  body: Json,
): ReturnType<typeof jsonReply> {
  const properties = checkProperties(context, body.properties);
  const id = existing && live(existing) ? existing.id : settingId(name);
  const resource: ArmResource = { id, name: id.split('/').pop() ?? name, type: SETTING_TYPE, properties };
  const logs = properties.logs as { enabled: boolean }[];
  if (!logs.some((l) => l.enabled)) {
    // The service accepts a setting without an enabled log but keeps nothing readable.
    if (existing) context.resources.delete(existing.id);
    return jsonReply(200, resource);
  }
  const others = context.resources
    .list(SETTING_TYPE)
    .filter((r) => live(r) && r.id.toLowerCase() !== id.toLowerCase());
  if (others.length >= MAX_DIAGNOSTIC_SETTINGS) {
    throw badRequest(
      `The tenant already has ${others.length} diagnostic settings (${others.map((r) => r.name).join(', ')}); at most ${MAX_DIAGNOSTIC_SETTINGS} are allowed. Delete one or reuse its name.`,
      'DiagnosticSettingsLimitExceeded',
    );
  }
  const previous = existing && live(existing) ? internalState<Visibility & Json>(existing) : undefined;
  const delay = context.settings().arm.consistencyDelayMs;
  // An update of a readable setting stays readable; a new one appears after the delay.
  const visibleFrom = previous ? (previous.visibleFrom ?? 0) : clock() + delay;
  context.resources.put({ ...resource, ...(visibleFrom > 0 ? { [INTERNAL]: { visibleFrom } } : {}) });
  return jsonReply(200, resource);
}

const WORKSPACE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

function checkProperties(context: EmulatorContext, value: unknown): Json {
  if (!isObject(value)) throw badRequest('The request body needs a properties object.', 'BadRequest');
  const properties: Json = { ...value };
  const destinations = ['workspaceId', 'storageAccountId', 'eventHubAuthorizationRuleId', 'serviceBusRuleId'];
  const given = destinations.filter((d) => typeof properties[d] === 'string' && properties[d] !== '');
  if (given.length === 0) {
    throw badRequest(
      'A diagnostic setting needs at least one destination: workspaceId, storageAccountId or eventHubAuthorizationRuleId.',
      'BadRequest',
    );
  }
  if (typeof properties.workspaceId === 'string' && properties.workspaceId !== '') {
    const workspaceId = properties.workspaceId;
    if (!WORKSPACE_ID.test(workspaceId)) {
      throw badRequest(
        `Property id '${workspaceId}' at path 'properties.workspaceId' is invalid: it must be the workspace's full ARM resource id (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>), not its workspace (customer) id.`,
        'LinkedInvalidPropertyId',
      );
    }
    const workspace = context.resources.get(workspaceId);
    if (!workspace || workspace.type.toLowerCase() !== WORKSPACE_TYPE.toLowerCase()) {
      throw badRequest(`The Log Analytics workspace '${workspaceId}' does not exist.`, 'BadRequest');
    }
  }
  properties.logs = checkLogs(properties.logs);
  return properties;
}

function checkLogs(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('properties.logs must be an array.', 'BadRequest');
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const at = `properties.logs[${index}]`;
    if (!isObject(entry)) throw badRequest(`${at} must be an object.`, 'BadRequest');
    const category = ENTRA_LOG_CATEGORIES.find(
      (c) => typeof entry.category === 'string' && c.toLowerCase() === entry.category.toLowerCase(),
    );
    if (!category) {
      throw badRequest(
        `${at}.category '${String(entry.category)}' is not a Microsoft Entra log category (${ENTRA_LOG_CATEGORIES.join(', ')}).`,
        'BadRequest',
      );
    }
    if (seen.has(category))
      throw badRequest(`Category ${category} appears twice in properties.logs.`, 'BadRequest');
    seen.add(category);
    if (typeof entry.enabled !== 'boolean') {
      throw badRequest(`${at}.enabled is required and must be true or false.`, 'BadRequest');
    }
    if (entry.retentionPolicy !== undefined && entry.retentionPolicy !== null) {
      const policy = objectAt(entry, 'retentionPolicy');
      if (typeof policy.enabled !== 'boolean') {
        throw badRequest(
          `${at}.retentionPolicy.enabled is required and must be true or false.`,
          'BadRequest',
        );
      }
      if (typeof policy.days !== 'number' || !Number.isInteger(policy.days) || policy.days < 0) {
        throw badRequest(`${at}.retentionPolicy.days is required and must be an integer ≥ 0.`, 'BadRequest');
      }
    }
    return { ...entry, category };
  });
}
