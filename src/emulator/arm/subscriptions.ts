/** The emulator's one subscription and its resource groups (any group exists; none has to be created). */
import type { EmulatorContext } from '../context.js';
import { jsonReply } from '../http.js';
import type { Route } from '../router.js';
import { apiVersion, checkSubscription, type Json, listReply } from './common.js';

const API_VERSIONS = [
  '2016-06-01',
  '2019-11-01',
  '2020-01-01',
  '2021-01-01',
  '2021-04-01',
  '2022-09-01',
  '2022-12-01',
  '2024-03-01',
  '2024-11-01',
] as const;

function subscription(context: EmulatorContext): Json {
  const { subscriptionId, tenantId } = context.identity;
  return {
    id: `/subscriptions/${subscriptionId}`,
    subscriptionId,
    tenantId,
    displayName: 'provlog emulator',
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
    authorizationSource: 'RoleBased',
  };
}

function resourceGroup(context: EmulatorContext, name: string): Json {
  return {
    id: `/subscriptions/${context.identity.subscriptionId}/resourceGroups/${name}`,
    name,
    type: 'Microsoft.Resources/resourceGroups',
    location: 'eastus',
    properties: { provisioningState: 'Succeeded' },
  };
}

export function subscriptionRoutes(): Route[] {
  return [
    {
      methods: ['GET'],
      pattern: '/subscriptions',
      handler: (request, _params, context) => {
        apiVersion(request, API_VERSIONS, 'Microsoft.Resources/subscriptions');
        return listReply([subscription(context)]);
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/:sub',
      handler: (request, params, context) => {
        apiVersion(request, API_VERSIONS, 'Microsoft.Resources/subscriptions');
        checkSubscription(context, params.sub);
        return jsonReply(200, subscription(context));
      },
    },
    {
      methods: ['GET', 'HEAD', 'PUT'],
      pattern: '/subscriptions/:sub/resourceGroups/:rg',
      handler: (request, params, context) => {
        apiVersion(request, API_VERSIONS, 'Microsoft.Resources/resourceGroups');
        checkSubscription(context, params.sub);
        if (request.method === 'HEAD') return { status: 204 };
        return jsonReply(200, resourceGroup(context, params.rg));
      },
    },
  ];
}
