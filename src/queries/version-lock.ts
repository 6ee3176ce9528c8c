/**
 * The version lock: `queries/versions.lock.json` records each query's, function's and report's version
 * with a hash of its content. A content change without a version bump fails the check, so a query id
 * and version always name one text (in reports, workbooks and query packs built from it).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockEntry {
  version: string;
  sha256: string;
}

export type Lock = Record<string, LockEntry>;

export const LOCK_FILE = 'versions.lock.json';

/** Content without its version: a .kql file without the `// Version:` line, a report without `version`. */
function contentHash(kind: 'kql' | 'json', text: string): string {
  let content: string;
  if (kind === 'kql') {
    content = text
      .replace(/\r\n/g, '\n')
      .split('\n')
      .filter((line) => !/^\/\/\s*Version\s*:/i.test(line))
      .map((line) => line.trimEnd())
      .join('\n')
      .trim();
  } else {
    const { version: _version, ...rest } = JSON.parse(text) as Record<string, unknown>;
    content = JSON.stringify(rest);
  }
  return createHash('sha256').update(content).digest('hex');
}

function kqlVersion(text: string): string {
  return /^\/\/\s*Version\s*:\s*(\S+)/im.exec(text)?.[1] ?? '';
}

/** Lock entries of the library as it is on disk: `query:<id>`, `function:<name>`, `report:<id>`. */
export function currentEntries(queriesDir: string, reportsDir: string): Lock {
  const entries: Lock = {};
  const kql = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.kql'))
      .sort()) {
      const text = readFileSync(join(dir, name), 'utf8');
      entries[`${prefix}:${name.slice(0, -4)}`] = {
        version: kqlVersion(text),
        sha256: contentHash('kql', text),
      };
    }
  };
  kql(queriesDir, 'query');
  kql(join(queriesDir, 'functions'), 'function');
  for (const name of readdirSync(reportsDir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const text = readFileSync(join(reportsDir, name), 'utf8');
    const version = String((JSON.parse(text) as { version?: unknown }).version ?? '');
    entries[`report:${name.slice(0, -5)}`] = { version, sha256: contentHash('json', text) };
  }
  return entries;
}

function semverGreater(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] > pb[i];
  return false;
}

export interface LockCheck {
  /** Changes that need a version bump (or a smaller version than locked): always errors. */
  errors: string[];
  /** Bumped, new or removed items the lock does not record yet: errors for the check, fixed by an update. */
  stale: string[];
}

export function checkLock(current: Lock, locked: Lock): LockCheck {
  const errors: string[] = [];
  const stale: string[] = [];
  for (const [key, entry] of Object.entries(current)) {
    const old = locked[key];
    if (!old) {
      stale.push(`${key} ${entry.version} is new`);
      continue;
    }
    if (entry.version === old.version) {
      if (entry.sha256 !== old.sha256)
        errors.push(`${key} changed but its version is still ${entry.version}: bump the version`);
    } else if (semverGreater(entry.version, old.version)) {
      if (entry.sha256 === old.sha256)
        stale.push(`${key} ${old.version} -> ${entry.version} (content unchanged)`);
      else stale.push(`${key} ${old.version} -> ${entry.version}`);
    } else errors.push(`${key} version ${entry.version} is lower than the locked ${old.version}`);
  }
  for (const key of Object.keys(locked)) if (!current[key]) stale.push(`${key} was removed`);
  return { errors, stale };
}
