import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const cliPath = join(repoRoot, 'bin/provlog.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) the way a user would, with a clean environment. */
export function provlog(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, PROVLOG_WORKSPACE: undefined, ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function provlogJson<T>(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): T {
  const result = provlog([...args, '--json'], options);
  if (result.code !== 0) throw new Error(`provlog ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Starts the CLI without waiting, for tests that kill it. */
export function startProvlog(args: string[]) {
  return spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: 'ignore' });
}

export function tempDir(prefix = 'provlog-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `provlog generate` options for a tenant of the given size (seeded, so reproducible). */
export function tenantArgs(
  seed: number,
  size: { users: number; apps: number; days: number; end: string },
): string[] {
  return [
    '--seed',
    String(seed),
    '--users',
    String(size.users),
    '--apps',
    String(size.apps),
    '--days',
    String(size.days),
    '--end',
    size.end,
  ];
}

/**
 * Runs the built CLI without blocking the test process, for tests that serve something to it in
 * process (the emulator); `spawnSync` would stall the server the CLI talks to.
 */
export function provlogAsync(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, PROVLOG_WORKSPACE: undefined, PROVLOG_EMULATOR: undefined, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
