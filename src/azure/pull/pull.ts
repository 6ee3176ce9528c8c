/**
 * `provlog pull`: provisioning events from Graph (`/auditLogs/provisioning`) into a local workspace,
 * normalised by the Graph normaliser and imported by Id (so re-reading a page never duplicates).
 *
 * - Incremental: the state file records which time ranges are complete; a pull asks only for the
 *   missing parts of its window. The newest `overlap` before a pull is not marked complete, because
 *   events reach Graph minutes after they happen; the next pull reads it again (duplicates skipped).
 * - Resumable: pages are committed in batches; after each commit the state keeps the nextLink (and
 *   the oldest time committed, in case the link has expired), so a killed pull continues from there.
 * - Paced: one request chain, newest first, through the client's RequestPacer, with the next page
 *   fetched while the previous batch is being written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, type JsonObject } from '../../model/sources/common.js';
import { graphToProvisioningRow } from '../../model/sources/graph.js';
import type { SourceItem } from '../../model/sources/types.js';
import { canonicalTime, trimmedIso } from '../../model/time.js';
import { type ImportSummary, importItems } from '../../store/importer.js';
import { WorkspaceLock } from '../../store/lock.js';
import type { Workspace } from '../../store/workspace.js';
import { type GraphClient, GraphRequestError, odataString } from '../graph.js';
import type { GraphPage, ProvisioningObject } from '../graph-types.js';
import {
  addRange,
  filterKey,
  loadState,
  missingRanges,
  type PullFilter,
  type PullRun,
  pullDir,
  saveState,
  stateFile,
} from './state.js';

export interface PullOptions {
  workspace: Workspace;
  client: GraphClient;
  filter: PullFilter;
  /** The window [from, to), epoch ms. */
  from: number;
  to: number;
  /** Events newer than now − overlap are read again by the next pull (ms; default 1 h). */
  overlapMs?: number;
  /** $top (default 999, Graph's largest page). */
  pageSize?: number;
  /** Commit when this many rows are waiting (default 5,000) … */
  batchRows?: number;
  /** … or when the oldest waiting page is this old (default 10 s). */
  batchMs?: number;
  /** The clock (tests); default Date.now. */
  now?: () => number;
  onProgress?: (progress: PullProgress) => void;
  /** Called with the rows of each committed batch (e.g. to hand them on to Log Analytics). */
  onCommit?: (items: SourceItem[]) => Promise<void>;
}

export interface PullProgress {
  pages: number;
  /** Events received from Graph (committed or still in the batch). */
  received: number;
  read: number;
  added: number;
  duplicates: number;
  rejected: number;
  requests: number;
  throttled: number;
  /** The oldest activityDateTime read so far in the current range. */
  at: string | null;
}

export interface PullSummary {
  workspace: string;
  filter: PullFilter;
  stateFile: string;
  /** Whether an interrupted run was continued first. */
  resumed: boolean;
  /** The ranges requested from Graph, oldest first. */
  ranges: { from: string; to: string }[];
  pages: number;
  requests: number;
  throttled: number;
  read: number;
  added: number;
  duplicates: number;
  rejected: number;
  rejectsPaths: string[];
  warnings: string[];
  /** The ranges now complete in the workspace for this filter set. */
  complete: { from: string; to: string }[];
  elapsedMs: number;
}

const DEFAULT_OVERLAP_MS = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A datetime for $filter: ISO 8601 UTC, unquoted, without needless zeros. */
function filterTime(text: string): string {
  return trimmedIso(canonicalTime(text) ?? text);
}

export function provisioningFilter(
  filter: PullFilter,
  from: string,
  to: string,
  inclusiveTo = false,
): string {
  const parts = [
    `activityDateTime ge ${filterTime(from)}`,
    `activityDateTime ${inclusiveTo ? 'le' : 'lt'} ${filterTime(to)}`,
  ];
  if (filter.servicePrincipalId)
    parts.push(`servicePrincipal/id eq ${odataString(filter.servicePrincipalId)}`);
  if (filter.jobId) parts.push(`jobId eq ${odataString(filter.jobId)}`);
  return parts.join(' and ');
}

function collectionPath(filter: PullFilter): string {
  return `/${filter.api}/auditLogs/provisioning`;
}

/** A page as import items; `line` is the event's position in the range (for the rejects file). */
function normalise(page: GraphPage<ProvisioningObject>, source: string, before: number): SourceItem[] {
  const items: SourceItem[] = [];
  const values = Array.isArray(page.value) ? page.value : [];
  values.forEach((value, index) => {
    const line = before + index + 1;
    if (!isObject(value)) {
      items.push({
        kind: 'reject',
        file: source,
        line,
        reason: 'not an object',
        excerpt: String(value).slice(0, 200),
      });
      return;
    }
    try {
      items.push({
        kind: 'row',
        table: 'AADProvisioningLogs',
        row: graphToProvisioningRow(value as JsonObject),
        file: source,
        line,
      });
    } catch (error) {
      items.push({
        kind: 'reject',
        file: source,
        line,
        reason: (error as Error).message,
        excerpt: JSON.stringify(value).slice(0, 200),
      });
    }
  });
  return items;
}

