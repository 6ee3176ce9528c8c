import { workspaceInfo } from '../store/reader.js';
import { Workspace } from '../store/workspace.js';
import { exitCodes } from './exit-codes.js';
import { bytes, count, printJson, textTable } from './format.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

export function runWorkspaceInfo(args: { workspace?: string; json: boolean }): number {
  const workspace = Workspace.open(resolveWorkspaceDir(args.workspace));
  const info = workspaceInfo(workspace);
  if (args.json) {
    printJson(info);
    return exitCodes.ok;
  }
  const out = process.stdout;
  out.write(
    `Workspace ${info.path}\n  id ${info.id}, ${count(info.imports)} imports, ${bytes(info.bytes)} on disk\n\n`,
  );
  out.write(
    `${textTable(
      ['table', 'rows', 'days', 'files', 'size', 'from', 'to'],
      info.tables.map((t) => [
        t.table,
        t.rows,
        t.days,
        t.files,
        bytes(t.bytes),
        t.minTime ?? '-',
        t.maxTime ?? '-',
      ]),
    )}\n`,
  );
  return exitCodes.ok;
}
