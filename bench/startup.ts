/**
 * Start-up benchmark: wall time of `provlog --help` and of a query on the demo workspace, with the
 * analyser's cache cold and warm. Prints medians; asserts nothing. Run: npm run bench:startup
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'bin/provlog.js');
const demo = join(root, 'provlog-demo');
const query = join(root, 'bench/queries/failures-by-app.kql');

function wall(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`provlog ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function median(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)} s`;
}

if (!existsSync(join(demo, 'workspace', 'catalog.json'))) wall(['demo', '--dir', demo]);
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
