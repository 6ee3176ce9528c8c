import { responseJson, runQuery } from '../../src/index.js';

export interface KqlResult {
  columns: { name: string; type: string }[];
  /** Rows as the query API encodes them (datetimes ISO text, timespans .NET text, dynamic as JSON text). */
  rows: unknown[][];
}

/** Runs a query on the embedded engine (no tables) and returns the API-encoded primary result. */
export function kql(query: string, now = '2026-01-01T00:00:00Z'): KqlResult {
  const body = JSON.parse(responseJson(runQuery(query, { now }))) as { tables: KqlResult[] };
  return body.tables[0];
}

/** The single cell of a one-row, one-column result (`print f(x)`). */
export function scalar(query: string): unknown {
  return kql(query).rows[0][0];
}
