/** Whether an engine result equals a documented table ("When a result counts as equal" → Columns, Rows). */
import type { ConformanceCase, EngineTable, Verdict } from './cases.js';
import { cellMatches, type Leniency, shortText } from './cells.js';
import type { Json } from './json.js';

/** The first table is compared; when the engine returned several, any of them may match. */
export function compareResult(c: ConformanceCase, tables: EngineTable[]): Verdict {
  if (tables.length === 0) return { ok: false, reason: 'the engine returned no table' };
  const first = compareTable(c, tables[0]);
  if (first.ok) return first;
  for (const table of tables.slice(1)) {
    if (compareTable(c, table).ok) return { ok: true };
  }
  return first;
}

export function compareTable(c: ConformanceCase, table: EngineTable): Verdict {
  const mapping = mapColumns(c, table);
  if (typeof mapping === 'string') return { ok: false, reason: mapping };
  const lenient: Leniency = { approximate: c.flags.approximate, truncated: c.flags.truncated };
  return compareRows(c, table, mapping, lenient);
}

const list = (names: string[]) => `[${names.join(', ')}]`;

/** For each documented column, the engine column it is compared with; or why there is none. */
export function mapColumns(c: ConformanceCase, table: EngineTable): number[] | string {
  const docNames = c.expected.columns;
  const engineNames = table.columns.map((col) => col.name);
  const differ = `columns differ: expected ${list(docNames)}, got ${list(engineNames)}`;
  if (docNames.length === engineNames.length && docNames.every((n, i) => n === engineNames[i])) {
    return docNames.map((_n, i) => i);
  }
  if (!c.flags.schemaMismatch) return differ;
  const byName = docNames.map((n) => engineNames.indexOf(n));
  if (byName.every((i) => i >= 0) && new Set(byName).size === byName.length) return byName;
  if (docNames.length === engineNames.length) return docNames.map((_n, i) => i);
  return differ;
}

const ELLIPSIS_CELL = /^(\.\.\.|…)$/;

function isEllipsisRow(row: string[]): boolean {
  const cells = row.map((cell) => cell.trim());
  return ELLIPSIS_CELL.test(cells[0] ?? '') && cells.every((cell) => cell === '' || ELLIPSIS_CELL.test(cell));
}

/** A blank row without one cell per column (`||`) is how the docs draw "no rows". */
function isNoRowsMarker(row: string[], columnCount: number): boolean {
  return row.length !== columnCount && row.every((cell) => cell.trim() === '');
}

interface DocRow {
  cells: string[];
  /** Where the row must be in an ordered result: from the top, from the bottom, or anywhere. */
  anchor: { from: 'top' | 'bottom'; index: number } | undefined;
}

/** Shown rows with their anchors: rows before the first `...` at the top, after the last one at the bottom. */
export function documentedRows(c: ConformanceCase): { rows: DocRow[]; truncated: boolean } {
  const all = c.expected.rows.filter((row) => !isNoRowsMarker(row, c.expected.columns.length));
  const gaps = all.map((row, i) => (isEllipsisRow(row) ? i : -1)).filter((i) => i >= 0);
  if (gaps.length === 0)
    return { rows: all.map((cells, i) => ({ cells, anchor: { from: 'top', index: i } })), truncated: false };
  const firstGap = gaps[0];
  const lastGap = gaps[gaps.length - 1];
  const rows: DocRow[] = [];
  all.forEach((cells, i) => {
    if (isEllipsisRow(cells)) return;
    if (i < firstGap) rows.push({ cells, anchor: { from: 'top', index: i } });
    else if (i > lastGap) rows.push({ cells, anchor: { from: 'bottom', index: all.length - 1 - i } });
    else rows.push({ cells, anchor: undefined });
  });
  return { rows, truncated: true };
}

function compareRows(c: ConformanceCase, table: EngineTable, mapping: number[], lenient: Leniency): Verdict {
  const { rows: docRows, truncated } = documentedRows(c);
  const count = table.rows.length;
  if (truncated ? docRows.length > count : docRows.length !== count) {
    return {
      ok: false,
      reason: `row count: expected ${truncated ? 'at least ' : ''}${docRows.length}, got ${count}`,
    };
  }
  const candidates = docRows.map((row) => candidateRows(c, table, row));
  const matches = (d: number, e: number) => rowMatches(docRows[d].cells, table, e, mapping, lenient);
  const { unmatched, partnerOf } = pairRows(candidates, matches, count);
  if (unmatched === undefined) return { ok: true };
  const free = candidates[unmatched].filter((e) => partnerOf[e] < 0);
  const compareWith = free.length > 0 ? free : candidates[unmatched];
  return { ok: false, reason: mismatchReason(c, table, docRows, unmatched, compareWith, mapping, lenient) };
}

