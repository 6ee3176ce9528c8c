/**
 * `provlog pull` end to end: the built CLI as a child process against the emulator (Graph routes with a
 * fast throttle), into fresh workspaces; compared with the generated tenant's own rows. Also the
 * request pacer on a fake clock.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RequestPacer } from '../../src/azure/graph-pacer.js';
import { type GeneratedTenant, generateTenant } from '../../src/generate/index.js';
import type { ProvisioningLogRow } from '../../src/model/rows.js';
import { readRows } from '../../src/store/reader.js';
import { Workspace } from '../../src/store/workspace.js';
import { importGeneratedTenant } from '../../src/tenant-import.js';
import { cliPath, provlogAsync, repoRoot, tempDir } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const END = '2025-03-01T00:00:00Z';
const FROM = '2025-02-25T00:00:00Z';
const TO = '2025-02-28T00:00:00Z';

const ms = (canonical: string) => Date.parse(`${canonical.slice(0, 23)}Z`);

function pulledRows(dir: string): ProvisioningLogRow[] {
  return [...readRows(Workspace.open(dir), 'AADProvisioningLogs')] as unknown as ProvisioningLogRow[];
}

function byDay(rows: ProvisioningLogRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows)
    counts[r.TimeGenerated.slice(0, 10)] = (counts[r.TimeGenerated.slice(0, 10)] ?? 0) + 1;
  return counts;
}

/** Rows as Graph can carry them: TenantId is the Log Analytics workspace, which Graph does not know. */
function comparable(row: ProvisioningLogRow): Omit<ProvisioningLogRow, 'TenantId'> {
  const { TenantId: _tenant, ...rest } = row;
  return rest;
}

interface PullJson {
  resumed: boolean;
  ranges: { from: string; to: string }[];
  requests: number;
  read: number;
  added: number;
  duplicates: number;
  rejected: number;
  throttled: number;
}

