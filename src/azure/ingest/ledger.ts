/**
 * The checkpoint ledger of a backfill: which chunks of the (deterministic) plan the service
 * acknowledged, and which may have been sent without an acknowledgement on record.
 *
 * Exactly once: a chunk is *leased* (written to the ledger) before any request carrying its rows is
 * sent, and *acknowledged* after the 204. A run killed at any point leaves every chunk it may have sent
 * either acknowledged or leased-but-unacknowledged; the next run looks the rows of the latter up by
 * IngestionId in the workspace and sends only those that did not land. Leases cover a few chunks ahead
 * and acknowledgements ride along with the next lease (an acknowledgement lost in a crash only costs a
 * lookup), so the ledger is written once every few chunks. Before every request it is rewritten if
 * it is older than the heartbeat, so on resume "last write + heartbeat" bounds when the last request
 * could have been sent, which is when the service's ingestion delay starts counting.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../store/fsutil.js';
import { WorkspaceLock } from '../../store/lock.js';

/** The last request of a run goes out at most this long after the ledger's last write. */
export const HEARTBEAT_MS = 5_000;

/** Sets of chunk indexes as sorted, disjoint, inclusive [first, last] ranges. */
export class IndexRanges {
  constructor(readonly ranges: [number, number][] = []) {}

