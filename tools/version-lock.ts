/**
 * Checks the query library against queries/versions.lock.json (exit 1 on a content change without a
 * version bump, or a lock that is not up to date); `--write` records bumped, new and removed items.
 * Run: npm run queries:lock (writes) or node dist/tools/version-lock.js (checks).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { checkLock, currentEntries, LOCK_FILE, type Lock } from '../src/queries/version-lock.js';
import { writeFileAtomic } from '../src/store/fsutil.js';

const root = packageRoot();
const lockPath = join(root, 'queries', LOCK_FILE);
const locked = JSON.parse(readFileSync(lockPath, 'utf8')) as Lock;
const current = currentEntries(join(root, 'queries'), join(root, 'reports'));
const { errors, stale } = checkLock(current, locked);
for (const error of errors) console.error(`error: ${error}`);
if (process.argv.includes('--write')) {
  if (errors.length > 0) process.exit(1);
  writeFileAtomic(lockPath, `${JSON.stringify(current, null, 2)}\n`);
  for (const line of stale) console.log(`recorded: ${line}`);
  console.log(`${lockPath}: ${Object.keys(current).length} entries`);
} else {
  for (const line of stale) console.error(`not in the lock: ${line} (run npm run queries:lock)`);
  if (errors.length > 0 || stale.length > 0) process.exit(1);
  console.log(`${Object.keys(current).length} queries, functions and reports match ${LOCK_FILE}`);
}
