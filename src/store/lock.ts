import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell; assume alive
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * An exclusive lock on a workspace: a file created with O_EXCL holding the owner's pid. A lock left by
 * a killed process is taken over, since its pid is gone.
 */
export class WorkspaceLock {
  private constructor(private readonly path: string) {}

  static async acquire(path: string, waitMs = 10_000): Promise<WorkspaceLock> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const fd = openSync(path, 'wx');
        const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        return new WorkspaceLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(path);
      if (!owner) {
        // Created but not yet written by its owner, or left empty by a crash right after creation.
        await sleep(50);
        const again = readOwner(path);
        if (!again) {
          rmSync(path, { force: true });
          continue;
        }
      } else if (!ownerAlive(owner)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        const who = readOwner(path);
        throw new UserError(
          `the workspace is in use by another provlog process${who ? ` (pid ${who.pid} since ${who.since})` : ''}`,
        );
      }
      await sleep(100);
    }
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