  has(index: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.ranges[mid];
      if (index < a) hi = mid - 1;
      else if (index > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  add(first: number, last = first): void {
    const merged: [number, number][] = [];
    let a = first;
    let b = last;
    let placed = false;
    for (const [x, y] of this.ranges) {
      if (y < a - 1) merged.push([x, y]);
      else if (x > b + 1) {
        if (!placed) {
          merged.push([a, b]);
          placed = true;
        }
        merged.push([x, y]);
      } else {
        a = Math.min(a, x);
        b = Math.max(b, y);
      }
    }
    if (!placed) merged.push([a, b]);
    this.ranges.splice(0, this.ranges.length, ...merged);
  }

  /** The indexes of this set that `other` does not hold. */
  without(other: IndexRanges): IndexRanges {
    const result = new IndexRanges();
    for (const [a, b] of this.ranges) {
      let start = a;
      for (let i = a; i <= b; i++) {
        if (other.has(i)) {
          if (i > start) result.add(start, i - 1);
          start = i + 1;
        }
      }
      if (start <= b) result.add(start, b);
    }
    return result;
  }

  get size(): number {
    return this.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  }
}

interface LedgerFile {
  formatVersion: 1;
  dcrImmutableId: string;
  stream: string;
  source: string;
  /** Changes when the source's content (and so the plan) may have changed. */
  fingerprint: string;
  chunkBytes: number;
  created: string;
  updated: string;
  acked: [number, number][];
  leased: [number, number][];
  /** Chunks in the plan; known once a run read the source to its end. */
  planned?: number;
  complete: boolean;
  /** The workspace (customerId) the rule writes to, once known. */
  workspaceId?: string;
  /** Rows the service refused on their own (413 for a single row): never sent again. */
  refused?: RefusedRow[];
  /** Planned again after a change of the source: every chunk is looked up before it is sent. */
  lookupAll?: boolean;
}

export interface RefusedRow {
  ingestionId: string;
  /** yyyy-MM-dd of the original time, for --verify. */
  day: string;
  origin?: string;
  id?: string;
  reason: string;
}

export interface LedgerIdentity {
  dcrImmutableId: string;
  stream: string;
  source: string;
  fingerprint: string;
  chunkBytes: number;
}

export class Ledger {
  private readonly acked: IndexRanges;
  private leased: IndexRanges;
  /** Leases already on disk. */
  private durable: IndexRanges;
  /** Chunks an earlier run leased and did not acknowledge: they may have (partly) landed. */
  private readonly inherited: IndexRanges;
  /** The write that will include changes made now (not started yet). */
  private pending: Promise<void> | undefined;
  /** The last write queued; the next one starts after it. */
  private chain: Promise<void> = Promise.resolve();
  private lastWriteMs = 0;

  private constructor(
    readonly path: string,
    private state: LedgerFile,
    private readonly lock: WorkspaceLock,
    /** When the previous run last wrote the ledger (ms), if there was one. */
    readonly previousWriteMs: number | undefined,
    /** The previous run finished: no request of it was still in flight at its last write. */
    readonly previousComplete: boolean,
    private readonly leaseAhead: number,
  ) {
    this.acked = new IndexRanges(state.acked);
    this.leased = new IndexRanges(state.leased);
    this.durable = new IndexRanges(state.leased.map(([a, b]) => [a, b] as [number, number]));
    this.inherited = this.durable.without(this.acked);
  }

  /**
   * Opens (or starts) the ledger at `path` for this rule, stream and source. A ledger of the same
   * source whose content changed since is refused unless `restart`, which plans again and has every
   * chunk looked up before it is sent (rows an earlier plan sent are not sent twice).
   */
  static async open(
    path: string,
    identity: LedgerIdentity,
    options: { restart?: boolean; leaseAhead?: number; lookupAll?: boolean } = {},
  ): Promise<Ledger> {
    mkdirSync(dirname(path), { recursive: true });
    let lock: WorkspaceLock;
    try {
      lock = await WorkspaceLock.acquire(`${path}.lock`, 0);
    } catch (error) {
      if (error instanceof UserError) {
        throw new UserError(`another provlog ingest is using the ledger ${path}; wait for it to finish`);
      }
      throw error;
    }
    try {
      const now = new Date().toISOString();
      let state: LedgerFile | undefined;
      let previousWriteMs: number | undefined;
      let previous: LedgerFile | undefined;
      if (existsSync(path)) {
        try {
          previous = JSON.parse(readFileSync(path, 'utf8')) as LedgerFile;
          if (previous.formatVersion !== 1) throw new Error('unsupported ledger format');
        } catch (error) {
          if (!options.restart) {
            throw new UserError(
              `${path}: unreadable ingest ledger (${(error as Error).message}); use --restart to start over`,
            );
          }
        }
      }
      if (previous && !options.restart) {
        if (previous.fingerprint !== identity.fingerprint || previous.chunkBytes !== identity.chunkBytes) {
          throw new UserError(
            `${path}: the source changed since the ledger was written (${previous.complete ? 'a finished' : 'an unfinished'} backfill), ` +
              'so its chunks no longer match. Use --restart to plan again: every chunk is then looked up in the workspace ' +
              'first and only rows not found there are sent',
          );
        }
        state = previous;
        previousWriteMs = Date.parse(previous.updated);
      } else if (previous) {
        previousWriteMs = Date.parse(previous.updated);
      }
      state ??= {
        formatVersion: 1,
        dcrImmutableId: identity.dcrImmutableId,
        stream: identity.stream,
        source: identity.source,
        fingerprint: identity.fingerprint,
        chunkBytes: identity.chunkBytes,
        // A restart keeps the first start: rows of the earlier plan arrived after it.
        created: previous?.created ?? now,
        updated: now,
        acked: [],
        leased: [],
        complete: false,
        ...((options.restart && previousWriteMs !== undefined) || options.lookupAll
          ? { lookupAll: true }
          : {}),
        ...(previous?.workspaceId ? { workspaceId: previous.workspaceId } : {}),
      };
      const ledger = new Ledger(
        path,
        state,
        lock,
        previousWriteMs,
        previous?.complete === true,
        Math.max(1, options.leaseAhead ?? 8),
      );
      ledger.write();
      return ledger;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** When the ledger was started (ms): the first request of the backfill came later. */
  get createdMs(): number {
    return Date.parse(this.state.created);
  }

  get complete(): boolean {
    return this.state.complete;
  }

  get workspaceId(): string | undefined {
    return this.state.workspaceId;
  }

  /** Chunks a previous run may have sent without an acknowledgement on record. */
  get uncertainChunks(): number {
    return this.inherited.size;
  }

  isAcked(index: number): boolean {
    return this.acked.has(index);
  }

  /** An earlier run may have sent the chunk: look its rows up before sending. */
  needsLookup(index: number): boolean {
    return !this.acked.has(index) && (this.state.lookupAll === true || this.inherited.has(index));
  }

  /**
   * Records that requests for this chunk may be sent; resolves once that is on disk. Leases are taken
   * `leaseAhead` chunks at a time, and renewed in the background half-way through, so chunks rarely
   * wait for a write.
   */
  async lease(index: number): Promise<void> {
    if (!this.durable.has(index) && !this.acked.has(index)) {
      if (!this.leased.has(index)) this.leased.add(index, index + this.leaseAhead - 1);
      await this.flush();
    }
    const ahead = index + Math.ceil(this.leaseAhead / 2);
    if (!this.leased.has(ahead) && !this.acked.has(ahead)) {
      this.leased.add(ahead, ahead + this.leaseAhead - 1);
      // A failed write surfaces at the next lease that has to wait for one.
      void this.flush().catch(() => {});
    }
  }

  /**
   * Records the 204 for a chunk. It is written with the next write (a lease renewal, the heartbeat,
   * the end of the run), not on its own: an acknowledgement lost in a crash leaves a leased chunk,
   * which the next run looks up instead of resending, so nothing is duplicated or lost.
   */
  acknowledge(index: number): void {
    this.acked.add(index);
  }

  /** Rewrites the ledger when it is older than the heartbeat (call before each request). */
  async heartbeat(): Promise<void> {
    if (Date.now() - this.lastWriteMs > HEARTBEAT_MS / 2) await this.flush();
  }

  /** Rows the service refused on their own, in this run or an earlier one. */
  get refused(): readonly RefusedRow[] {
    return this.state.refused ?? [];
  }

  recordRefused(row: RefusedRow): void {
    this.state.refused = [...this.refused.filter((r) => r.ingestionId !== row.ingestionId), row];
    void this.flush().catch(() => {});
  }

  setWorkspaceId(id: string): void {
    this.state.workspaceId = id;
  }

  /** Marks the whole plan (`planned` chunks) as done and writes the ledger. */
  async finish(planned: number): Promise<void> {
    this.state.planned = planned;
    const beyond = new IndexRanges();
    for (const [, last] of this.leased.ranges) if (last >= planned) beyond.add(planned, last);
    this.leased = this.leased.without(beyond);
    const [first] = this.acked.ranges;
    this.state.complete = planned === 0 || (first !== undefined && first[0] === 0 && first[1] >= planned - 1);
    await this.flush();
  }

  /** Writes pending changes and releases the ledger's lock. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.lock.release();
    }
  }

  /**
   * Writes the current state (changes made until the write starts are included); resolves once it is
   * on disk. Writes run one after another off the event loop, so requests keep flowing meanwhile.
   */
  flush(): Promise<void> {
    if (!this.pending) {
      const write = this.chain.then(() => {
        this.pending = undefined;
        return this.writeAsync();
      });
      this.pending = write;
      this.chain = write.catch(() => {});
    }
    return this.pending;
  }

  /** The state as the next write stores it; leases of acknowledged chunks carry no information any more. */
  private snapshot(): { text: string; leased: IndexRanges } {
    this.state.updated = new Date().toISOString();
    this.state.acked = this.acked.ranges;
    this.leased = this.leased.without(this.acked);
    this.state.leased = this.leased.ranges;
    const leased = new IndexRanges(this.leased.ranges.map(([a, b]) => [a, b] as [number, number]));
    return { text: `${JSON.stringify(this.state)}\n`, leased };
  }

  private write(): void {
    const { text, leased } = this.snapshot();
    writeFileAtomic(this.path, text);
    this.durable = leased;
    this.lastWriteMs = Date.now();
  }

  /** As writeFileAtomic (temporary file, fsync, rename, fsync of the folder), asynchronously. */
  private async writeAsync(): Promise<void> {
    const { text, leased } = this.snapshot();
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    try {
      const folder = await open(dirname(this.path), 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    } catch {
      // Some file systems refuse fsync on folders; the rename is atomic all the same.
    }
    this.durable = leased;
    this.lastWriteMs = Date.now();
  }
}
