/**
 * Report benchmark: wall time of `provlog report run <id>` (HTML, the default format) for every
 * report on the demo workspace, the way a user runs it: a new process each time. First run with an
 * empty user analysis cache (reports with default parameters find their analyses prebuilt in dist/),
 * then the median of 5 runs with the cache warm. Prints figures; asserts nothing.
 * Run: npm run bench:reports [-- --runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadReports } from '../src/reports/definition.js';
import { readRows } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';
import { demoWorkspace, medianMs, seconds, wall } from './cli-timing.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const workspaceDir = demoWorkspace();
const workspace = Workspace.open(workspaceDir);
let end = '';
let user = '';
let app = '';
for (const row of readRows(workspace, 'AADProvisioningLogs')) {
  const time = String(row.TimeGenerated);
  if (time > end) end = time;
  if (!user) user = JSON.parse(String(row.SourceIdentity)).details?.UserPrincipalName ?? '';
  if (!app) app = JSON.parse(String(row.ServicePrincipal)).Name;
}
const params: Record<string, string[]> = {
  'app-detail': ['--param', `App=${app}`],
  'user-trace': ['--param', `User=${user}`],
};
const cache = mkdtempSync(join(tmpdir(), 'provlog-cache-'));
const out = mkdtempSync(join(tmpdir(), 'provlog-reports-'));
try {
  console.log(`demo workspace ${workspaceDir}, now ${end}, node ${process.version}`);
  console.log(`report                 first run   cached (median of ${runs})   target`);
  for (const report of loadReports()) {
    const args = [
      'report',
      'run',
      report.id,
      '--workspace',
      workspaceDir,
      '--now',
      end,
      '-o',
      join(out, `${report.id}.html`),
      ...(params[report.id] ?? []),
    ];
    const cold = wall(args, { PROVLOG_CACHE_DIR: cache });
    const warm = Array.from({ length: runs }, () => wall(args, { PROVLOG_CACHE_DIR: cache }));
    console.log(
      `${report.id.padEnd(22)} ${seconds(cold).padStart(13)}   ${seconds(medianMs(warm)).padStart(22)}   <= 2 s`,
    );
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
