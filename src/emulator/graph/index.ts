/** Microsoft Graph routes: provisioning logs and synchronization jobs. */
import type { Route } from '../router.js';

export function graphRoutes(): Route[] {
  return [];
}
