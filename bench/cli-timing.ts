/** Timing the CLI as a user runs it: a new process per run, from the repository's launcher. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const demoDir = join(root, 'provlog-demo');
const cli = join(root, 'bin/provlog.js');

/** Wall time of one `provlog …` run in ms; throws when it fails. */
export function wall(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`provlog ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

export function medianMs(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The demo workspace, built by `provlog demo` when it is not there yet. */
export function demoWorkspace(): string {
  if (!existsSync(join(demoDir, 'workspace', 'catalog.json'))) wall(['demo', '--dir', demoDir]);
  return join(demoDir, 'workspace');
}
