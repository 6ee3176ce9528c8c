/**
 * `provlog status` end to end: the built CLI against emulators serving the same generated tenant at two
 * moments — during the injected quarantine (exit 3) and at the end of the window (exit 0) — plus an app
 * whose name carries terminal control characters.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SynchronizationJob } from '../../src/azure/graph-types.js';
import { type GeneratedTenant, type GroundTruth, generateTenant } from '../../src/generate/index.js';
import type { ProvisioningLogRow } from '../../src/model/rows.js';
import { importItems } from '../../src/store/importer.js';
import { Workspace } from '../../src/store/workspace.js';
import { importGeneratedTenant } from '../../src/tenant-import.js';
import { provlogAsync, tempDir } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const END = '2025-03-01T00:00:00Z';
const EVIL_SP = '0badc0de-0000-4000-8000-000000000001';
const EVIL_NAME = 'Evil\u001b[2J\u001b]0;pwned\u0007 App\r\nInjected line';

interface StatusJson {
  jobs: {
    servicePrincipal: { id: string; displayName: string };
    job: SynchronizationJob;
    quarantined: boolean;
  }[];
}

describe('provlog status', () => {
  let tenant: GeneratedTenant;
  let truth: GroundTruth;
  let atEnd: TestEmulator;
  let during: TestEmulator;
  let localDir: string;

  beforeAll(async () => {
    tenant = generateTenant({ seed: 31, users: 80, apps: 5, days: 5, end: END });
    truth = tenant.truth();
    atEnd = await startTestEmulator({ now: END });
    const log = atEnd.emulator.context.logs.get(atEnd.emulator.context.identity.workspaceId)!;
    const store = log.store();
    await importGeneratedTenant(store, tenant);
    // One event of an app whose name is hostile to terminals.
    const template = tenant.provisioningRows().next().value as ProvisioningLogRow;
    const evil: ProvisioningLogRow = {
      ...template,
      Id: 'evil-event-1',
      JobId: `scim.${truth.tenantId.replace(/-/g, '')}.0badc0de-0000-4000-8000-00000000000a`,
      CycleId: '0badc0de-0000-4000-8000-00000000000b',
      ServicePrincipal: JSON.stringify({ Id: EVIL_SP, Name: EVIL_NAME }),
      _BilledSize: null,
    };
    await importItems(
      store,
      [{ kind: 'row', table: 'AADProvisioningLogs', row: evil, file: 'test', line: 1 }],
      {
        sources: ['test'],
      },
    );
    const q = truth.quarantines.find((x) => x.reason === 'EncounteredQuarantineException')!;
    const now = new Date(Date.parse(`${q.began.slice(0, 23)}Z`) + 3_600_000).toISOString();
    during = await startTestEmulator({ workspaceDir: log.storeDir, now });
    localDir = join(tempDir('provlog-status-'), 'ws');
    await importGeneratedTenant(Workspace.open(localDir, { create: true }), tenant);
  }, 60_000);

  afterAll(async () => {
    await atEnd?.stop();
    await during?.stop();
    if (localDir) rmSync(join(localDir, '..'), { recursive: true, force: true });
  });

  test('exits 3 and reports the quarantined job while the quarantine lasts', async () => {
    const result = await provlogAsync(['status', ...during.cliArgs, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as StatusJson;
    const q = truth.quarantines.find((x) => x.reason === 'EncounteredQuarantineException')!;
    expect(report.jobs.map((j) => j.job.id).sort()).toEqual(
      [
        ...tenant.apps.map((a) => a.jobId),
        `scim.${truth.tenantId.replace(/-/g, '')}.0badc0de-0000-4000-8000-00000000000a`,
      ].sort(),
    );
    const quarantined = report.jobs.filter((j) => j.quarantined);
    expect(quarantined.map((j) => j.job.id)).toEqual([q.jobId]);
    expect(quarantined[0].servicePrincipal.id).toBe(q.servicePrincipalId);
    expect(quarantined[0].job.status.quarantine).toMatchObject({
      reason: q.reason,
      error: { code: q.errorCode },
    });

    const text = await provlogAsync(['status', ...during.cliArgs]);
    expect(text.code).toBe(3);
    const app = tenant.apps.find((a) => a.jobId === q.jobId)!;
    expect(text.stdout).toMatch(new RegExp(`${app.name}.*Quarantine`));
    expect(text.stdout).toContain(`! ${app.name} (${q.jobId}) is in quarantine: ${q.reason}`);
  }, 30_000);

  test('exits 0 when no job is quarantined; app names are printed without control characters', async () => {
    const result = await provlogAsync(['status', ...atEnd.cliArgs]);
    expect(result.code).toBe(0);
    for (const app of tenant.apps) expect(result.stdout).toContain(app.name);
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(result.stdout).not.toMatch(/^Injected line/m);
    expect(result.stdout).toContain('Evil [2J ]0;pwned  App  Injected line');
    const json = JSON.parse(
      (await provlogAsync(['status', ...atEnd.cliArgs, '--json'])).stdout,
    ) as StatusJson;
    expect(json.jobs.every((j) => !j.quarantined && j.job.status.code === 'Active')).toBe(true);
    // JSON keeps the name as it is (escaped by JSON itself).
    expect(json.jobs.find((j) => j.servicePrincipal.id === EVIL_SP)?.servicePrincipal.displayName).toBe(
      EVIL_NAME,
    );
  }, 30_000);

  test('--app by name or id narrows the report, and its exit code', async () => {
    const q = truth.quarantines.find((x) => x.reason === 'EncounteredQuarantineException')!;
    const other = tenant.apps.find((a) => a.servicePrincipalId !== q.servicePrincipalId)!;
    const byName = await provlogAsync(['status', ...during.cliArgs, '--app', other.name, '--json']);
    expect(byName.code).toBe(0);
    expect((JSON.parse(byName.stdout) as StatusJson).jobs.map((j) => j.job.id)).toEqual([other.jobId]);
    const byId = await provlogAsync(['status', ...during.cliArgs, '--app', q.servicePrincipalId, '--json']);
    expect(byId.code).toBe(3);
    const unknown = await provlogAsync(['status', ...during.cliArgs, '--app', 'No Such App']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no service principal .*No Such App/);
  }, 30_000);

  test('--discover workspace asks only for the apps in the local logs', async () => {
    const result = await provlogAsync([
      'status',
      ...during.cliArgs,
      '--discover',
      'workspace',
      '--workspace',
      localDir,
      '--json',
    ]);
    expect(result.code).toBe(3);
    const ids = (JSON.parse(result.stdout) as StatusJson).jobs.map((j) => j.servicePrincipal.id);
    expect([...new Set(ids)].sort()).toEqual(tenant.apps.map((a) => a.servicePrincipalId).sort());
  }, 30_000);
});
