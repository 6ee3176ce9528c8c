/** ARM routes: aadiam diagnostic settings, workspaces, tables, DCRs, alert rules, action groups, workbooks, query packs. */
import type { Route } from '../router.js';
import { aadiamRoutes } from './aadiam.js';
import { actionGroupRoutes } from './action-groups.js';
import { dataCollectionRoutes } from './data-collection-rules.js';
import { workspaceRoutes } from './log-analytics-workspaces.js';
import { queryPackRoutes } from './query-packs.js';
import { savedSearchRoutes } from './saved-searches.js';
import { scheduledQueryRuleRoutes } from './scheduled-query-rules.js';
import { subscriptionRoutes } from './subscriptions.js';
import { tableRoutes } from './tables.js';
import { workbookRoutes } from './workbooks.js';

export function armRoutes(): Route[] {
  return [
    ...aadiamRoutes(),
    ...subscriptionRoutes(),
    ...workspaceRoutes(),
    ...tableRoutes(),
    ...savedSearchRoutes(),
    ...dataCollectionRoutes(),
    ...scheduledQueryRuleRoutes(),
    ...actionGroupRoutes(),
    ...workbookRoutes(),
    ...queryPackRoutes(),
  ];
}
