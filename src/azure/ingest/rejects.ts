/** The rejects file of a backfill: one JSON line per row that was not sent, saying where it came from and why. */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RejectEntry {
  /** `file:line` for rows read from files. */
  origin?: string;
  /** The row's Id (workspace rows). */
  id?: string;
  reason: string;
  excerpt?: string;
}

export class RejectsFile {
  private fd: number | undefined;
  private written = 0;

  /** Any rejects file of an earlier run at `path` is replaced. */
  constructor(readonly path: string) {
    rmSync(path, { force: true });
  }

  get count(): number {
    return this.written;
  }

  write(entry: RejectEntry): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'w');
    }
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.written++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