describe('provlog pull', () => {
  let tenant: GeneratedTenant;
  let rows: ProvisioningLogRow[];
  let inWindow: ProvisioningLogRow[];
  let emulator: TestEmulator;
  const dirs: string[] = [];
  const workspace = () => {
    const dir = join(tempDir('provlog-pull-'), 'ws');
    dirs.push(dir);
    return dir;
  };
  const pull = (dir: string, ...extra: string[]) =>
    provlogAsync(['pull', ...emulator.cliArgs, '--workspace', dir, '--from', FROM, '--to', TO, ...extra]);

  beforeAll(async () => {
    tenant = generateTenant({ seed: 23, users: 100, apps: 4, days: 5, end: END });
    rows = [...tenant.provisioningRows()];
    inWindow = rows.filter(
      (r) => ms(r.TimeGenerated) >= Date.parse(FROM) && ms(r.TimeGenerated) < Date.parse(TO),
    );
    // Graph's limit scaled down twenty times (5 requests per 0.5 s), so the test runs in seconds.
    emulator = await startTestEmulator({ settings: { graph: { requestsPerWindow: 5, windowSeconds: 0.5 } } });
    const log = emulator.emulator.context.logs.get(emulator.emulator.context.identity.workspaceId)!;
    await importGeneratedTenant(log.store(), tenant);
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    for (const dir of dirs) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  test('pulls a window into an empty workspace: the same rows, then nothing new on the second pull', async () => {
    const dir = workspace();
    const first = await pull(dir, '--page-size', '400', '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as PullJson;
    expect(summary).toMatchObject({ resumed: false, added: inWindow.length, duplicates: 0, rejected: 0 });
    expect(summary.requests).toBe(Math.ceil(inWindow.length / 400));
    const pulled = pulledRows(dir);
    expect(byDay(pulled)).toEqual(byDay(inWindow));
    expect(new Set(pulled.map((r) => r.Id)).size).toBe(inWindow.length);
    const byId = new Map(pulled.map((r) => [r.Id, r]));
    for (let i = 0; i < inWindow.length; i += 97) {
      expect(comparable(byId.get(inWindow[i].Id)!), inWindow[i].Id).toEqual(comparable(inWindow[i]));
    }

    const second = await pull(dir, '--page-size', '400', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ added: 0, requests: 0, ranges: [] });
    // A wider window asks only for the part not pulled yet.
    const wider = await provlogAsync([
      'pull',
      ...emulator.cliArgs,
      '--workspace',
      dir,
      '--from',
      FROM,
      '--to',
      END,
      '--json',
    ]);
    const widerSummary = JSON.parse(wider.stdout) as PullJson;
    expect(widerSummary.ranges).toEqual([{ from: TO.replace('Z', '.000Z'), to: END.replace('Z', '.000Z') }]);
    expect(widerSummary.added).toBe(rows.filter((r) => ms(r.TimeGenerated) >= Date.parse(TO)).length);
    expect(pulledRows(dir).length).toBe(rows.filter((r) => ms(r.TimeGenerated) >= Date.parse(FROM)).length);
  }, 60_000);

  test('--ingest sends the pulled window on to Log Analytics once, however often it runs', async () => {
    const dir = workspace();
    expect((await pull(dir)).code).toBe(0);
    const setup = await provlogAsync([
      'ingest',
      'setup',
      ...emulator.cliArgs,
      '--dcr',
      'pulled',
      '--custom-table',
      'Pulled_CL',
      '--workspace',
      dir,
      '--json',
    ]);
    expect(setup.code, setup.stderr).toBe(0);
    const target = JSON.parse(setup.stdout) as { workspaceId: string; savedIn?: string };
    expect(target.savedIn).toBeDefined();
    for (const run of [0, 1]) {
      const result = await pull(dir, '--ingest', '--json');
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as { ingest: { rowsRead: number; rowsSent: number } };
      expect(json.ingest.rowsRead).toBe(inWindow.length);
      expect(json.ingest.rowsSent).toBe(run === 0 ? inWindow.length : 0);
    }
    const landed = await provlogAsync(
      ['query', 'run', '-', ...emulator.cliArgs, '--workspace-id', target.workspaceId, '--format', 'json'],
      {
        input:
          'Pulled_CL | summarize n = count(), d = dcount(RecordId), earliest = min(OriginalTimeGenerated)',
      },
    );
    expect(landed.code, landed.stderr).toBe(0);
    const [[n, d, earliest]] = JSON.parse(landed.stdout).tables[0].rows;
    expect([n, d]).toEqual([inWindow.length, inWindow.length]);
    expect(Date.parse(earliest)).toBe(Math.min(...inWindow.map((r) => ms(r.TimeGenerated))));
  }, 90_000);

  test('a killed pull resumes from its last committed page: exact counts, no duplicates', async () => {
    const dir = workspace();
    const args = [
      'pull',
      ...emulator.cliArgs,
      '--workspace',
      dir,
      '--from',
      FROM,
      '--to',
      TO,
      '--page-size',
      '100',
      '--commit-rows',
      '300',
    ];
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Kill it once a few commits are on disk, well before the end.
    const stateDir = join(dir, 'pull');
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const file = existsSync(stateDir) ? readdirSync(stateDir).find((f) => f.endsWith('.json')) : undefined;
      const run = file ? JSON.parse(readFileSync(join(stateDir, file), 'utf8')).run : null;
      if (run?.rows >= 900) break;
    }
    child.kill('SIGKILL');
    await exited;
    const partial = pulledRows(dir).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(inWindow.length);

    const resumed = await provlogAsync([...args, '--json']);
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout) as PullJson;
    expect(summary.resumed).toBe(true);
    expect(summary.added).toBe(inWindow.length - partial);
    // Only the pages after the last commit are read again.
    expect(summary.read).toBeLessThan(inWindow.length - partial + 300);
    const pulled = pulledRows(dir);
    expect(pulled.length).toBe(inWindow.length);
    expect(new Set(pulled.map((r) => r.Id)).size).toBe(inWindow.length);
    expect(byDay(pulled)).toEqual(byDay(inWindow));
  }, 60_000);

  test('a resumed pull whose saved nextLink is refused continues by time', async () => {
    const dir = workspace();
    const day = [
      '--from',
      '2025-02-26T00:00:00Z',
      '--to',
      '2025-02-27T00:00:00Z',
      '--page-size',
      '100',
      '--commit-rows',
      '200',
    ];
    const args = ['pull', ...emulator.cliArgs, '--workspace', dir, ...day];
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    const stateDir = join(dir, 'pull');
    let file = '';
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      file = existsSync(stateDir) ? (readdirSync(stateDir).find((f) => f.endsWith('.json')) ?? '') : '';
      if (file && JSON.parse(readFileSync(join(stateDir, file), 'utf8')).run?.rows >= 400) break;
    }
    child.kill('SIGKILL');
    await exited;
    const state = JSON.parse(readFileSync(join(stateDir, file), 'utf8'));
    expect(state.run.nextLink).toMatch(/\$skiptoken=/);
    state.run.nextLink = state.run.nextLink.replace(/\$skiptoken=.*/, '$skiptoken=expired');
    writeFileSync(join(stateDir, file), JSON.stringify(state));

    const resumed = await provlogAsync([...args, '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/warning: the saved nextLink was refused \(BadRequest\)/);
    const expected = rows.filter((r) => r.TimeGenerated.startsWith('2025-02-26'));
    const pulled = pulledRows(dir);
    expect(pulled.length).toBe(expected.length);
    expect(new Set(pulled.map((r) => r.Id)).size).toBe(expected.length);
  }, 60_000);

  test('--app (by name) and --job filter on the service side', async () => {
    const app = tenant.apps[1];
    const dir = workspace();
    const byName = await pull(dir, '--app', app.name, '--json');
    expect(byName.code).toBe(0);
    const expected = inWindow.filter((r) => JSON.parse(r.ServicePrincipal).Id === app.servicePrincipalId);
    expect(JSON.parse(byName.stdout).added).toBe(expected.length);
    expect(pulledRows(dir).every((r) => JSON.parse(r.ServicePrincipal).Id === app.servicePrincipalId)).toBe(
      true,
    );

    const jobApp = tenant.apps[2];
    const jobDir = workspace();
    const byJob = await pull(jobDir, '--job', jobApp.jobId, '--api', 'v1.0', '--json');
    expect(byJob.code).toBe(0);
    const jobRows = inWindow.filter((r) => r.JobId === jobApp.jobId);
    expect(JSON.parse(byJob.stdout).added).toBe(jobRows.length);
    expect(
      pulledRows(jobDir)
        .map((r) => r.Id)
        .sort(),
    ).toEqual(jobRows.map((r) => r.Id).sort());
  }, 60_000);

  test('an unknown app and a bad window are one-line errors', async () => {
    const dir = workspace();
    const unknown = await pull(dir, '--app', 'No Such App');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/no service principal .*No Such App/);
    const bad = await provlogAsync(['pull', ...emulator.cliArgs, '--workspace', dir, '--from', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--from: not a datetime/);
  }, 30_000);
});

/** A pacer on a clock the test moves: its sleeps advance the clock at once. */
function fakeClockPacer(limit: number, windowMs: number) {
  const clock = { now: 0 };
  const pacer = new RequestPacer({
    limit,
    windowMs,
    marginMs: 0,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
  });
  return { pacer, clock };
}

describe('RequestPacer', () => {
  test('keeps every window at the limit, and slows down after a 429', async () => {
    const { pacer, clock } = fakeClockPacer(5, 10_000);
    const sent: number[] = [];
    for (let i = 0; i < 12; i++) {
      const done = await pacer.acquire();
      sent.push(clock.now);
      done();
    }
    expect(sent).toEqual([0, 0, 0, 0, 0, 10_000, 10_000, 10_000, 10_000, 10_000, 20_000, 20_000]);
    pacer.throttled(3_000);
    (await pacer.acquire())();
    expect(clock.now).toBe(23_000);
    // The limit dropped to 4 per window (20 000, 20 000, 23 000, 23 000), with a wider margin.
    (await pacer.acquire())();
    expect(clock.now).toBe(23_000);
    (await pacer.acquire())();
    expect(clock.now).toBeGreaterThan(30_000);
    expect(pacer.stats).toMatchObject({ requests: 15, throttled: 1, limit: 4 });
  });

  test('counts a request from its response, the latest moment the service can have received it', async () => {
    const { pacer, clock } = fakeClockPacer(2, 1_000);
    const first = await pacer.acquire();
    const second = await pacer.acquire();
    clock.now = 300;
    first();
    await pacer.acquire();
    expect(clock.now).toBe(1_300);
    // The next token waits for the second request's answer, however long it takes.
    let fourth = false;
    const waiting = pacer.acquire().then(() => {
      fourth = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(fourth).toBe(false);
    clock.now = 5_000;
    second();
    await waiting;
    expect(clock.now).toBe(6_000);
  });
});
