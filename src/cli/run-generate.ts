import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { generateTenant } from '../generate/index.js';
import { writeSourceFile } from '../model/sources/writers.js';
import { parseTime } from '../model/time.js';
import { Workspace } from '../store/workspace.js';
import { currentHour, importGeneratedTenant } from '../tenant-import.js';
import type { GenerateArgs } from './commands/generate.js';
import { exitCodes } from './exit-codes.js';
import { count, printJson } from './format.js';
import { type Progress, progressBar } from './progress.js';

export function checkedEnd(end: string | undefined): string {
  if (end === undefined) return currentHour();
  if (!parseTime(end)) throw new UserError(`--end: not a datetime: ${end}`);
  return end;
}

function* counted<T>(items: Iterable<T>, progress: Progress): Generator<T> {
  let n = 0;
  for (const item of items) {
    yield item;
    if (++n % 5_000 === 0) progress.update(n);
  }
}

export async function runGenerate(args: GenerateArgs): Promise<number> {
  const tenant = generateTenant({
    seed: args.seed,
    users: args.users,
    apps: args.apps,
    days: args.days,
    end: checkedEnd(args.end),
  });
  if (args.out) {
    const format = args.format === 'la' ? 'la-json' : args.format;
    const progress = progressBar('generating', { json: args.json });
    let paths: string[];
    try {
      paths = await writeSourceFile(
        format,
        counted(tenant.provisioningRows(), progress),
        tenant.auditRows(),
        resolve(args.out),
      );
    } finally {
      progress.stop();
    }
    const truth = tenant.truth();
    if (args.json) printJson({ files: paths, format: args.format, truth });
    else {
      process.stdout.write(
        `Wrote ${count(truth.rowCount)} provisioning events and ${count(truth.auditCount)} audit events (${args.format}) to\n`,
      );
      for (const path of paths) process.stdout.write(`  ${path}\n`);
    }
    return exitCodes.ok;
  }
  const workspace = Workspace.open(args.workspace!, { create: true });
  const progress = progressBar('generating', { json: args.json });
  try {
    const summary = await importGeneratedTenant(workspace, tenant, (p) => progress.update(p.read));
    progress.stop();
    if (args.json) printJson({ workspace: workspace.dir, ...summary, truth: tenant.truth() });
    else
      process.stdout.write(
        `Generated ${count(summary.read)} rows into ${workspace.dir}: added ${count(summary.added)}, duplicate ${count(summary.duplicates)}\n`,
      );
    return summary.rejected > 0 ? exitCodes.rejects : exitCodes.ok;
  } finally {
    progress.stop();
  }
}
