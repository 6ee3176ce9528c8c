import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { SourceFormat } from '../model/sources/types.js';
import { importFiles, type SourceFile } from '../store/file-import.js';
import type { ImportSummary } from '../store/importer.js';
import { Workspace } from '../store/workspace.js';
import { exitCodes } from './exit-codes.js';
import { count, printJson, safeText } from './format.js';
import { progressBar } from './progress.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

const DATA_EXTENSIONS = new Set(['.json', '.jsonl', '.ndjson', '.log', '.csv']);

/** Expands folders into the data files below them, in a stable order. */
export function expandInputs(paths: string[]): string[] {
  const files: string[] = [];
  for (const input of paths) {
    const path = resolve(input);
    if (!existsSync(path)) throw new UserError(`no such file or folder: ${input}`);
    if (statSync(path).isDirectory()) {
      const found = readdirSync(path, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && DATA_EXTENSIONS.has(extname(e.name).toLowerCase()))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      if (found.length === 0)
        throw new UserError(`${input}: no .json, .jsonl, .log or .csv files in this folder`);
      files.push(...found);
    } else files.push(path);
  }
  return files;
}

/** `--format la` picks the Log Analytics reader by extension; other formats apply to every file. */
function sourcesFor(files: string[], format: string): SourceFile[] {
  return files.map((file) => ({
    file,
    format:
      format === 'la'
        ? extname(file).toLowerCase() === '.csv'
          ? 'la-csv'
          : 'la-json'
        : (format as SourceFormat | 'auto'),
  }));
}

export interface ImportArgs {
  files: string[];
  format: string;
  workspace?: string;
  allowRejects: boolean;
  json: boolean;
  readers?: number;
}

export async function runImport(args: ImportArgs): Promise<number> {
  if (args.readers !== undefined && (!Number.isInteger(args.readers) || args.readers < 1))
    throw new UserError(`--readers must be a whole number of at least 1, not ${args.readers}`);
  const files = expandInputs(args.files);
  const workspace = Workspace.open(resolveWorkspaceDir(args.workspace), { create: true });
  const progress = progressBar('importing', { json: args.json });
  let summary: ImportSummary;
  try {
    summary = await importFiles(workspace, sourcesFor(files, args.format), {
      sources: files,
      readers: args.readers,
      onProgress: (p) =>
        progress.update(
          p.read,
          `added ${count(p.added)} dup ${count(p.duplicates)} rejected ${count(p.rejected)}`,
        ),
    });
  } finally {
    progress.stop();
  }
  if (args.json)
    printJson({ workspace: workspace.dir, files, ...summary, rejectsPath: rejectsFile(workspace, summary) });
  else printSummary(workspace, files, summary);
  printProblems(workspace, summary);
  return summary.rejected > 0 && !args.allowRejects ? exitCodes.rejects : exitCodes.ok;
}

function rejectsFile(workspace: Workspace, summary: ImportSummary): string | undefined {
  return summary.rejectsPath ? workspace.path(summary.rejectsPath) : undefined;
}

function printSummary(workspace: Workspace, files: string[], summary: ImportSummary): void {
  const out = process.stdout;
  out.write(`Imported ${files.length} file${files.length === 1 ? '' : 's'} into ${workspace.dir}\n`);
  out.write(
    `  read ${count(summary.read)}, added ${count(summary.added)}, duplicate ${count(summary.duplicates)}, rejected ${count(summary.rejected)}\n`,
  );
  for (const [table, c] of Object.entries(summary.byTable)) {
    out.write(`  ${table}: added ${count(c.added)}, duplicate ${count(c.duplicates)}\n`);
  }
}

/** Warnings and the rejects notice go to stderr, with --json too, so they are never missed. */
function printProblems(workspace: Workspace, summary: ImportSummary): void {
  for (const warning of summary.warnings) process.stderr.write(`warning: ${safeText(warning)}\n`);
  if (summary.rejected > 0) {
    process.stderr.write(
      `${count(summary.rejected)} record${summary.rejected === 1 ? ' was' : 's were'} rejected; see ${rejectsFile(workspace, summary)}\n`,
    );
  }
}
