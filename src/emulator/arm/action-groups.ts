/** Action groups (`Microsoft.Insights/actionGroups`): location Global, a short name of at most 12 characters. */
import type { Route } from '../router.js';
import {
  badRequest,
  isObject,
  type Json,
  objectAt,
  requireLocation,
  systemData,
  tagsOf,
  trackedResourceRoutes,
} from './common.js';

export const ACTION_GROUP_TYPE = 'Microsoft.Insights/actionGroups';
const API_VERSIONS = ['2021-09-01', '2023-01-01'] as const;
const RECEIVER_LISTS = [
  'emailReceivers',
  'smsReceivers',
  'webhookReceivers',
  'itsmReceivers',
  'azureAppPushReceivers',
  'automationRunbookReceivers',
  'voiceReceivers',
  'logicAppReceivers',
  'azureFunctionReceivers',
  'armRoleReceivers',
  'eventHubReceivers',
];

export function actionGroupRoutes(): Route[] {
  return trackedResourceRoutes({
    provider: 'Microsoft.Insights',
    type: 'actionGroups',
    apiVersions: API_VERSIONS,
    put: ({ id, name, body, existing, context }) => {
      const location = requireLocation(body, existing);
      if (location.toLowerCase() !== 'global') {
        throw badRequest(
          `Action groups must have location 'Global'; got '${location}'.`,
          'LocationNotAvailableForResourceType',
        );
      }
      const tags = tagsOf(body, undefined);
      return {
        id,
        name,
        type: ACTION_GROUP_TYPE,
        location: 'Global',
        ...(tags ? { tags } : {}),
        systemData: systemData(context, existing),
        properties: checkProperties(objectAt(body, 'properties')),
      };
    },
    patch: ({ body, existing, context }) => {
      const properties = objectAt(body, 'properties');
      if (properties.enabled !== undefined && typeof properties.enabled !== 'boolean') {
        throw badRequest('properties.enabled must be true or false.');
      }
      return {
        ...existing,
        ...(body.tags !== undefined ? { tags: tagsOf(body, existing) } : {}),
        systemData: systemData(context, existing),
        properties: {
          ...objectAt(existing, 'properties'),
          ...(properties.enabled !== undefined ? { enabled: properties.enabled } : {}),
        },
      };
    },
  });
}

function checkProperties(input: Json): Json {
  const shortName = input.groupShortName;
  if (typeof shortName !== 'string' || shortName.trim() === '') {
    throw badRequest('properties.groupShortName is required.');
  }
  if (shortName.length > 12) {
    throw badRequest(`groupShortName '${shortName}' is longer than 12 characters.`);
  }
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
    throw badRequest('properties.enabled must be true or false.');
  }
  const properties: Json = { ...input, groupShortName: shortName, enabled: input.enabled ?? true };
  for (const list of RECEIVER_LISTS) {
    const receivers = input[list] ?? [];
    if (!Array.isArray(receivers)) throw badRequest(`properties.${list} must be an array.`);
    const names = new Set<string>();
    for (const receiver of receivers) {
      if (!isObject(receiver) || typeof receiver.name !== 'string' || receiver.name === '') {
        throw badRequest(`Every entry of properties.${list} needs a name.`);
      }
      if (names.has(receiver.name.toLowerCase())) {
        throw badRequest(`Receiver name '${receiver.name}' is used twice in properties.${list}.`);
      }
      names.add(receiver.name.toLowerCase());
      if (
        list === 'emailReceivers' &&
        (typeof receiver.emailAddress !== 'string' || !receiver.emailAddress.includes('@'))
      ) {
        throw badRequest(`Email receiver '${receiver.name}' needs an emailAddress.`);
      }
    }
    properties[list] =
      list === 'emailReceivers'
        ? receivers.map((r: Json) => ({ useCommonAlertSchema: false, ...r, status: 'Enabled' }))
        : receivers;
  }
  return properties;
}
