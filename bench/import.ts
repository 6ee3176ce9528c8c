/**
 * Import benchmark: generates N rows (default 1,000,000) as Log Analytics JSON lines, imports them into
 * a fresh workspace with `provlog import` (twice, each in a new process), loads every column back
 * into memory in three new processes (as a query would), and compares the workspace size with the
 * JSON lines. Prints figures; asserts nothing. Run: npm run bench:import [-- --rows N --readers N --keep]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTenant } from '../src/generate/index.js';
import type { ProvisioningLogRow } from '../src/model/rows.js';
import { writeSourceFile } from '../src/model/sources/writers.js';
import { packageRoot } from '../src/package-root.js';
import { stringColumn } from '../src/store/column-access.js';
import type { ImportSummary } from '../src/store/importer.js';
import { loadTableAsync, workspaceInfo } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    readers: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const target = Number(values.rows);

function* limited(rows: Iterable<ProvisioningLogRow>, n: number): Generator<ProvisioningLogRow> {
  let i = 0;
  for (const row of rows) {
    if (i++ >= n) return;
    yield row;
  }
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function rate(rows: number, ms: number): string {
  return `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
}

const dir = mkdtempSync(join(tmpdir(), 'provlog-bench-'));
try {
  const users = Math.max(200, Math.ceil(target / 200));
  const tenant = generateTenant({ seed: 7, users, apps: 8, days: 30, end: '2026-11-01T00:00:00Z' });
  const jsonl = join(dir, 'rows.jsonl');
  const t = performance.now();
  await writeSourceFile('la-json', limited(tenant.provisioningRows(), target), [], jsonl);
  const jsonBytes = statSync(jsonl).size;
  // Flushed to disk first, so that the write-back of 3 GB does not run during the timed import.
  const fd = openSync(jsonl, 'r');
  fsyncSync(fd);
  closeSync(fd);
  console.log(
    `generate + write JSON lines: ${target.toLocaleString('en-US')} rows, ${mib(jsonBytes)} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  // `provlog import` in a process of its own, as a user runs it (start-up included), twice.
  const imports = [1, 2].map((run) => {
    const dirOf = join(dir, `ws${run}`);
    const readers = values.readers === undefined ? [] : ['--readers', values.readers];
    const started = performance.now();
    const out = execFileSync(
      process.execPath,
      [join(packageRoot(), 'bin/provlog.js'), 'import', jsonl, '--workspace', dirOf, '--json', ...readers],
      { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
    );
    const ms = performance.now() - started;
    if (run === 2) rmSync(dirOf, { recursive: true, force: true });
    return { ms, summary: JSON.parse(out) as ImportSummary };
  });
  const added = imports[0].summary.added;
  const meanMs = (imports[0].ms + imports[1].ms) / 2;
  console.log(
    `import: ${added.toLocaleString('en-US')} rows added, ${imports[0].summary.readers} reader thread(s): ${imports.map((i) => `${(i.ms / 1000).toFixed(1)} s = ${rate(i.summary.added, i.ms)}`).join(', ')}; mean ${rate(added, meanMs)}  (target >= 50,000 rows/s)`,
  );
  const workspace = Workspace.open(join(dir, 'ws1'));

  // A query loads the workspace in a process of its own: three fresh loads, and their median.
  const fresh = [0, 1, 2].map(() => {
    const out = execFileSync(
      process.execPath,
      ['--max-old-space-size=8192', join(import.meta.dirname, 'load-table.js'), workspace.dir],
      { encoding: 'utf8' },
    );
    return JSON.parse(out) as { ms: number; rows: number; columns: number };
  });
  const times = fresh.map((f) => f.ms).sort((a, b) => a - b);
  console.log(
    `load all ${fresh[0].columns} columns of ${fresh[0].rows.toLocaleString('en-US')} rows in a new process: median ${(times[1] / 1000).toFixed(2)} s (runs ${fresh.map((f) => (f.ms / 1000).toFixed(2)).join(', ')} s)  (target <= 2 s)`,
  );

  const tables = await loadTableAsync(workspace, 'AADProvisioningLogs');
  const scanStarted = performance.now();
  let checksum = 0;
  for (const table of tables)
    for (const batch of table.batches) {
      const result = stringColumn(batch, 'ResultType');
      for (let i = 0; i < batch.numRows; i++) checksum += result.get(i).length;
    }
  console.log(
    `scan ResultType over all rows: ${((performance.now() - scanStarted) / 1000).toFixed(2)} s (checksum ${checksum})`,
  );

  const info = workspaceInfo(workspace);
  console.log(
    `workspace size: ${mib(info.bytes)} = ${((100 * info.bytes) / jsonBytes).toFixed(1)}% of the JSON lines  (target <= 40%)`,
  );
  if (values.keep) console.log(`kept: ${dir}`);
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
