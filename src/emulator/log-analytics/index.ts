/**
 * Log Analytics query API routes: a workspace by its GUID (POST and GET), a workspace by its ARM
 * resource id (resource-centric), and `$batch`. Queries run on the embedded KQL engine.
 */
import type { Route } from '../router.js';
import { answerBatch } from './batch.js';
import { resourceNotFound, workspaceNotFound } from './errors.js';
import { queryRequest } from './request.js';

export function logAnalyticsRoutes(): Route[] {
  return [
    {
      methods: ['POST'],
      pattern: '/v1/$batch',
      handler: (request, _params, context) => answerBatch(request, context),
    },
    {
      methods: ['POST', 'GET'],
      pattern: '/v1/workspaces/:workspaceId/query',
      handler: (request, params, context) => {
        const workspace = context.logs.get(params.workspaceId);
        if (!workspace) return workspaceNotFound(params.workspaceId);
        return queryRequest(request, workspace, context);
      },
    },
    {
      methods: ['POST', 'GET'],
      pattern: '/v1/*resourceId/query',
      handler: (request, params, context) => {
        const id = `/${params.resourceId.replace(/^\/+/, '')}`;
        const workspace = context.logs.byArmId(id);
        if (!workspace) return resourceNotFound(id);
        return queryRequest(request, workspace, context);
      },
    },
  ];
}
