/**
 * `provlog query run` and `provlog report run` on Log Analytics (`--workspace-id`; the emulator serves
 * the same rows as a local workspace) give the same output as the local engine, in every format.
 * The emulator's clock is years past the data: the results only agree because provlog runs each
 * query on its own clock (`--now`), not the service's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyze } from '../../src/kql/analyzer.js';
import { nowTicks } from '../../src/kql/engine.js';
import { workspaceSchemas } from '../../src/kql/workspace-source.js';
import { LocalBackend } from '../../src/queries/backend.js';
import { withFixedClock } from '../../src/queries/fixed-clock.js';
import { functionPreamble, loadLibrary } from '../../src/queries/library.js';
import { RemoteBackend } from '../../src/queries/remote-backend.js';
import { Workspace } from '../../src/store/workspace.js';
import { type CliResult, provlog, provlogAsync, tempDir, tenantArgs } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const END = '2026-06-01T00:00:00Z';
const EMULATOR_CLOCK = '2031-03-03T03:03:03Z';
let dir: string;
let ws: string;
let emulator: TestEmulator;
let workspaceId: string;
let remote: string[];
let env: NodeJS.ProcessEnv;
let user: string;
let app: string;

function ok(args: string[], input?: string): Promise<CliResult> {
  return provlogAsync(args, { env, ...(input !== undefined ? { input } : {}) }).then((result) => {
    expect(result.code, `provlog ${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  });
}

/** The same command on the local workspace and on the emulator's workspace. */
function both(args: string[], input?: string): Promise<[CliResult, CliResult]> {
  return Promise.all([ok([...args, '--workspace', ws], input), ok([...args, ...remote], input)]);
}

/** Runs tasks a few at a time (the machine has two cores, and the emulator answers in this process). */
async function limited<T>(tasks: (() => Promise<T>)[], width = 2): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += width)
    results.push(...(await Promise.all(tasks.slice(i, i + width).map((t) => t()))));
  return results;
}

beforeAll(async () => {
  dir = tempDir('provlog-remote-');
  ws = join(dir, 'ws');
  env = { PROVLOG_CACHE_DIR: join(dir, 'cache') };
  const generated = provlog([
    'generate',
    '--workspace',
    ws,
    ...tenantArgs(7, { users: 60, apps: 4, days: 14, end: END }),
  ]);
  expect(generated.code, generated.stderr).toBe(0);
  // A user and an app of this tenant, for the reports that need one.
  const library = loadLibrary();
  const pick =
    'ProvisioningEvents() | where isnotempty(SourceUPN) | summarize n = count() by App, SourceUPN | sort by n desc, SourceUPN asc | take 1';
  const [picked] = await new LocalBackend(Workspace.open(ws), { now: nowTicks(END), library }).run(
    functionPreamble(library, pick) + pick,
  );
  [app, user] = picked.rows[0] as string[];
  emulator = await startTestEmulator({ workspaceDir: ws, now: EMULATOR_CLOCK });
  workspaceId = emulator.connection.emulator!.workspaceId;
  remote = ['--workspace-id', workspaceId, ...emulator.cliArgs];
});

afterAll(async () => {
  await emulator?.stop();
});

