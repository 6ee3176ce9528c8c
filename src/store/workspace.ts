import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import envPaths from 'env-paths';
import { UserError } from '../errors.js';
import type { TableName } from '../model/schema.js';
import { type Catalog, readCatalog, tableFiles } from './catalog.js';
import { writeFileAtomic } from './fsutil.js';
import { WorkspaceLock } from './lock.js';

export interface WorkspaceManifest {
  readonly formatVersion: 1;
  /** Stands in for the Log Analytics workspace id: rows without a TenantId get this one. */
  readonly id: string;
  readonly created: string;
}

/** The workspace directory used when neither --workspace nor PROVLOG_WORKSPACE names one. */
export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROVLOG_WORKSPACE) return resolve(env.PROVLOG_WORKSPACE);
  return join(envPaths('provlog', { suffix: '' }).data, 'workspace');
}

/**
 * A local workspace: per table, day partitions of immutable Arrow IPC files, and a catalog that lists
 * the committed files. Writers hold an exclusive lock; readers read the catalog once and see a
 * consistent snapshot, because files are never changed after the catalog lists them.
 */
export class Workspace {
  private constructor(
    readonly dir: string,
    readonly manifest: WorkspaceManifest,
  ) {}

  get id(): string {
    return this.manifest.id;
  }

  get catalogPath(): string {
    return join(this.dir, 'catalog.json');
  }

  /** Opens a workspace, creating it when `create` is set and the directory holds none. */
  static open(dir: string, options: { create?: boolean; id?: string } = {}): Workspace {
    const root = resolve(dir);
    const manifestPath = join(root, 'workspace.json');
    if (!existsSync(manifestPath)) {
      if (!options.create)
        throw new UserError(`no provlog workspace at ${root} (import or generate into it first)`);
      if (existsSync(root) && !statSync(root).isDirectory())
        throw new UserError(`${root} is not a directory`);
      if (existsSync(root) && readdirSync(root).length > 0)
        throw new UserError(`${root} is not empty and holds no provlog workspace; choose another directory`);
      mkdirSync(root, { recursive: true });
      const manifest: WorkspaceManifest = {
        formatVersion: 1,
        id: options.id ?? randomUUID(),
        created: new Date().toISOString(),
      };
      writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    }
    let manifest: WorkspaceManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WorkspaceManifest;
    } catch (error) {
      throw new UserError(`${manifestPath}: unreadable workspace manifest (${(error as Error).message})`);
    }
    if (manifest.formatVersion !== 1) throw new UserError(`${manifestPath}: unsupported workspace format`);
    return new Workspace(root, manifest);
  }

  static exists(dir: string): boolean {
    return existsSync(join(resolve(dir), 'workspace.json'));
  }

  catalog(): Catalog {
    return readCatalog(this.catalogPath);
  }

  path(relativePath: string): string {
    return join(this.dir, relativePath);
  }

  /** Takes the writer lock and removes what an interrupted writer left behind. */
  async lock(): Promise<WorkspaceLock> {
    const lock = await WorkspaceLock.acquire(join(this.dir, '.lock'));
    try {
      this.collectGarbage();
    } catch (error) {
      lock.release();
      throw error;
    }
    return lock;
  }

  /** Deletes files no committed catalog refers to (left by a crash before the commit). */
  private collectGarbage(): void {
    rmSync(join(this.dir, '.staging'), { recursive: true, force: true });
    const catalog = this.catalog();
    const keep = new Set<string>();
    for (const table of Object.keys(catalog.tables) as TableName[]) {
      for (const file of tableFiles(catalog, table)) {
        keep.add(file.path);
        keep.add(file.idsPath);
      }
    }
    for (const record of catalog.imports) if (record.rejectsPath) keep.add(record.rejectsPath);
    for (const top of ['data', 'rejects']) {
      const base = join(this.dir, top);
      if (!existsSync(base)) continue;
      for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = join(entry.parentPath, entry.name);
        const rel = relative(this.dir, full).split(sep).join('/');
        if (!keep.has(rel)) rmSync(full, { force: true });
      }
    }
  }
}
