import { join } from 'node:path';
import envPaths from 'env-paths';

/** Where query analyses are cached: $PROVLOG_CACHE_DIR, else the user cache directory. */
export function analysisCacheDir(): string {
  return join(process.env.PROVLOG_CACHE_DIR ?? envPaths('provlog', { suffix: '' }).cache, 'analysis');
}