describe('the clock', () => {
  test("now() and ago() become the run's clock; strings, comments and other names stay", () => {
    const text =
      "print a = now(), b = ago(1d), c = 'now() ago(2d)' // ago(3d)\n| extend d = bin(now(-1h), 1d), now = 1";
    const fixed = withFixedClock(text, nowTicks(END), analyze(text, workspaceSchemas()));
    expect(fixed).toBe(
      "print a = datetime(2026-06-01T00:00:00Z), b = (datetime(2026-06-01T00:00:00Z) - (1d)), c = 'now() ago(2d)' // ago(3d)\n" +
        '| extend d = bin((datetime(2026-06-01T00:00:00Z) + (-1h)), 1d), now = 1',
    );
  });

  test('ad-hoc KQL gives the same output, whatever clock the service has', async () => {
    const text = `print Now = now(), Week = ago(7d), D = dynamic({"a": [1, 2.5, "x", 12345678901234567890]}), T = 1.5h, L = 9007199254740993, R = real(nan)
| extend Day = bin(Now, 1d) | render table`;
    const outputs: string[] = [];
    for (const format of ['json', 'csv', 'table']) {
      const [local, remoteRun] = await both(['query', 'run', '-', '--now', END, '--format', format], text);
      expect(remoteRun.stdout).toBe(local.stdout);
      outputs.push(local.stdout);
    }
    expect(outputs[0]).toContain('"2026-06-01T00:00:00Z"');
  });

  test('a query the service refuses fails as it does locally', async () => {
    const text = 'AADProvisioningLogs | where NoSuchColumn > 1';
    const local = await provlogAsync(['query', 'run', '-', '--workspace', ws], { env, input: text });
    const remoteRun = await provlogAsync(['query', 'run', '-', ...remote], { env, input: text });
    expect(local.code).toBe(1);
    expect(remoteRun.code).toBe(1);
    expect(remoteRun.stderr).toBe(local.stderr);
  });
});

describe('library queries on Log Analytics', () => {
  // Every shipped query also runs below through the reports; these cover `query run`'s own printing.
  const QUERIES: [string, string[], string[]][] = [
    ['top-errors', ['json', 'csv', 'table'], []],
    ['top-errors', ['json'], ['--from', '2026-05-25T00:00:00Z', '--to', '2026-05-29T12:00:00Z']],
    ['user-trace', ['csv'], []],
    ['health-summary', ['table'], ['--since', '7d']],
    ['quarantined-now', ['json'], []],
    ['provisioning-stopped', ['json'], []],
  ];

  test('shipped queries give the same output as locally, in json, csv and table', async () => {
    const tasks = QUERIES.map(([id, formats, extra]) => async () => {
      const params = id === 'user-trace' ? ['--param', `User=${user}`] : [];
      for (const format of formats) {
        const [local, remoteRun] = await both([
          'query',
          'run',
          id,
          '--now',
          END,
          '--format',
          format,
          ...params,
          ...extra,
        ]);
        expect(remoteRun.stdout, `${id} ${format}`).toBe(local.stdout);
        const rowCount =
          format === 'json'
            ? JSON.parse(local.stdout).tables[0].rows.length
            : local.stdout.trim().split('\n').length - 1;
        if (!['provisioning-stopped', 'quarantined-now'].includes(id))
          expect(rowCount, `${id} ${format}`).toBeGreaterThan(0);
      }
      return id;
    });
    expect(await limited(tasks)).toEqual(QUERIES.map(([id]) => id));
  });
});

