import { KqlError } from '../errors.js';
import type { Executor, Scope } from '../exec.js';
import { coerce } from '../functions/coerce.js';
import type { ColumnDef, Tabular } from '../ir.js';
import { Table } from '../table.js';
import { keyOf, nullOf, type Value } from '../values.js';

type JoinNode = Extract<Tabular, { op: 'join' }>;

function keys(
  table: Table,
  exprs: JoinNode['on'][number]['left'][],
  scope: Scope,
  executor: Executor,
): string[] {
  const compiled = exprs.map((e) => executor.compile(e, table, scope));
  const out = new Array<string>(table.rowCount);
  for (let row = 0; row < table.rowCount; row++) {
    let key = '';
    for (const c of compiled) key += `${keyOf(c.fn(row))}\u0001`;
    out[row] = key;
  }
  return out;
}

/** Hash join of every Kusto kind; `innerunique` (the default) keeps one left row per key. */
export function joinTables(
  left: Table,
  right: Table,
  node: JoinNode,
  scope: Scope,
  executor: Executor,
): Table {
  const leftKeys = keys(
    left,
    node.on.map((o) => o.left),
    scope,
    executor,
  );
  const rightKeys = keys(
    right,
    node.on.map((o) => o.right),
    scope,
    executor,
  );
  let kind = node.kind;
  const lookup = kind.startsWith('lookup-');
  if (lookup) kind = kind.slice(7) === 'inner' ? 'inner' : 'leftouter';
  if (kind === 'anti' || kind === 'leftantisemi') kind = 'leftanti';
  if (kind === 'rightantisemi') kind = 'rightanti';

  const index = new Map<string, number[]>();
  rightKeys.forEach((key, row) => {
    const rows = index.get(key);
    if (rows) rows.push(row);
    else index.set(key, [row]);
  });

  const leftRows: number[] = [];
  const rightRows: number[] = [];
  const matchedRight = new Uint8Array(right.rowCount);
  switch (kind) {
    case 'innerunique':
    case 'inner':
    case 'leftouter':
    case 'rightouter':
    case 'fullouter': {
      const seen = new Set<string>();
      for (let row = 0; row < left.rowCount; row++) {
        const key = leftKeys[row];
        if (kind === 'innerunique') {
          if (seen.has(key)) continue;
          seen.add(key);
        }
        const matches = index.get(key);
        if (matches) {
          for (const r of matches) {
            leftRows.push(row);
            rightRows.push(r);
            matchedRight[r] = 1;
          }
        } else if (kind === 'leftouter' || kind === 'fullouter') {
          leftRows.push(row);
          rightRows.push(-1);
        }
      }
      if (kind === 'rightouter' || kind === 'fullouter') {
        for (let r = 0; r < right.rowCount; r++) {
          if (!matchedRight[r]) {
            leftRows.push(-1);
            rightRows.push(r);
          }
        }
      }
      break;
    }
    case 'leftsemi':
    case 'leftanti':
      for (let row = 0; row < left.rowCount; row++) {
        if (index.has(leftKeys[row]) === (kind === 'leftsemi')) leftRows.push(row);
      }
      return left.select(leftRows);
    case 'rightsemi':
    case 'rightanti': {
      const leftSet = new Set(leftKeys);
      for (let r = 0; r < right.rowCount; r++) {
        if (leftSet.has(rightKeys[r]) === (kind === 'rightsemi')) rightRows.push(r);
      }
      return right.select(rightRows);
    }
    default:
      throw new KqlError(`unknown join kind '${node.kind}'`);
  }

  // Which input column feeds each output column.
  const sources: { side: 'left' | 'right'; index: number }[] = left.columns.map((_, i) => ({
    side: 'left' as const,
    index: i,
  }));
  if (lookup) {
    const rightKeyNames = new Set(node.on.map((o) => (o.right.e === 'column' ? o.right.name : '')));
    right.columns.forEach((c, i) => {
      if (!rightKeyNames.has(c.name)) sources.push({ side: 'right', index: i });
    });
  } else {
    right.columns.forEach((_, i) => {
      sources.push({ side: 'right', index: i });
    });
  }
  const columns: ColumnDef[] =
    node.columns.length === sources.length
      ? node.columns
      : sources.map((s) => (s.side === 'left' ? left.columns[s.index] : right.columns[s.index]));
  const n = leftRows.length;
  const data = sources.map((s, c) => {
    const table = s.side === 'left' ? left : right;
    const rows = s.side === 'left' ? leftRows : rightRows;
    const from = table.columns[s.index].type;
    const to = columns[c].type;
    const source = table.data[s.index];
    const empty = nullOf(to);
    const out = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      out[i] = r < 0 ? empty : from === to ? source[r] : coerce(source[r], from, to);
    }
    return out;
  });
  return new Table(columns, data, n);
}
