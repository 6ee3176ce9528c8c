/**
 * The ARM resources the emulator holds (workspaces, tables, DCRs, alert rules, …), keyed by resource id
 * case-insensitively as ARM does, and persisted in the data directory after every change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/fsutil.js';

export type ArmResource = Record<string, unknown> & { id: string; name: string; type: string };

interface StateFile {
  formatVersion: 1;
  resources: ArmResource[];
}

export class ResourceStore {
  private readonly byId = new Map<string, ArmResource>();
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'resources.json');
    if (existsSync(this.file)) {
      const state = JSON.parse(readFileSync(this.file, 'utf8')) as StateFile;
      for (const resource of state.resources) this.byId.set(resourceKey(resource.id), resource);
    }
  }

  get(id: string): ArmResource | undefined {
    return this.byId.get(resourceKey(id));
  }

  put(resource: ArmResource): ArmResource {
    this.byId.set(resourceKey(resource.id), resource);
    this.save();
    return resource;
  }

  delete(id: string): boolean {
    const removed = this.byId.delete(resourceKey(id));
    // Child resources (a workspace's tables) go with their parent.
    const prefix = `${resourceKey(id)}/`;
    for (const key of [...this.byId.keys()]) if (key.startsWith(prefix)) this.byId.delete(key);
    if (removed) this.save();
    return removed;
  }

  /** Resources of a type (case-insensitive), optionally only those whose id starts with `scope`. */
  list(type: string, scope?: string): ArmResource[] {
    const t = type.toLowerCase();
    const s = scope === undefined ? undefined : `${resourceKey(scope)}/`;
    return [...this.byId.entries()]
      .filter(([key, r]) => r.type.toLowerCase() === t && (s === undefined || key.startsWith(s)))
      .map(([, r]) => r);
  }

  private save(): void {
    const state: StateFile = { formatVersion: 1, resources: [...this.byId.values()] };
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 1)}\n`);
  }
}

export function resourceKey(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '');
}
