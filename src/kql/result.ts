/**
 * Results in the Log Analytics query API's v1 shape:
 * `{"tables":[{"name","columns":[{"name","type"}],"rows":[[…]]}]}` (+ `render` when the query renders).
 */
import type { QueryOutput } from './exec.js';
import type { Table } from './table.js';
import { formatDatetime, formatReal, formatTimespan } from './text.js';
import { type Dynamic, jsonText, type KType, type Value } from './values.js';

/** A cell as JSON text: datetimes ISO with Z, timespans .NET text, dynamic as a string of JSON. */
export function cellJson(value: Value, type: KType): string {
  if (value === null) return 'null';
  switch (type) {
    case 'datetime':
      return JSON.stringify(formatDatetime(value as bigint));
    case 'timespan':
      return JSON.stringify(formatTimespan(value as bigint));
    case 'dynamic':
      return JSON.stringify(jsonText(value as Dynamic));
    case 'real':
    case 'int':
    case 'long': {
      if (typeof value === 'bigint') return value.toString();
      const n = value as number;
      return Number.isFinite(n) ? String(n) : JSON.stringify(formatReal(n));
    }
    case 'decimal':
      return JSON.stringify(formatReal(value as number));
    case 'bool':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(value);
  }
}

function tableJson(name: string, table: Table): string {
  const columns = JSON.stringify(table.columns.map((c) => ({ name: c.name, type: c.type })));
  const rows: string[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    rows.push(`[${table.columns.map((c, i) => cellJson(table.data[i][r], c.type)).join(',')}]`);
  }
  return `{"name":${JSON.stringify(name)},"columns":${columns},"rows":[${rows.join(',')}]}`;
}

export function renderObject(output: QueryOutput): Record<string, unknown> | undefined {
  if (!output.render) return undefined;
  const p = output.render.properties;
  return {
    visualization: output.render.visualization,
    title: p.title ?? '',
    accumulate: p.accumulate ?? false,
    isQuerySorted: false,
    kind: p.kind ?? 'default',
    annotation: p.annotation ?? '',
    by: null,
    ...Object.fromEntries(
      Object.entries(p).filter(([k]) => !['title', 'accumulate', 'kind', 'annotation'].includes(k)),
    ),
  };
}

/** The whole response body as JSON text (exact 64-bit integers included). */
export function responseJson(output: QueryOutput): string {
  const tables = output.tables.map((t) => tableJson(t.name, t.table));
  const render = renderObject(output);
  return `{"tables":[${tables.join(',')}]${render ? `,"render":${JSON.stringify(render, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}` : ''}}`;
}
