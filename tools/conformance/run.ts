/** Runs conformance cases and classifies each as passed, failed or skipped. */
import { type ConformanceCase, type EngineTable, SKIP_FLAGS } from './cases.js';
import { compareResult } from './compare.js';
import { type Json, parseJson } from './json.js';
import type { QueryOutcome } from './query-runner.js';

export interface Erratum {
  id: string;
  reason: string;
}

export type SkipCause = (typeof SKIP_FLAGS)[number] | 'errata file';

export type CaseResult =
  | { case: ConformanceCase; status: 'passed' }
  | { case: ConformanceCase; status: 'failed'; reason: string }
  | { case: ConformanceCase; status: 'skipped'; cause: SkipCause };

export function skipCause(c: ConformanceCase, errata: ReadonlySet<string>): SkipCause | undefined {
  const flag = SKIP_FLAGS.find((f) => c.flags[f]);
  if (flag) return flag;
  return errata.has(c.id) ? 'errata file' : undefined;
}

/** The tables of a response body, read with 64-bit integers intact. */
export function responseTables(response: string): EngineTable[] {
  const body = parseJson(response) as { tables?: Json };
  if (!Array.isArray(body.tables)) throw new Error('response has no tables');
  return body.tables as unknown as EngineTable[];
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}

export function judge(c: ConformanceCase, outcome: QueryOutcome): CaseResult {
  if ('error' in outcome) return { case: c, status: 'failed', reason: oneLine(outcome.error) };
  let verdict: ReturnType<typeof compareResult>;
  try {
    verdict = compareResult(c, responseTables(outcome.response));
  } catch (e) {
    verdict = {
      ok: false,
      reason: `runner could not compare: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  return verdict.ok
    ? { case: c, status: 'passed' }
    : { case: c, status: 'failed', reason: oneLine(verdict.reason) };
}

export async function runCases(
  cases: ConformanceCase[],
  errata: ReadonlySet<string>,
  run: (query: string) => Promise<QueryOutcome>,
  onResult: (result: CaseResult) => void = () => {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const cause = skipCause(c, errata);
    const result: CaseResult = cause ? { case: c, status: 'skipped', cause } : judge(c, await run(c.query));
    results.push(result);
    onResult(result);
  }
  return results;
}
