/**
 * Engine benchmark: the same generated rows queried by the embedded KQL engine and by DuckDB with
 * equivalent SQL, in one run. Prints each query's median time, the ratio, and the engine's peak memory.
 * Asserts nothing. Run: npm run bench:kql [-- --rows N --workspace DIR (reuse) --runs N]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { stringify } from 'csv-stringify/sync';
import { generateTenant } from '../src/generate/index.js';
import { runQuery } from '../src/kql/engine.js';
import { WorkspaceTableSource, workspaceSchemas } from '../src/kql/workspace-source.js';
import type { ProvisioningLogRow } from '../src/model/rows.js';
import { importItems } from '../src/store/importer.js';
import { readRows } from '../src/store/reader.js';
import { Workspace } from '../src/store/workspace.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    workspace: { type: 'string' },
    runs: { type: 'string', default: '5' },
  },
});
const target = Number(values.rows);
const runs = Number(values.runs);

const CUTOFF = '2026-10-20T00:00:00';

/** KQL and the SQL that answers the same question over the same rows. */
const QUERIES: { name: string; kql: string; sql: string }[] = [
  {
    name: 'filter + count',
    kql: 'AADProvisioningLogs | where ResultType == "Failure" | count',
    sql: "SELECT count(*) FROM logs WHERE ResultType = 'Failure'",
  },
  {
    name: 'summarize by signature',
    kql: 'AADProvisioningLogs | summarize count(), avg(DurationMs) by ResultSignature',
    sql: 'SELECT ResultSignature, count(*), avg(DurationMs) FROM logs GROUP BY ResultSignature',
  },
  {
    name: 'hourly bins by result',
    kql: `AADProvisioningLogs | where TimeGenerated >= datetime(${CUTOFF}) | summarize count() by bin(TimeGenerated, 1h), ResultType`,
    sql: `SELECT time_bucket(INTERVAL 1 hour, TimeGenerated), ResultType, count(*) FROM logs WHERE TimeGenerated >= TIMESTAMP '${CUTOFF.replace('T', ' ')}' GROUP BY ALL`,
  },
  {
    name: 'dcount of parsed JSON',
    kql: 'AADProvisioningLogs | summarize dcount(tostring(parse_json(SourceIdentity).Id)) by JobId',
    sql: "SELECT JobId, count(DISTINCT json_extract_string(SourceIdentity, '$.Id')) FROM logs GROUP BY JobId",
  },
  {
    name: 'creates per job per day',
    kql: 'AADProvisioningLogs | where ProvisioningAction == "Create" | summarize count() by JobId, bin(TimeGenerated, 1d)',
    sql: "SELECT JobId, time_bucket(INTERVAL 1 day, TimeGenerated), count(*) FROM logs WHERE ProvisioningAction = 'Create' GROUP BY ALL",
  },
  {
    name: 'top 10 by duration',
    kql: 'AADProvisioningLogs | top 10 by DurationMs desc | project Id, DurationMs',
    sql: 'SELECT Id, DurationMs FROM logs ORDER BY DurationMs DESC LIMIT 10',
  },
  {
    name: 'substring search',
    kql: 'AADProvisioningLogs | where SourceIdentity contains "anderson" | count',
    sql: "SELECT count(*) FROM logs WHERE SourceIdentity ILIKE '%anderson%'",
  },
  {
    name: 'join failure rate',
    kql: 'AADProvisioningLogs | where ResultType == "Failure" | summarize f = count() by JobId | join kind=inner (AADProvisioningLogs | summarize t = count() by JobId) on JobId | project JobId, rate = todouble(f) / t',
    sql: "WITH f AS (SELECT JobId, count(*) AS f FROM logs WHERE ResultType = 'Failure' GROUP BY JobId), t AS (SELECT JobId, count(*) AS t FROM logs GROUP BY JobId) SELECT f.JobId, f.f / t.t FROM f JOIN t USING (JobId)",
  },
];

const CSV_COLUMNS = [
  'Id',
  'TimeGenerated',
  'JobId',
  'ResultType',
  'ResultSignature',
  'DurationMs',
  'ProvisioningAction',
  'SourceIdentity',
];