function rowMatches(
  doc: string[],
  table: EngineTable,
  row: number,
  mapping: number[],
  lenient: Leniency,
): boolean {
  return mapping.every((col, i) =>
    cellMatches(doc[i] ?? '', table.rows[row][col], table.columns[col].type, lenient),
  );
}

/** Engine rows a documented row may be paired with, by the case's ordering rules. */
function candidateRows(c: ConformanceCase, table: EngineTable, row: DocRow): number[] {
  const count = table.rows.length;
  const everyRow = [...Array(count).keys()];
  if (!c.flags.ordered || row.anchor === undefined) return everyRow;
  const position = row.anchor.from === 'top' ? row.anchor.index : count - 1 - row.anchor.index;
  const keyColumns = (c.orderBy ?? []).map((name) => table.columns.findIndex((col) => col.name === name));
  if (keyColumns.length === 0 || keyColumns.includes(-1)) return [position];
  return tieGroup(table, position, keyColumns);
}

/** The run of consecutive rows around `position` that tie on the sort keys. */
function tieGroup(table: EngineTable, position: number, keyColumns: number[]): number[] {
  const key = (r: number) => keyText(keyColumns.map((col) => table.rows[r][col]));
  const own = key(position);
  let start = position;
  while (start > 0 && key(start - 1) === own) start--;
  let end = position;
  while (end + 1 < table.rows.length && key(end + 1) === own) end++;
  return Array.from({ length: end - start + 1 }, (_v, i) => start + i);
}

function keyText(values: Json[]): string {
  return JSON.stringify(values, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * Pairs documented rows with distinct engine rows (bipartite matching, so duplicates count as a multiset).
 * `unmatched` is the first documented row left without a partner; `partnerOf` maps engine rows to doc rows.
 */
function pairRows(
  candidates: number[][],
  matches: (doc: number, engine: number) => boolean,
  engineCount: number,
): { unmatched: number | undefined; partnerOf: number[] } {
  const memo = new Map<number, boolean>();
  const pairs = (d: number, e: number) => {
    const k = d * engineCount + e;
    let v = memo.get(k);
    if (v === undefined) {
      v = matches(d, e);
      memo.set(k, v);
    }
    return v;
  };
  const partnerOf = new Array<number>(engineCount).fill(-1);
  const tryAssign = (d: number, seen: Set<number>): boolean => {
    for (const e of candidates[d]) {
      if (seen.has(e) || !pairs(d, e)) continue;
      seen.add(e);
      if (partnerOf[e] < 0 || tryAssign(partnerOf[e], seen)) {
        partnerOf[e] = d;
        return true;
      }
    }
    return false;
  };
  for (let d = 0; d < candidates.length; d++) {
    if (!tryAssign(d, new Set())) return { unmatched: d, partnerOf };
  }
  return { unmatched: undefined, partnerOf };
}

function mismatchReason(
  c: ConformanceCase,
  table: EngineTable,
  docRows: DocRow[],
  d: number,
  candidates: number[],
  mapping: number[],
  lenient: Leniency,
): string {
  const doc = docRows[d].cells;
  const misses = (e: number) =>
    mapping.filter(
      (col, i) => !cellMatches(doc[i] ?? '', table.rows[e][col], table.columns[col].type, lenient),
    );
  let best: { row: number; missed: number[] } | undefined;
  for (const e of candidates) {
    const missed = misses(e);
    if (!best || missed.length < best.missed.length) best = { row: e, missed };
  }
  const where = `row ${d + 1}`;
  if (!best) return `${where}: no engine row to compare with`;
  if (best.missed.length === 0)
    return `${where}: ${shortText(doc.join(' | '))} duplicates a row already matched`;
  const col = best.missed[0];
  const docCol = mapping.indexOf(col);
  const column = table.columns[col];
  return (
    `${where}, column ${c.expected.columns[docCol]} (${column.type}): expected ${shortText(doc[docCol] ?? '')}, ` +
    `got ${shortText(table.rows[best.row][col])}`
  );
}
