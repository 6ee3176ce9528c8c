/**
 * The incremental state of `provlog pull`, one file per filter set in `<workspace>/pull/`: the time
 * ranges already complete in the workspace (the watermark), and the run in progress with the
 * nextLink after its last committed page, so a killed pull resumes where it stopped. Written
 * atomically after every commit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../store/fsutil.js';
import type { Workspace } from '../../store/workspace.js';

/** What selects the events: the same filter set shares one state. */
export interface PullFilter {
  api: 'v1.0' | 'beta';
  servicePrincipalId?: string;
  jobId?: string;
}

export interface PullRun {
  /** The window [from, to) this run pulls (ISO). */
  from: string;
  to: string;
  /** End of the range this run makes complete (to, or earlier when events may still arrive). */
  completeTo: string;
  /** The nextLink after the last committed page; null before the first commit. */
  nextLink: string | null;
  /** The oldest activityDateTime committed (pages come newest first). */
  oldest: string | null;
  pages: number;
  rows: number;
}

export interface PullState {
  formatVersion: 1;
  filter: PullFilter;
  /** Merged, sorted [from, to) ranges (ISO) whose events are all in the workspace. */
  complete: [string, string][];
  run: PullRun | null;
  updated: string;
}

export function filterKey(filter: PullFilter): string {
  const canonical = JSON.stringify([filter.api, filter.servicePrincipalId ?? '', filter.jobId ?? '']);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export function pullDir(workspace: Workspace): string {
  return workspace.path('pull');
}

export function stateFile(workspace: Workspace, filter: PullFilter): string {
  return join(pullDir(workspace), `${filterKey(filter)}.json`);
}

export function loadState(workspace: Workspace, filter: PullFilter): PullState {
  const file = stateFile(workspace, filter);
  if (!existsSync(file)) return { formatVersion: 1, filter, complete: [], run: null, updated: '' };
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as PullState;
    if (state.formatVersion !== 1 || !Array.isArray(state.complete)) throw new Error('unknown format');
    return state;
  } catch (error) {
    throw new UserError(
      `${file}: unreadable pull state (${(error as Error).message}); delete it to pull afresh`,
    );
  }
}

export function saveState(workspace: Workspace, state: PullState): void {
  mkdirSync(pullDir(workspace), { recursive: true });
  state.updated = new Date().toISOString();
  writeFileAtomic(stateFile(workspace, state.filter), `${JSON.stringify(state, null, 1)}\n`);
}

const ms = (iso: string) => Date.parse(iso);

/** Adds [from, to) to merged ranges. */
export function addRange(ranges: [string, string][], from: string, to: string): [string, string][] {
  if (ms(to) <= ms(from)) return ranges;
  const all = [...ranges, [from, to] as [string, string]].sort((a, b) => ms(a[0]) - ms(b[0]));
  const merged: [string, string][] = [];
  for (const [f, t] of all) {
    const last = merged[merged.length - 1];
    if (last && ms(f) <= ms(last[1])) {
      if (ms(t) > ms(last[1])) last[1] = t;
    } else merged.push([f, t]);
  }
  return merged;
}

/** The parts of [from, to) no range covers, oldest first. */
export function missingRanges(ranges: [string, string][], from: string, to: string): [string, string][] {
  const gaps: [string, string][] = [];
  let cursor = ms(from);
  const end = ms(to);
  for (const [f, t] of ranges) {
    if (ms(t) <= cursor) continue;
    if (ms(f) >= end) break;
    if (ms(f) > cursor) gaps.push([new Date(cursor).toISOString(), new Date(ms(f)).toISOString()]);
    cursor = Math.max(cursor, ms(t));
    if (cursor >= end) break;
  }
  if (cursor < end) gaps.push([new Date(cursor).toISOString(), new Date(end).toISOString()]);
  return gaps;
}
