/** ARM routes: aadiam diagnostic settings, workspaces, tables, DCRs, alert rules, action groups, workbooks, query packs. */
import type { Route } from '../router.js';

export function armRoutes(): Route[] {
  return [];
}
