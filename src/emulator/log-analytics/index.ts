/** Log Analytics query API routes. */
import type { Route } from '../router.js';

export function logAnalyticsRoutes(): Route[] {
  return [];
}
