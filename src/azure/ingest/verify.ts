/**
 * --verify: per-day row counts of the source against the custom table, by query. Rows appear in a
 * real workspace minutes after the 204, so the counts are polled until they match or the timeout ends.
 */
import type { DayCount, LandedRows } from './landed.js';

export interface DayMismatch {
  day: string;
  expected: number;
  /** Rows in the table for that day (all copies). */
  rows: number;
  /** Distinct IngestionIds among them. */
  distinct: number;
}

export interface VerifyResult {
  ok: boolean;
  days: number;
  expectedRows: number;
  landedRows: number;
  duplicates: number;
  mismatches: DayMismatch[];
  polls: number;
  elapsedSeconds: number;
}

export async function verifyCounts(
  landed: LandedRows,
  expectedPerDay: Record<string, number>,
  options: {
    timeoutMs: number;
    pollMs: number;
    onPoll?: (result: VerifyResult) => void;
    /** The source's time window (canonical datetimes), when it sends only part of its first or last day. */
    window?: { from?: string; to?: string };
  },
): Promise<VerifyResult> {
  const days = Object.keys(expectedPerDay)
    .filter((d) => d !== 'unknown')
    .sort();
  const started = Date.now();
  let polls = 0;
  for (;;) {
    polls++;
    const counts =
      days.length === 0
        ? new Map<string, DayCount>()
        : await landed.dayCounts(
            options.window?.from ?? days[0],
            options.window?.to ?? nextDay(days[days.length - 1]),
          );
    const result = compare(days, expectedPerDay, counts, polls, (Date.now() - started) / 1000);
    options.onPoll?.(result);
    // More rows than expected (duplicates, or rows of another source) will not go away by waiting.
    const hopeless = result.mismatches.some((m) => m.rows > m.expected);
    if (result.ok || hopeless || Date.now() - started + options.pollMs > options.timeoutMs) return result;
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

function compare(
  days: string[],
  expectedPerDay: Record<string, number>,
  counts: Map<string, DayCount>,
  polls: number,
  elapsedSeconds: number,
): VerifyResult {
  const mismatches: DayMismatch[] = [];
  let expectedRows = 0;
  let landedRows = 0;
  let duplicates = 0;
  for (const day of days) {
    const expected = expectedPerDay[day];
    const { rows, distinct } = counts.get(day) ?? { rows: 0, distinct: 0 };
    expectedRows += expected;
    landedRows += rows;
    duplicates += rows - distinct;
    if (rows !== expected || distinct !== expected) mismatches.push({ day, expected, rows, distinct });
  }
  return {
    ok: mismatches.length === 0,
    days: days.length,
    expectedRows,
    landedRows,
    duplicates,
    mismatches,
    polls,
    elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
  };
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