describe('reports on Log Analytics', () => {
  const reportParams = (id: string) =>
    id === 'user-trace' ? ['--param', `User=${user}`] : id === 'app-detail' ? ['--param', `App=${app}`] : [];

  /** The report result without what legitimately differs: when it ran, and where the data came from. */
  function comparable(json: string) {
    const result = JSON.parse(json);
    expect(result.source.dataFrom).toBeDefined();
    return {
      ...result,
      generatedAt: undefined,
      source: { dataFrom: result.source.dataFrom, dataTo: result.source.dataTo },
      warnings: result.warnings.map((w: string) =>
        sameAdvice(w.replace('the Log Analytics workspace', 'the local workspace')),
      ),
    };
  }

  /** The advice differs on purpose: import into a local workspace, backfill (or keep longer) in Azure. */
  function sameAdvice(text: string) {
    return text.replace(
      /Import older logs \(provlog import\)|Backfill older logs \(provlog ingest\), check the table(&#39;|&#x27;|')s retention,/g,
      'ADVICE',
    );
  }

  function comparableText(text: string) {
    return sameAdvice(text)
      .replace(/Log Analytics workspace <code>[^<]*<\/code>|Local workspace <code>[^<]*<\/code>/g, 'SOURCE')
      .replace(/(log analytics|local) workspace \S+ \(data held/gi, 'SOURCE (data held')
      .replace(/the (Log Analytics|local) workspace/g, 'the workspace')
      .replace(/(<dt>Generated<\/dt><dd>|\*\*Generated:\*\* |generated by provlog \S+ at )[^<(]*/g, '$1TIME');
  }

  test('every shipped report: the same json and csv; html and markdown alike but for the data source', async () => {
    const reports = readdirSync(join(import.meta.dirname, '../../reports'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect(reports).toEqual(expect.arrayContaining(['provisioning-health', 'user-trace', 'app-detail']));
    const tasks = reports.map((id) => async () => {
      const base = ['report', 'run', id, '--now', END, ...reportParams(id)];
      const [localJson, remoteJson] = await both([...base, '--format', 'json', '-o', '-']);
      const local = comparable(localJson.stdout);
      expect(comparable(remoteJson.stdout), id).toEqual(local);
      expect(JSON.parse(remoteJson.stdout).source).toMatchObject({
        kind: 'log-analytics',
        location: workspaceId,
      });
      expect(remoteJson.stderr.split('\n').length).toBe(localJson.stderr.split('\n').length);
      const csv = (where: string) => join(dir, 'csv', id, where);
      await Promise.all([
        ok([...base, '--format', 'csv', '-o', csv('local'), '--workspace', ws]),
        ok([...base, '--format', 'csv', '-o', csv('remote'), ...remote]),
      ]);
      const files = readdirSync(csv('local'));
      expect(files.length).toBeGreaterThan(0);
      expect(readdirSync(csv('remote'))).toEqual(files);
      for (const file of files)
        expect(readFileSync(join(csv('remote'), file), 'utf8'), `${id}/${file}`).toBe(
          readFileSync(join(csv('local'), file), 'utf8'),
        );
      return local.sections.length as number;
    });
    const sections = await limited(tasks);
    expect(sections.every((n) => n > 0)).toBe(true);

    for (const [id, format] of [
      ['provisioning-health', 'html'],
      ['app-detail', 'md'],
    ] as const) {
      const base = ['report', 'run', id, '--now', END, '--format', format, '-o', '-', ...reportParams(id)];
      const [local, remoteRun] = await both(base);
      expect(remoteRun.stdout).toContain(workspaceId);
      expect(comparableText(remoteRun.stdout), `${id} ${format}`).toBe(comparableText(local.stdout));
    }
  });
});

describe('RemoteBackend', () => {
  test('an empty workspace (204) gives the columns the local engine gives, and no data range', async () => {
    const empty = emulator.emulator.context.logs.create({
      customerId: '0c0ffee0-0000-4000-8000-000000000001',
      armId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/empty',
    });
    const now = nowTicks(END);
    const backend = new RemoteBackend({ connection: emulator.connection, workspace: empty.customerId, now });
    await backend.loadDataRange();
    expect(backend.describe()).toEqual({ kind: 'log-analytics', location: empty.customerId });
    const localEmpty = new LocalBackend(Workspace.open(join(dir, 'empty'), { create: true }), { now });
    const text = 'AADProvisioningLogs | summarize Events = count(), Last = max(TimeGenerated) by ResultType';
    const [remoteTable] = await backend.run(text);
    const [localTable] = await localEmpty.run(text);
    expect(remoteTable).toEqual(localTable);
    expect(remoteTable.columns.map((c) => c.name)).toEqual(['ResultType', 'Events', 'Last']);
  });

  test('the CLI: --workspace and --workspace-id exclude each other; a bad or unknown id is one line', async () => {
    const conflict = await provlogAsync(['query', 'run', 'top-errors', '--workspace', ws, ...remote], {
      env,
    });
    expect(conflict.code).toBe(2);
    const bad = await provlogAsync(
      ['report', 'run', 'quarantine', '--workspace-id', 'contoso', ...emulator.cliArgs],
      { env },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^provlog: --workspace-id contoso: .*GUID/);
    const unknown = await provlogAsync(
      [
        'report',
        'run',
        'quarantine',
        '--workspace-id',
        '0c0ffee0-0000-4000-8000-0000000000ff',
        ...emulator.cliArgs,
      ],
      { env },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('HTTP 404 PathNotFoundError');
  });
});
