/** Logs Ingestion API routes. */
import type { Route } from '../router.js';

export function ingestionRoutes(): Route[] {
  return [];
}
