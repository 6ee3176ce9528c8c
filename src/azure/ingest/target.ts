/**
 * The ingestion target `provlog ingest setup` made, saved in the local workspace, so later runs of
 * `provlog ingest` and `provlog pull --ingest` need no rule ids on the command line.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableName } from '../../model/schema.js';
import { writeFileAtomic } from '../../store/fsutil.js';

export interface SavedTarget {
  sourceTable: TableName;
  dcrImmutableId: string;
  dcrId: string;
  endpoint: string;
  stream: string;
  customTable: string;
  workspaceId: string;
}

function targetPath(workspaceDir: string, table: TableName): string {
  return join(workspaceDir, 'ingest', `target-${table}.json`);
}

export function saveTarget(workspaceDir: string, target: SavedTarget): string {
  const path = targetPath(workspaceDir, target.sourceTable);
  mkdirSync(join(workspaceDir, 'ingest'), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(target, null, 2)}\n`);
  return path;
}

export function loadTarget(workspaceDir: string, table: TableName): SavedTarget | undefined {
  const path = targetPath(workspaceDir, table);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as SavedTarget;
}