function* limited(rows: Iterable<ProvisioningLogRow>, n: number): Generator<ProvisioningLogRow> {
  let i = 0;
  for (const row of rows) {
    if (i++ >= n) return;
    yield row;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const scratch = mkdtempSync(join(tmpdir(), 'provlog-bench-kql-'));
try {
  const dir = values.workspace ?? join(scratch, 'ws');
  let workspace: Workspace;
  if (values.workspace && existsSync(join(dir, 'catalog.json'))) {
    workspace = Workspace.open(dir);
    console.log(`reusing workspace ${dir}`);
  } else {
    workspace = Workspace.open(dir, { create: true });
    const users = Math.max(200, Math.ceil(target / 200));
    const tenant = generateTenant({ seed: 7, users, apps: 8, days: 30, end: '2026-11-01T00:00:00Z' });
    const t = performance.now();
    const items = (function* () {
      for (const row of limited(tenant.provisioningRows(), target)) {
        yield {
          kind: 'row' as const,
          table: 'AADProvisioningLogs' as const,
          row,
          file: 'generated',
          line: 0,
        };
      }
    })();
    await importItems(workspace, items, { sources: ['generated'] });
    console.log(
      `generated and imported ${target.toLocaleString('en-US')} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }

  const source = new WorkspaceTableSource(workspace);
  const schemas = workspaceSchemas();
  const rows = source.table('AADProvisioningLogs')?.rowCount ?? 0;
  const loadMs = time(() => {
    const table = source.table('AADProvisioningLogs')!;
    source.prefetch(CSV_COLUMNS);
    for (const name of CSV_COLUMNS) void table.data[table.indexOf(name)];
  });
  console.log(
    `engine: ${rows.toLocaleString('en-US')} rows, query columns decoded in ${(loadMs / 1000).toFixed(2)} s`,
  );

  const engineMs: number[] = [];
  for (const query of QUERIES) {
    runQuery(query.kql, { schemas, source }); // warm-up (and the analyser's first load)
    const times = Array.from({ length: runs }, () => time(() => runQuery(query.kql, { schemas, source })));
    engineMs.push(median(times));
  }
  // Measured before the DuckDB side (and its CSV) exist in this process.
  const enginePeak = process.resourceUsage().maxRSS * 1024;

  // The same rows for DuckDB, as CSV of the columns the queries use.
  const csv = join(scratch, 'logs.csv');
  const lines: string[] = [stringify([CSV_COLUMNS])];
  let batch: unknown[][] = [];
  for (const row of readRows(workspace, 'AADProvisioningLogs')) {
    batch.push(
      CSV_COLUMNS.map((c) =>
        c === 'TimeGenerated' ? String(row[c]).replace('T', ' ').replace('Z', '') : row[c],
      ),
    );
    if (batch.length === 50_000) {
      lines.push(stringify(batch));
      batch = [];
    }
  }
  lines.push(stringify(batch));
  writeFileSync(csv, lines.join(''));

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `CREATE TABLE logs AS SELECT * FROM read_csv('${csv}', header = true, types = {'DurationMs': 'BIGINT', 'TimeGenerated': 'TIMESTAMP'})`,
  );
  const duckMs: number[] = [];
  for (const query of QUERIES) {
    await connection.runAndReadAll(query.sql);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await timeAsync(() => connection.runAndReadAll(query.sql)));
    duckMs.push(median(times));
  }

  console.log(
    `\n${'query'.padEnd(26)}${'engine ms'.padStart(11)}${'duckdb ms'.padStart(11)}${'ratio'.padStart(8)}`,
  );
  const ratios = QUERIES.map((query, i) => {
    const ratio = engineMs[i] / duckMs[i];
    console.log(
      `${query.name.padEnd(26)}${engineMs[i].toFixed(1).padStart(11)}${duckMs[i].toFixed(1).padStart(11)}${ratio.toFixed(2).padStart(8)}`,
    );
    return ratio;
  });
  console.log(`\nmedian ratio (engine / DuckDB): ${median(ratios).toFixed(2)}  (target <= 3)`);
  console.log(
    `engine peak RSS: ${(enginePeak / 1e9).toFixed(2)} GB = ${(enginePeak / 2 ** 30).toFixed(2)} GiB  (target <= 1.5 GB)`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
