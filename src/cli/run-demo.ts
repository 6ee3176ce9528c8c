import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { generateTenant } from '../generate/index.js';
import { ChartThread } from '../reports/chart-thread.js';
import type { Cell, Tile } from '../reports/model.js';
import { workspaceInfo } from '../store/reader.js';
import { summarizeWorkspace } from '../store/summary.js';
import { Workspace } from '../store/workspace.js';
import { importGeneratedTenant } from '../tenant-import.js';
import type { DemoArgs } from './commands/demo.js';
import { exitCodes } from './exit-codes.js';
import { count, printJson, safeText, textTable } from './format.js';
import { progressBar } from './progress.js';
import { checkedEnd } from './run-generate.js';
import { runLocalReport, writeReport } from './run-report.js';

function formatTile(value: Cell): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : value === null ? '–' : String(value);
}

function sorted(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Builds `<dir>/workspace` afresh from a generated tenant and prints counts computed from the stored rows. */
export async function runDemo(args: DemoArgs): Promise<number> {
  const dir = resolve(args.dir);
  const workspaceDir = join(dir, 'workspace');
  if (existsSync(workspaceDir)) {
    if (!Workspace.exists(workspaceDir))
      throw new UserError(`${workspaceDir} exists and is not a provlog workspace; remove it or pass --dir`);
    rmSync(workspaceDir, { recursive: true, force: true });
  }
  const workspace = Workspace.open(workspaceDir, { create: true });
  const tenant = generateTenant({
    seed: args.seed,
    users: 200,
    apps: 6,
    days: 30,
    end: checkedEnd(args.end),
  });
  const progress = progressBar('building demo workspace', { json: args.json });
  const imported = await importGeneratedTenant(workspace, tenant, (p) => progress.update(p.read));
  progress.stop();
  const summary = summarizeWorkspace(workspace);
  const info = workspaceInfo(workspace);
  // The report's clock is the tenant's end, so its default window is the demo's 30 days.
  const charts = new ChartThread();
  let reportPath: string;
  let headline: Tile[];
  try {
    const result = await runLocalReport('provisioning-health', workspace.dir, {
      now: tenant.options.end,
      onSection: (section) => charts.start(section),
    });
    [reportPath] = await writeReport(result, 'html', join(dir, 'provisioning-health.html'), charts);
    headline = result.sections.find((s) => s.kind === 'headline')?.tiles ?? [];
  } finally {
    await charts.close();
  }
  if (args.json) {
    printJson({ workspace: workspace.dir, imported, info, summary, report: { path: reportPath, headline } });
    return exitCodes.ok;
  }
  const logs = info.tables.find((t) => t.table === 'AADProvisioningLogs')!;
  const out = process.stdout;
  out.write(`Demo workspace: ${workspace.dir}\n`);
  out.write(
    `  ${count(summary.rows)} provisioning events and ${count(summary.auditRows)} audit events, ${logs.minTime} .. ${logs.maxTime}\n\n`,
  );
  const section = (title: string, header: string, counts: Record<string, number>) => {
    out.write(
      `${title}\n${textTable(
        [header, 'events'],
        sorted(counts).map(([k, v]) => [safeText(k), v]),
      )}\n\n`,
    );
  };
  section('Events by result', 'result', summary.byResult);
  section('Events by action', 'action', summary.byAction);
  section('Events by app', 'app', summary.byApp);
  section('Failures by error code', 'error code', summary.failuresByCode);
  out.write(`Provisioning health report: ${reportPath}\n`);
  out.write(
    `${textTable(
      ['headline', 'value'],
      headline.map((tile) => [tile.label, `${formatTile(tile.value)}${tile.unit ?? ''}`]),
    )}\n\n`,
  );
  out.write(
    `Next: provlog report list; provlog query list; provlog report run app-detail --workspace ${workspace.dir} --param App=<name>\n`,
  );
  return exitCodes.ok;
}
