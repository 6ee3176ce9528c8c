/**
 * Pull benchmark: `provlog pull` (the built CLI, as a child process) against an in-process emulator
 * that enforces Graph's reports throttle, with large pages. Prints rows/s achieved against the
 * ceiling (requests allowed per second × page size) and against the ideal schedule of the same
 * requests under the limit (the first window's burst makes short runs beat the steady ceiling).
 * Asserts nothing.
 *
 *   npm run bench:pull                       real limit: 5 requests / 10 s, 20 pages of 2,000 (≈ 40 s)
 *   npm run bench:pull -- --scale 10         5 requests / 1 s (limit scaled down ten times)
 *   npm run bench:pull -- --pages 30 --page-size 1000
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulator } from '../src/emulator/server.js';
import { generateTenant } from '../src/generate/index.js';
import { importGeneratedTenant } from '../src/tenant-import.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const scale = option('scale', 1);
const pages = Math.round(option('pages', 20));
const pageSize = Math.round(option('page-size', 2000));
const limit = 5;
const windowSeconds = 10 / scale;
const END = '2025-03-01T00:00:00Z';
const root = resolve(import.meta.dirname, '../..');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'bin/provlog.js'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const temp = mkdtempSync(join(tmpdir(), 'provlog-bench-pull-'));
const emulator = await startEmulator({
  dataDir: join(temp, 'emulator'),
  settings: { graph: { requestsPerWindow: limit, windowSeconds, maxPageSize: pageSize } },
});
try {
  const wanted = pages * pageSize;
  const days = Math.max(2, Math.ceil(wanted / 4000) + 1);
  const tenant = generateTenant({ seed: 5, users: 400, apps: 6, days, end: END });
  const store = emulator.context.logs.get(emulator.context.identity.workspaceId)!.store();
  await importGeneratedTenant(store, tenant);
  // The newest `wanted` events: a window of exactly `pages` full pages.
  const times = [...tenant.provisioningRows()].map((r) => r.TimeGenerated).sort();
  if (times.length < wanted + 1) throw new Error(`only ${times.length} rows generated`);
  const from = `${times[times.length - wanted].slice(0, 23)}Z`;
  const inWindow = times.filter((t) => `${t.slice(0, 23)}Z` >= from).length;

  // Let the emulator load its data now (a request outside the reports limit), not inside the timing.
  await new Promise<void>((done, fail) =>
    request(
      `${emulator.url}/v1.0/servicePrincipals`,
      { ca: emulator.ca, headers: { authorization: `Bearer ${emulator.token}` } },
      (res) => res.resume().on('end', () => done()),
    )
      .on('error', fail)
      .end(),
  );
  console.log(
    `pull benchmark: limit ${limit} requests / ${windowSeconds} s${scale !== 1 ? ` (Graph's 5 / 10 s scaled ×${scale})` : " (Graph's)"}, page size ${pageSize}, ${inWindow} events`,
  );
  const result = await run([
    'pull',
    '--emulator',
    join(temp, 'emulator'),
    '--workspace',
    join(temp, 'workspace'),
    '--from',
    from,
    '--to',
    END,
    '--page-size',
    String(pageSize),
    '--json',
  ]);
  if (result.code !== 0) throw new Error(`pull failed (${result.code}): ${result.stderr}`);
  const summary = JSON.parse(result.stdout) as {
    requests: number;
    pages: number;
    added: number;
    throttled: number;
    elapsedMs: number;
  };
  const seconds = summary.elapsedMs / 1000;
  const rate = summary.added / seconds;
  const ceiling = (limit / windowSeconds) * pageSize;
  const idealSeconds = Math.floor((summary.requests - 1) / limit) * windowSeconds;
  const idealRate = summary.added / Math.max(idealSeconds, 1e-9);
  console.log(
    `  ${summary.added} events in ${summary.requests} requests (${summary.pages} pages), ${seconds.toFixed(1)} s, ${summary.throttled} throttled (429)`,
  );
  console.log(
    `  ${rate.toFixed(0)} rows/s; ceiling ${ceiling.toFixed(0)} rows/s → ${((100 * rate) / ceiling).toFixed(0)} % (target >= 90 %)`,
  );
  console.log(
    `  ideal schedule for ${summary.requests} requests under the limit: ${idealSeconds.toFixed(1)} s (${idealRate.toFixed(0)} rows/s) → ${((100 * idealSeconds) / seconds).toFixed(0)} % of it achieved`,
  );
} finally {
  await emulator.close();
  rmSync(temp, { recursive: true, force: true });
}