export async function pullProvisioningLogs(options: PullOptions): Promise<PullSummary> {
  const started = Date.now();
  const now = options.now ?? Date.now;
  const { workspace, client, filter } = options;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const pageSize = options.pageSize ?? 999;
  const batchRows = options.batchRows ?? 5_000;
  const batchMs = options.batchMs ?? 10_000;
  mkdirSync(pullDir(workspace), { recursive: true });
  const lock = await WorkspaceLock.acquire(join(pullDir(workspace), `${filterKey(filter)}.lock`), 2_000);
  const summary: PullSummary = {
    workspace: workspace.dir,
    filter,
    stateFile: stateFile(workspace, filter),
    resumed: false,
    ranges: [],
    pages: 0,
    requests: 0,
    throttled: 0,
    read: 0,
    added: 0,
    duplicates: 0,
    rejected: 0,
    rejectsPaths: [],
    warnings: [],
    complete: [],
    elapsedMs: 0,
  };
  const requestsAtStart = client.pacer.stats.requests;
  const throttledAtStart = client.pacer.stats.throttled;
  let at: string | null = null;
  let received = 0;
  const report = () =>
    options.onProgress?.({
      pages: summary.pages,
      received,
      read: summary.read,
      added: summary.added,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      requests: client.pacer.stats.requests - requestsAtStart,
      throttled: client.pacer.stats.throttled - throttledAtStart,
      at,
    });

  try {
    const state = loadState(workspace, filter);
    const runs: PullRun[] = [];
    if (state.run) {
      summary.resumed = true;
      runs.push(state.run);
    }
    const startMs = now();
    const to = Math.min(options.to, startMs);
    if (options.from < to) {
      let complete = state.complete;
      if (state.run) complete = addRange(complete, state.run.from, state.run.to);
      for (const [from, end] of missingRanges(complete, iso(options.from), iso(to))) {
        const completeTo = Math.min(Date.parse(end), startMs - overlapMs);
        runs.push({
          from,
          to: end,
          completeTo: iso(Math.max(Date.parse(from), completeTo)),
          nextLink: null,
          oldest: null,
          pages: 0,
          rows: 0,
        });
      }
    }
    for (const run of runs) {
      summary.ranges.push({ from: run.from, to: run.to });
      state.run = run;
      saveState(workspace, state);
      await pullRange(run);
      state.complete = addRange(state.complete, run.from, run.completeTo);
      state.run = null;
      saveState(workspace, state);
    }
    summary.complete = state.complete.map(([from, end]) => ({ from, to: end }));

    async function pullRange(run: PullRun): Promise<void> {
      const source = `graph:${collectionPath(filter)}?$filter=${provisioningFilter(filter, run.from, run.to)}`;
      const first = (): Promise<GraphPage<ProvisioningObject>> => {
        const query = {
          $filter: run.oldest
            ? provisioningFilter(filter, run.from, run.oldest, true)
            : provisioningFilter(filter, run.from, run.to),
          $top: String(pageSize),
          $orderby: 'activityDateTime desc',
        };
        return client.get(collectionPath(filter), query);
      };
      let next: Promise<GraphPage<ProvisioningObject>>;
      if (run.nextLink) {
        const link = run.nextLink;
        next = client.get<GraphPage<ProvisioningObject>>(link).catch((error: unknown) => {
          // An expired or refused link: continue below the oldest committed event instead.
          if (error instanceof GraphRequestError && error.status === 400) {
            summary.warnings.push(`the saved nextLink was refused (${error.code}); continuing by time`);
            return first();
          }
          throw error;
        });
      } else next = first();
      let buffer: SourceItem[] = [];
      let bufferPages = 0;
      let bufferSince = Date.now();
      let oldest: string | null = run.oldest;
      for (;;) {
        const page = await next;
        const link = page['@odata.nextLink'];
        if (link) {
          next = client.get<GraphPage<ProvisioningObject>>(link);
          next.catch(() => {}); // awaited on the next turn
        }
        const items = normalise(page, source, run.rows + buffer.length);
        received += items.length;
        for (const item of items) {
          if (item.kind === 'row' && (oldest === null || item.row.TimeGenerated < oldest))
            oldest = item.row.TimeGenerated;
        }
        at = oldest;
        if (bufferPages === 0) bufferSince = Date.now();
        buffer = buffer.concat(items);
        bufferPages++;
        summary.pages++;
        if (!link || buffer.length >= batchRows || Date.now() - bufferSince >= batchMs) {
          await commit(buffer, bufferPages, link ?? null, oldest);
          buffer = [];
          bufferPages = 0;
        } else report();
        if (!link) return;
      }

      async function commit(
        items: SourceItem[],
        pages: number,
        link: string | null,
        oldestTime: string | null,
      ) {
        if (items.length > 0) {
          const result: ImportSummary = await importItems(workspace, items, { sources: [source] });
          if (options.onCommit) await options.onCommit(items);
          tally(result);
        }
        run.pages += pages;
        run.rows += items.length;
        run.nextLink = link;
        run.oldest = oldestTime;
        state.run = run;
        saveState(workspace, state);
        report();
      }

      function tally(result: ImportSummary): void {
        summary.read += result.read;
        summary.added += result.added;
        summary.duplicates += result.duplicates;
        summary.rejected += result.rejected;
        if (result.rejectsPath) summary.rejectsPaths.push(workspace.path(result.rejectsPath));
        summary.warnings.push(...result.warnings);
      }
    }
  } finally {
    lock.release();
    summary.requests = client.pacer.stats.requests - requestsAtStart;
    summary.throttled = client.pacer.stats.throttled - throttledAtStart;
    summary.elapsedMs = Date.now() - started;
  }
  return summary;
}
