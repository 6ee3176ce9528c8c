/**
 * Ingest benchmark: the same generated rows (default 100,000) sent to the emulator (run as a child
 * process, so client and server each have a core) (a) by one bare `LogsIngestionClient.upload` call
 * with all the rows, and (b) through provlog's ingest pipeline (chunking, ledger, rejects, counts).
 * Rounds alternate the two; prints each round, the medians and their ratio; asserts nothing.
 * Run: npm run bench:ingest [-- --rows N --rounds R --concurrency C --bare-concurrency C --keep]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LogsIngestionClient } from '@azure/monitor-ingestion';
import { type AzureConnection, emulatorConnection } from '../src/azure/connection.js';
import { ingest, memorySource, setupIngestion } from '../src/azure/ingest/index.js';
import { customRowMapper } from '../src/azure/ingest/schema.js';
import { LogsQuery } from '../src/azure/logs-query.js';
import { generateTenant } from '../src/generate/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    // The SDK's own default is 5 chunks in flight.
    'bare-concurrency': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const target = Number(values.rows);
const concurrency = Number(values.concurrency);
const rounds = Math.max(1, Number(values.rounds));
const cli = resolve(import.meta.dirname, '../../bin/provlog.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function rate(rows: number, ms: number): number {
  return Math.round(rows / (ms / 1000));
}

async function startEmulatorProcess(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'emulator', 'start', '--data', dataDir], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(dataDir, 'emulator.json'))) {
    if (Date.now() > deadline) throw new Error('the emulator did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

async function rowCount(connection: AzureConnection, table: string): Promise<number> {
  const answer = await new LogsQuery(connection).query(connection.emulator!.workspaceId, `${table} | count`, {
    duration: 'P30D',
  });
  return Number(answer.tables[0]?.rows[0]?.[0] ?? 0);
}

const dir = mkdtempSync(join(tmpdir(), 'provlog-bench-ingest-'));
const emulatorDir = join(dir, 'emulator');
const emulator = await startEmulatorProcess(emulatorDir);
try {
  const connection = emulatorConnection(emulatorDir);
  const workspaceResourceId = connection.emulator!.workspaceResourceId;

  const users = Math.max(200, Math.ceil(target / 150));
  const tenant = generateTenant({ seed: 7, users, apps: 8, days: 30, end: new Date().toISOString() });
  const rows: Record<string, unknown>[] = [];
  for (const row of tenant.provisioningRows()) {
    if (rows.length >= target) break;
    rows.push(row as unknown as Record<string, unknown>);
  }
  const bytes = rows.reduce((n, r) => n + JSON.stringify(r).length, 0);
  console.log(`${rows.length.toLocaleString('en-US')} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB as JSON`);

  const setup = async (name: string) =>
    setupIngestion(connection, {
      workspaceResourceId,
      sourceTable: 'AADProvisioningLogs',
      dcrName: name,
      customTable: `${name.replace(/-/g, '_')}_CL`,
      stream: `Custom-${name}`,
      pollIntervalMs: 10,
    });
  const warm = await setup('warmup');
  const bare = await setup('bare');
  const pipeline = await setup('pipeline');

  // The bare upload sends records already in the stream's shape; mapping is part of provlog's time.
  const mapper = customRowMapper('AADProvisioningLogs');
  const records = rows.map(mapper);
  const client = new LogsIngestionClient(bare.endpoint, connection.credential, {
    audience: connection.endpoints.ingestionAudience,
    ...connection.clientOptions,
  });
  // First requests pay for the emulator's KQL analyser; both rules share the analysis.
  await client.upload(warm.dcrImmutableId, warm.stream, records.slice(0, 100));

  // Rounds alternate (a) and (b), so that load from elsewhere on the machine hits both alike.
  const bareRates: number[] = [];
  const pipelineRates: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    let t = performance.now();
    await client.upload(bare.dcrImmutableId, bare.stream, records, {
      maxConcurrency: Number(values['bare-concurrency']),
    });
    const bareMs = performance.now() - t;
    bareRates.push(rate(records.length, bareMs));

    t = performance.now();
    const result = await ingest({
      connection,
      endpoint: pipeline.endpoint,
      ruleId: pipeline.dcrImmutableId,
      stream: pipeline.stream,
      customTable: pipeline.table,
      // A ledger folder of its own per round, so every round sends all rows (next to other ledgers of the
      // same rule, ingest would look the rows up first and find them sent).
      source: memorySource(rows, 'AADProvisioningLogs', `bench-${round}`),
      stateDir: join(dir, 'state', String(round)),
      concurrency,
      workspaceId: pipeline.workspaceId,
      warn: (message) => console.error(`warning: ${message}`),
    });
    const pipelineMs = performance.now() - t;
    pipelineRates.push(rate(result.summary.rowsSent, pipelineMs));
    console.log(
      `round ${round}: (a) bare upload (concurrency ${values['bare-concurrency']}) ${(bareMs / 1000).toFixed(2)} s = ${bareRates.at(-1)!.toLocaleString('en-US')} rows/s; ` +
        `(b) provlog pipeline ${(pipelineMs / 1000).toFixed(2)} s = ${pipelineRates.at(-1)!.toLocaleString('en-US')} rows/s ` +
        `(${result.summary.chunks} chunks, ${result.summary.requests} requests, concurrency ${concurrency})`,
    );
  }
  const bareRate = median(bareRates);
  const pipelineRate = median(pipelineRates);
  console.log(`(a) bare LogsIngestionClient.upload: median ${bareRate.toLocaleString('en-US')} rows/s`);
  console.log(`(b) provlog ingest pipeline:         median ${pipelineRate.toLocaleString('en-US')} rows/s`);
  console.log(`provlog / bare: ${((100 * pipelineRate) / bareRate).toFixed(1)}%  (target >= 90%)`);

  // The emulator reads a custom table whole for a query: count only while the tables stay small.
  if (rows.length * rounds <= 200_000) {
    const bareCount = await rowCount(connection, bare.table);
    const pipelineCount = await rowCount(connection, pipeline.table);
    console.log(
      `rows in the tables: bare ${bareCount.toLocaleString('en-US')}, pipeline ${pipelineCount.toLocaleString('en-US')} (${rounds} round${rounds === 1 ? '' : 's'})`,
    );
  }
  if (values.keep) console.log(`kept: ${dir}`);
} finally {
  emulator.kill('SIGTERM');
  await new Promise((r) => emulator.once('exit', r));
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
