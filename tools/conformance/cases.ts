/** The shape of one conformance case (a line of cases.jsonl) and of an engine result table. */
import type { Json } from './json.js';

export interface CaseFlags {
  nondeterministic: boolean;
  ordered: boolean;
  truncated: boolean;
  html: boolean;
  approximate: boolean;
  external: boolean;
  malformed: boolean;
  schemaMismatch: boolean;
  multipleResults: boolean;
  erratum: boolean;
}

export interface ConformanceCase {
  id: string;
  source: { path: string; line: number; url?: string };
  query: string;
  expected: { columns: string[]; rows: string[][] };
  schema: { name: string; type: string }[] | null;
  orderBy: string[] | null;
  flags: CaseFlags;
  notes?: string;
}

export interface EngineTable {
  name: string;
  columns: { name: string; type: string }[];
  rows: Json[][];
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export const SKIP_FLAGS = ['external', 'nondeterministic', 'malformed', 'erratum'] as const;
export const TOLERATED_FLAGS = ['truncated', 'html', 'approximate'] as const;

/** `data-explorer/kusto/query/split-function.md` → `split-function`. */
export function groupOf(c: ConformanceCase): string {
  const file = c.source.path.split('/').pop() ?? c.source.path;
  return file.replace(/\.md$/, '');
}

export function parseCases(text: string): ConformanceCase[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConformanceCase);
}
