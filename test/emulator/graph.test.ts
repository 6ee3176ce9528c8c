/**
 * The emulator's Microsoft Graph routes through a real SDK pipeline client (@azure-rest/core-client
 * getClient, as provlog uses it): provisioning logs with $filter / $top / $orderby / nextLink paging,
 * Graph's error body, the reports throttle, service principals, and synchronization jobs derived from
 * a generated tenant, checked against the generator's own rows and ground truth.
 */
import { type Client, getClient } from '@azure-rest/core-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SynchronizationJob } from '../../src/azure/graph-types.js';
import { type GeneratedTenant, generateTenant } from '../../src/generate/index.js';
import type { ProvisioningLogRow } from '../../src/model/rows.js';
import { importGeneratedTenant } from '../../src/tenant-import.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const END = '2025-03-01T00:00:00Z';

interface Page {
  '@odata.context'?: string;
  '@odata.nextLink'?: string;
  value: Record<string, unknown>[];
}

function graphClient(emulator: TestEmulator, options: { retries?: number } = {}): Client {
  const { connection } = emulator;
  return getClient(connection.endpoints.graph, connection.credential, {
    credentials: { scopes: [connection.scopes.graph] },
    ...connection.clientOptions,
    ...(options.retries !== undefined ? { retryOptions: { maxRetries: options.retries } } : {}),
  });
}

async function get(client: Client, path: string, query: Record<string, string> = {}) {
  const response = await client.pathUnchecked(path).get({ queryParameters: query });
  return {
    status: Number(response.status),
    headers: response.headers as Record<string, string>,
    body: response.body as Page & {
      error?: { code: string; message: string; innerError: Record<string, string> };
    },
  };
}

async function all(client: Client, path: string, query: Record<string, string>): Promise<Page[]> {
  const pages: Page[] = [];
  let answer = await get(client, path, query);
  for (;;) {
    expect(answer.status).toBe(200);
    pages.push(answer.body);
    const next = answer.body['@odata.nextLink'];
    if (!next) return pages;
    answer = await get(client, next);
  }
}

function spOf(row: ProvisioningLogRow): string {
  return (JSON.parse(row.ServicePrincipal) as { Id: string }).Id;
}

function statusOf(row: ProvisioningLogRow): string {
  return (JSON.parse(row.ProvisioningStatusInfo) as { Status: string }).Status;
}

/** Canonical (7 digits) → epoch ms. */
const ms = (canonical: string) => Date.parse(`${canonical.slice(0, 23)}Z`);

