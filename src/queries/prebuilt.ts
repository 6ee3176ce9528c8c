import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** Analyses of the shipped queries with default parameters, built by `npm run build`. */
export function prebuiltAnalysesDir(): string {
  return join(packageRoot(), 'dist', 'analyses');
}
