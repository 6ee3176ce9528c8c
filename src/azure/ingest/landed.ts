/**
 * What already landed in the custom table, asked through the Log Analytics query API: which of some
 * IngestionIds are there (before re-sending rows whose request had an unknown outcome), and rows per
 * day of the original time (--verify).
 *
 * Time ranges: the query API only returns rows whose stored TimeGenerated is inside the timespan, and a
 * backfilled row's stored TimeGenerated is either its original time or the time it arrived (the
 * service replaces old values), so every range reaches from before the original times to after now.
 */
import { stringLiteral } from '../../queries/parameters.js';
import type { AzureConnection } from '../connection.js';
import { LogsQuery, type QueryTimeInterval } from '../logs-query.js';
import { INGESTION_ID_COLUMN, ORIGINAL_TIME_COLUMN } from './schema.js';

const DAY_MS = 86_400_000;
/** IngestionIds per lookup query (keeps the query text small). */
const IDS_PER_QUERY = 400;

export interface DayCount {
  rows: number;
  distinct: number;
}

export interface LandedRows {
  /** The ids among `ids` present in the table; `earliestMs` bounds the rows' original and arrival times. */
  present(ids: readonly string[], earliestMs: number): Promise<Set<string>>;
  /** Rows and distinct IngestionIds per UTC day (yyyy-MM-dd) of the original time, for days in [from, to). */
  /** Rows per day of the original time, in [from, to) (days or datetimes). */
  dayCounts(fromDay: string, toDay: string): Promise<Map<string, DayCount>>;
}

export function landedRows(connection: AzureConnection, workspaceId: string, table: string): LandedRows {
  const client = new LogsQuery(connection);
  const tableName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(table) ? table : `['${table}']`;
  return {
    async present(ids, earliestMs) {
      const found = new Set<string>();
      const timespan = wideTimespan(earliestMs);
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const slice = ids.slice(i, i + IDS_PER_QUERY);
        const query = `${tableName}\n| where ${INGESTION_ID_COLUMN} in (${slice.map(stringLiteral).join(', ')})\n| distinct ${INGESTION_ID_COLUMN}`;
        for (const row of await queryRows(client, workspaceId, query, timespan)) found.add(String(row[0]));
      }
      return found;
    },
    async dayCounts(fromDay, toDay) {
      const query = [
        tableName,
        `| where ${ORIGINAL_TIME_COLUMN} >= datetime(${fromDay}) and ${ORIGINAL_TIME_COLUMN} < datetime(${toDay})`,
        `| summarize Copies = count() by Day = startofday(${ORIGINAL_TIME_COLUMN}), ${INGESTION_ID_COLUMN}`,
        '| summarize Rows = sum(Copies), Distinct = count() by Day',
      ].join('\n');
      const counts = new Map<string, DayCount>();
      for (const [day, rows, distinct] of await queryRows(
        client,
        workspaceId,
        query,
        wideTimespan(Date.parse(fromDay)),
      )) {
        const key = new Date(day instanceof Date ? day : String(day)).toISOString().slice(0, 10);
        counts.set(key, { rows: Number(rows), distinct: Number(distinct) });
      }
      return counts;
    },
  };
}

function wideTimespan(earliestMs: number): QueryTimeInterval {
  return { startTime: new Date(earliestMs - 2 * DAY_MS), endTime: new Date(Date.now() + 2 * DAY_MS) };
}

async function queryRows(
  client: LogsQuery,
  workspaceId: string,
  query: string,
  timespan: QueryTimeInterval,
): Promise<unknown[][]> {
  const answer = await client.query(workspaceId, query, timespan);
  if (answer.status === 'partial') {
    throw new Error(`query failed: ${answer.partialError?.message ?? 'partial result'}`);
  }
  return answer.tables[0]?.rows ?? [];
}