describe('emulator Graph routes', () => {
  let tenant: GeneratedTenant;
  let rows: ProvisioningLogRow[];
  let emulator: TestEmulator;
  let client: Client;
  let storeDir: string;

  beforeAll(async () => {
    tenant = generateTenant({ seed: 11, users: 120, apps: 5, days: 6, end: END });
    rows = [...tenant.provisioningRows()];
    emulator = await startTestEmulator({
      settings: { graph: { requestsPerWindow: 10_000, windowSeconds: 1 } },
    });
    const workspace = emulator.emulator.context.logs.get(emulator.emulator.context.identity.workspaceId)!;
    storeDir = workspace.storeDir;
    await importGeneratedTenant(workspace.store(), tenant);
    client = graphClient(emulator);
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
  });

  test('pages through a time window newest first, with nextLinks back to the emulator', async () => {
    const from = '2025-02-26T00:00:00Z';
    const to = '2025-02-27T00:00:00Z';
    const pages = await all(client, '/v1.0/auditLogs/provisioning', {
      $filter: `activityDateTime ge ${from} and activityDateTime lt ${to}`,
      $top: '500',
    });
    const expected = rows
      .filter((r) => ms(r.TimeGenerated) >= Date.parse(from) && ms(r.TimeGenerated) < Date.parse(to))
      .sort((a, b) =>
        a.TimeGenerated < b.TimeGenerated ? 1 : a.TimeGenerated > b.TimeGenerated ? -1 : a.Id < b.Id ? 1 : -1,
      );
    expect(expected.length).toBeGreaterThan(1000);
    expect(pages.length).toBe(Math.ceil(expected.length / 500));
    for (const page of pages.slice(0, -1)) {
      expect(page.value).toHaveLength(500);
      expect(page['@odata.nextLink']).toMatch(
        new RegExp(`^${emulator.emulator.url}/v1\\.0/auditLogs/provisioning\\?\\$skiptoken=`),
      );
    }
    expect(pages[0]['@odata.context']).toBe(`${emulator.emulator.url}/v1.0/$metadata#auditLogs/provisioning`);
    const ids = pages.flatMap((p) => p.value.map((v) => v.id));
    expect(ids).toEqual(expected.map((r) => r.Id));
  });

  test('serves the Graph shapes: v1.0 without the legacy fields, beta with action and statusInfo', async () => {
    const failed = rows.find((r) => r.ResultType === 'Failure')!;
    const v1 = (await get(client, `/v1.0/auditLogs/provisioning/${encodeURIComponent(failed.Id)}`))
      .body as unknown as Record<string, unknown>;
    expect(v1).toMatchObject({
      id: failed.Id,
      jobId: failed.JobId,
      cycleId: failed.CycleId,
      changeId: failed.ChangeId,
      provisioningAction: failed.ProvisioningAction,
      servicePrincipal: { id: spOf(failed) },
      provisioningStatusInfo: { status: 'failure', errorInformation: { errorCode: failed.ResultSignature } },
    });
    expect(v1).not.toHaveProperty('action');
    expect(v1).not.toHaveProperty('statusInfo');
    expect(Object.keys(v1).some((k) => k.startsWith('@provlog'))).toBe(false);
    const beta = (await get(client, `/beta/auditLogs/provisioning/${encodeURIComponent(failed.Id)}`))
      .body as unknown as Record<string, unknown>;
    expect(beta).toMatchObject({ action: failed.Action, statusInfo: { status: 'failure' } });
    expect((await get(client, '/v1.0/auditLogs/provisioning/no-such-id')).status).toBe(404);
  });

  test('filters by job, service principal, action and status, alone and combined, in either order', async () => {
    const app = tenant.apps[0];
    const cases: [string, (r: ProvisioningLogRow) => boolean][] = [
      [`jobId eq '${app.jobId}'`, (r) => r.JobId === app.jobId],
      [`servicePrincipal/id eq '${app.servicePrincipalId}'`, (r) => spOf(r) === app.servicePrincipalId],
      ["provisioningAction eq 'delete'", (r) => r.ProvisioningAction === 'delete'],
      ["provisioningStatusInfo/status eq 'failure'", (r) => statusOf(r) === 'failure'],
      [
        `servicePrincipal/id eq '${app.servicePrincipalId}' and provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2025-02-25T12:00:00Z`,
        (r) =>
          spOf(r) === app.servicePrincipalId &&
          statusOf(r) === 'failure' &&
          ms(r.TimeGenerated) > Date.parse('2025-02-25T12:00:00Z'),
      ],
      [
        "(provisioningAction eq 'create' or provisioningAction eq 'disable') and activityDateTime le 2025-02-24T00:00:00Z",
        (r) =>
          ['create', 'disable'].includes(r.ProvisioningAction) &&
          ms(r.TimeGenerated) <= Date.parse('2025-02-24T00:00:00Z'),
      ],
    ];
    for (const [filter, keep] of cases) {
      const pages = await all(client, '/v1.0/auditLogs/provisioning', {
        $filter: filter,
        $top: '999',
        $orderby: 'activityDateTime asc',
      });
      const ids = pages.flatMap((p) => p.value.map((v) => v.id));
      const expected = rows
        .filter(keep)
        .sort((a, b) =>
          a.TimeGenerated < b.TimeGenerated
            ? -1
            : a.TimeGenerated > b.TimeGenerated
              ? 1
              : a.Id < b.Id
                ? -1
                : 1,
        );
      expect(expected.length, filter).toBeGreaterThan(0);
      expect(ids, filter).toEqual(expected.map((r) => r.Id));
    }
  });

  test('answers unsupported queries with 400 and Graph’s error body', async () => {
    const bad: Record<string, string>[] = [
      { $filter: "userPrincipalName eq 'x'" },
      { $filter: "activityDateTime ge '2025-02-25T00:00:00Z'" },
      { $filter: 'jobId eq' },
      { $filter: "jobId gt 'a'" },
      { $top: '5000' },
      { $orderby: 'id' },
      { $skiptoken: 'not-a-token' },
      { $select: 'id' },
    ];
    for (const query of bad) {
      const answer = await get(client, '/v1.0/auditLogs/provisioning', query);
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'BadRequest' });
      expect(answer.body.error?.message).toBeTruthy();
      expect(Object.keys(answer.body.error?.innerError ?? {}).sort()).toEqual([
        'client-request-id',
        'date',
        'request-id',
      ]);
    }
  });

  test('throttles the reports endpoints per client with 429 and Retry-After; the SDK retries', async () => {
    emulator.emulator.updateSettings({ graph: { requestsPerWindow: 5, windowSeconds: 0.5 } });
    try {
      await new Promise((r) => setTimeout(r, 600));
      const noRetry = graphClient(emulator, { retries: 0 });
      const answers = [];
      for (let i = 0; i < 6; i++)
        answers.push(await get(noRetry, '/v1.0/auditLogs/provisioning', { $top: '1' }));
      expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      const throttled = answers[5];
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(throttled.body.error).toMatchObject({ code: 'TooManyRequests' });
      expect(throttled.body.error?.innerError['request-id']).toBeTruthy();
      // Other Graph endpoints are not under the reports limit.
      for (let i = 0; i < 8; i++) expect((await get(noRetry, '/v1.0/servicePrincipals')).status).toBe(200);
      // The default SDK pipeline waits out Retry-After and gets through.
      const retrying = graphClient(emulator);
      const statuses = await Promise.all(
        Array.from({ length: 8 }, () =>
          get(retrying, '/v1.0/auditLogs/provisioning', { $top: '1' }).then((a) => a.status),
        ),
      );
      expect(statuses).toEqual(Array(8).fill(200));
    } finally {
      emulator.emulator.updateSettings({ graph: { requestsPerWindow: 10_000, windowSeconds: 1 } });
    }
  }, 30_000);

  test("lists the provisioning service's directory audits with their filters", async () => {
    const audits = tenant.auditRows();
    const q = tenant.truth().quarantines[0];
    const quarantines = await all(client, '/v1.0/auditLogs/directoryAudits', {
      $filter: `loggedByService eq 'Account Provisioning' and activityDisplayName eq 'Quarantine' and targetResources/any(t:t/id eq '${q.servicePrincipalId}')`,
    });
    const expected = audits.filter(
      (a) =>
        a.ActivityDisplayName === 'Quarantine' &&
        (a.TargetResources as { id: string }[]).some((t) => t.id === q.servicePrincipalId),
    );
    expect(expected.length).toBeGreaterThan(1);
    const got = quarantines.flatMap((p) => p.value);
    expect(got.map((v) => v.id).sort()).toEqual(expected.map((a) => a.Id).sort());
    expect(got[0]).toMatchObject({
      activityDisplayName: 'Quarantine',
      loggedByService: 'Account Provisioning',
    });
    expect(got[0]).not.toHaveProperty('@provlog.columns');
  });

  test('lists the service principals of the provisioning apps and finds one by name', async () => {
    const listed = await all(client, '/v1.0/servicePrincipals', {
      $filter: "tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')",
      $select: 'id,displayName',
    });
    const sps = listed.flatMap((p) => p.value) as { id: string; displayName: string }[];
    expect(sps.map((s) => s.id).sort()).toEqual(tenant.apps.map((a) => a.servicePrincipalId).sort());
    const app = tenant.apps[1];
    const named = await get(client, '/v1.0/servicePrincipals', {
      $filter: `displayName eq '${app.name.replace(/'/g, "''")}'`,
    });
    expect(named.body.value.map((v) => v.id)).toEqual([app.servicePrincipalId]);
    expect((await get(client, '/v1.0/servicePrincipals/00000000-0000-0000-0000-000000000000')).status).toBe(
      404,
    );
  });

  describe('synchronization jobs', () => {
    const extra: TestEmulator[] = [];
    afterAll(async () => {
      for (const e of extra) await e.stop();
    });
    /** The jobs of a service principal as an emulator whose clock reads `now` reports them. */
    async function jobsAt(now: string, spId: string): Promise<SynchronizationJob[]> {
      const at = await startTestEmulator({ workspaceDir: storeDir, now });
      extra.push(at);
      const answer = await get(graphClient(at), `/v1.0/servicePrincipals/${spId}/synchronization/jobs`);
      expect(answer.status).toBe(200);
      return answer.body.value as unknown as SynchronizationJob[];
    }

    test('one active job per app at the end of the window, with its last cycle', async () => {
      for (const app of tenant.apps) {
        const answer = await get(
          client,
          `/v1.0/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs`,
        );
        const jobs = answer.body.value as unknown as SynchronizationJob[];
        expect(jobs.map((j) => j.id)).toEqual([app.jobId]);
        const job = jobs[0];
        expect(job.templateId).toBe(app.templateId);
        expect(job.status.code).toBe('Active');
        expect(job.status.quarantine).toBeNull();
        expect(job.schedule.state).toBe('Active');
        const own = rows.filter((r) => r.JobId === app.jobId);
        const lastCycle = own.reduce(
          (latest, r) => {
            const begin = own.find((x) => x.CycleId === r.CycleId)!.TimeGenerated;
            return begin > latest.begin ? { id: r.CycleId, begin } : latest;
          },
          { id: '', begin: '' },
        );
        expect(job.status.lastExecution?.activityIdentifier).toBe(lastCycle.id);
        expect(job.status.lastExecution?.countImported).toBe(
          own.filter((r) => r.CycleId === lastCycle.id).length,
        );
        expect(job.status.progress).toEqual([]);
        const single = await get(
          client,
          `/v1.0/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${encodeURIComponent(app.jobId)}`,
        );
        expect((single.body as unknown as SynchronizationJob).status).toEqual(job.status);
      }
    });

    test('reports the quarantine episodes the generator injected, while they last', async () => {
      const truth = tenant.truth();
      expect(truth.quarantines.map((q) => q.reason).sort()).toEqual([
        'EncounteredQuarantineException',
        'TooManyDeletes',
      ]);
      for (const q of truth.quarantines) {
        const during = new Date(ms(q.began) + 3_600_000).toISOString();
        const job = (await jobsAt(during, q.servicePrincipalId)).find((j) => j.id === q.jobId)!;
        expect(job.status.code).toBe('Quarantine');
        expect(job.status.quarantine).toMatchObject({
          reason: q.reason,
          seriesCount: 1,
          error: { code: q.errorCode },
        });
        expect(Math.abs(Date.parse(job.status.quarantine!.seriesBegan) - ms(q.began))).toBeLessThan(2);
        expect(
          Date.parse(job.status.quarantine!.nextAttempt) - Date.parse(job.status.quarantine!.currentBegan),
        ).toBe(6 * 3_600_000);
        if (q.reason === 'EncounteredQuarantineException') {
          expect(job.status.lastExecution?.state).toBe('Failed');
          expect(job.status.countSuccessiveCompleteFailures).toBeGreaterThanOrEqual(4);
        }
        const after = new Date(ms(q.ended!) + 3_600_000).toISOString();
        const later = (await jobsAt(after, q.servicePrincipalId)).find((j) => j.id === q.jobId)!;
        expect(later.status.code).toBe('Active');
        expect(later.status.quarantine).toBeNull();
      }
    }, 30_000);

    test('shows a cycle in flight as progress', async () => {
      const app = tenant.apps[0];
      const initial = rows.filter(
        (r) => r.JobId === app.jobId && r.CycleId === rows.find((x) => x.JobId === app.jobId)!.CycleId,
      );
      const middle = initial[Math.floor(initial.length / 2)];
      const jobs = await jobsAt(new Date(ms(middle.TimeGenerated)).toISOString(), app.servicePrincipalId);
      const done = initial.filter((r) => ms(r.TimeGenerated) <= ms(middle.TimeGenerated)).length;
      expect(jobs[0].status.progress).toEqual([
        expect.objectContaining({ completedUnits: done, totalUnits: initial.length }),
      ]);
      expect(jobs[0].status.lastExecution).toBeNull();
      expect(jobs[0].status.steadyStateFirstAchievedTime).toBe('0001-01-01T00:00:00Z');
    });
  });
});
