/**
 * Start-up benchmark: wall time of `provlog --help` and of a query on the demo workspace, with the
 * analyser's cache cold and warm. Prints medians; asserts nothing. Run: npm run bench:startup
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoDir, demoWorkspace, medianMs, root, seconds, wall } from './cli-timing.js';

const demo = demoDir;
const query = join(root, 'bench/queries/failures-by-app.kql');

function median(values: number[]): string {
  return seconds(medianMs(values));
}

demoWorkspace();
const cache = mkdtempSync(join(tmpdir(), 'provlog-cache-'));
try {
  const help = Array.from({ length: 5 }, () => wall(['--help']));
  console.log(`provlog --help: ${median(help)}  (target <= 0.3 s)`);
  const args = [
    'query',
    'run',
    query,
    '--workspace',
    join(demo, 'workspace'),
    '--now',
    '2026-11-27T00:00:00Z',
  ];
  const cold = [wall(args, { PROVLOG_CACHE_DIR: cache })];
  const warm = Array.from({ length: 5 }, () => wall(args, { PROVLOG_CACHE_DIR: cache }));
  console.log(`query on the demo workspace, analyser cold: ${median(cold)}`);
  console.log(
    `query on the demo workspace, analysis cached (shipped queries): ${median(warm)}  (target <= 1.0 s)`,
  );
} finally {
  rmSync(cache, { recursive: true, force: true });
}
