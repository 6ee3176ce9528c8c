import { describe, expect, it } from 'vitest';
import { generateTenant } from '../src/generate/index.js';
import { billedSize } from '../src/model/billing.js';
import type { AuditLogRow, ProvisioningLogRow } from '../src/model/rows.js';
import { AAD_PROVISIONING_LOGS, AUDIT_LOGS } from '../src/model/schema.js';
import { canonicalToTicks, isCanonicalTime } from '../src/model/time.js';

const OPTIONS = { seed: 42, users: 150, apps: 6, days: 7, end: '2026-03-01T00:00:00Z' };
const tenant = generateTenant(OPTIONS);
const rows: ProvisioningLogRow[] = [...tenant.provisioningRows()];
const audit: AuditLogRow[] = tenant.auditRows();
const truth = tenant.truth();

type Json = Record<string, unknown>;
const parsed = (text: string) => JSON.parse(text) as Json;
const keys = (text: string) => Object.keys(parsed(text));
const spOf = (row: ProvisioningLogRow) => parsed(row.ServicePrincipal) as { Id: string; Name: string };

function count<T>(items: Iterable<T>, key: (item: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function rowsOf(options: typeof OPTIONS, limit: number): ProvisioningLogRow[] {
  const out: ProvisioningLogRow[] = [];
  for (const row of generateTenant(options).provisioningRows()) {
    out.push(row);
    if (out.length >= limit) break;
  }
  return out;
}

describe('generateTenant', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = [...generateTenant(OPTIONS).provisioningRows()];
    expect(again.length).toBe(rows.length);
    expect(JSON.stringify(again)).toBe(JSON.stringify(rows));
    expect(JSON.stringify(generateTenant(OPTIONS).auditRows())).toBe(JSON.stringify(audit));
    expect(generateTenant(OPTIONS).truth()).toEqual(truth);
    const other = rowsOf({ ...OPTIONS, seed: 43 }, 200);
    expect(other.map((r) => r.Id)).not.toEqual(rows.slice(0, 200).map((r) => r.Id));
    expect(generateTenant({ ...OPTIONS, seed: 43 }).tenantId).not.toBe(tenant.tenantId);
  });

  it('keeps every row strictly inside the window, in time order', () => {
    const start = canonicalToTicks(truth.start);
    const end = canonicalToTicks(truth.end);
    expect(truth.end).toBe('2026-03-01T00:00:00.0000000Z');
    expect(truth.start).toBe('2026-02-22T00:00:00.0000000Z');
    let previous = start;
    for (const row of rows) {
      expect(isCanonicalTime(row.TimeGenerated)).toBe(true);
      const t = canonicalToTicks(row.TimeGenerated);
      expect(t > start && t < end).toBe(true);
      expect(t >= previous).toBe(true);
      previous = t;
    }
    previous = start;
    for (const row of audit) {
      const t = canonicalToTicks(row.TimeGenerated);
      expect(t > start && t < end && t >= previous).toBe(true);
      previous = t;
    }
  });

  it('fills every column with the shapes, key order and integer enums of real records', () => {
    const columns = AAD_PROVISIONING_LOGS.columns.map((c) => c.name);
    const statusNumber: Record<string, number> = { Success: 0, Failure: 1, Skipped: 2, Warning: 3 };
    const titles: Record<string, string> = {
      create: 'Create',
      update: 'Update',
      delete: 'Delete',
      disable: 'Disable',
      stagedDelete: 'StagedDelete',
      other: 'Other',
    };
    const problems: string[] = [];
    const check = (ok: boolean, what: string, row: ProvisioningLogRow) => {
      if (!ok && problems.length < 20) problems.push(`${what}: ${row.Id}`);
    };
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    for (const row of rows) {
      check(same(Object.keys(row), columns), 'columns', row);
      check(
        row.TenantId === truth.workspaceId &&
          row.AADTenantId === truth.tenantId &&
          row.Type === 'AADProvisioningLogs' &&
          row.Category === 'ProvisioningLogs' &&
          row.OperationName === 'Provisioning activity' &&
          row.OperationVersion === '1.0' &&
          row._IsBillable === 'True',
        'constants',
        row,
      );
      for (const c of AAD_PROVISIONING_LOGS.columns) {
        const value = row[c.name as keyof ProvisioningLogRow];
        check(value !== null && value !== undefined, `${c.name} set`, row);
        if (c.json) check(JSON.stringify(JSON.parse(value as string)) === value, `${c.name} compact`, row);
      }
      check(row.CorrelationId === row.ChangeId, 'CorrelationId', row);
      check(row.DurationMs! >= 50 && row.DurationMs! < 20_000, 'DurationMs', row);
      check(row._BilledSize === billedSize(row), '_BilledSize', row);
      check(row.ProvisioningAction in titles, 'ProvisioningAction', row);
      check(row.Action === '' || row.Action === titles[row.ProvisioningAction], 'Action', row);
      check(
        row.InitiatedBy === '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
        'InitiatedBy',
        row,
      );
      check(same(keys(row.ServicePrincipal), ['Id', 'Name']), 'ServicePrincipal keys', row);
      check(same(keys(row.SourceSystem), ['details', 'Id', 'Name']), 'SourceSystem keys', row);
      check(same(keys(row.TargetSystem), ['details', 'Id', 'Name']), 'TargetSystem keys', row);
      check(
        same(keys(row.SourceIdentity), ['identityType', 'details', 'Id', 'Name']),
        'SourceIdentity keys',
        row,
      );
      check(
        same(keys(row.TargetIdentity), ['identityType', 'details', 'Id', 'Name']),
        'TargetIdentity keys',
        row,
      );
      check(parsed(row.SourceSystem).Id !== parsed(row.TargetSystem).Id, 'system ids differ', row);
      check(row.StatusInfo === `{"Status":${statusNumber[row.ResultType]}}`, 'StatusInfo', row);
      const psi = parsed(row.ProvisioningStatusInfo);
      check(same(Object.keys(psi), ['Status', 'errorInformation']), 'ProvisioningStatusInfo keys', row);
      check(psi.Status === row.ResultType.toLowerCase(), 'ProvisioningStatusInfo.Status', row);
      const mods = JSON.parse(row.ModifiedProperties) as Json[];
      for (const m of mods)
        check(same(Object.keys(m), ['displayName', 'oldValue', 'newValue']), 'mod keys', row);
      const steps = JSON.parse(row.ProvisioningSteps) as Json[];
      check(steps.length >= 2, 'steps', row);
      for (const st of steps) {
        check(
          same(Object.keys(st), ['name', 'provisioningStepType', 'status', 'description', 'details']),
          'step keys',
          row,
        );
        check(
          Number.isInteger(st.provisioningStepType) && (st.provisioningStepType as number) <= 5,
          'step type',
          row,
        );
        check(Number.isInteger(st.status) && (st.status as number) <= 3, 'step status', row);
      }
      const last = steps[steps.length - 1];
      if (row.ResultType === 'Failure' || row.ResultType === 'Warning') {
        const info = psi.errorInformation as Json;
        check(
          same(Object.keys(info), [
            'errorCode',
            'reason',
            'additionalDetails',
            'errorCategory',
            'recommendedAction',
          ]),
          'errorInformation keys',
          row,
        );
        check(info.errorCode === row.ResultSignature && row.ResultSignature !== '', 'ResultSignature', row);
        check(info.reason === row.ResultDescription, 'ResultDescription', row);
      } else {
        check(psi.errorInformation === null && row.ResultSignature === '', 'no error', row);
      }
      if (row.ResultType === 'Failure')
        check(same([last.provisioningStepType, last.status], [5, 1]), 'failed export', row);
      if (row.ResultType === 'Skipped')
        check(same([last.provisioningStepType, last.status], [3, 2]), 'skip step', row);
      if (row.ResultType === 'Success')
        check(
          steps.every((st) => st.status === 0),
          'success steps',
          row,
        );
    }
    expect(problems).toEqual([]);
  });

  it('gives unique Ids and ChangeIds and shares CycleIds within a run', () => {
    expect(new Set(rows.map((r) => r.Id)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r.ChangeId)).size).toBe(rows.length);
    const jobsPerCycle = new Map<string, Set<string>>();
    for (const r of rows) {
      const set = jobsPerCycle.get(r.CycleId) ?? new Set<string>();
      set.add(r.JobId);
      jobsPerCycle.set(r.CycleId, set);
    }
    expect([...jobsPerCycle.values()].every((s) => s.size === 1)).toBe(true);
    expect(jobsPerCycle.size).toBeLessThan(rows.length / 3);
  });

  it('builds JobIds, systems and service principals per app kind', () => {
    const tid = truth.tenantId.replace(/-/g, '');
    const guid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(tenant.apps.map((a) => a.kind)).toEqual([
      'scim',
      'hr-inbound',
      'cross-tenant',
      'cloud-sync',
      'scim',
      'scim',
    ]);
    for (const app of tenant.apps) {
      if (app.kind === 'cloud-sync') expect(app.jobId).toBe(`AD2AADProvisioning.${tid}`);
      else expect(app.jobId).toMatch(new RegExp(`^${app.templateId}\\.${tid}\\.${guid}$`));
    }
    const byKind = Object.fromEntries(tenant.apps.map((a) => [a.kind, a]));
    expect(byKind['hr-inbound']).toMatchObject({
      templateId: 'WDAYdnADDelta',
      sourceSystem: 'Workday',
      targetSystem: 'Active Directory',
    });
    expect(byKind['cross-tenant'].templateId).toBe('Azure2Azure');
    expect(tenant.apps[0].templateId).toBe('DropboxSCIMOutDelta');
    expect(tenant.apps[4].templateId).toBe('BoxOutDelta');

    const jobs = new Map(tenant.apps.map((a) => [a.jobId, a]));
    const names = new Set<string>();
    for (const row of rows) {
      const app = jobs.get(row.JobId)!;
      expect(app).toBeDefined();
      const sp = spOf(row);
      expect(sp).toEqual({ Id: app.servicePrincipalId, Name: app.name });
      const source = parsed(row.SourceSystem);
      const target = parsed(row.TargetSystem) as { details: Json; Name: string };
      names.add(source.Name as string).add(target.Name);
      if (app.kind === 'scim') expect(target.details.ServicePrincipalId).toBe(sp.Id);
      if (app.kind === 'hr-inbound')
        expect([source.Name, target.Name]).toEqual(['Workday', 'Active Directory']);
    }
    expect(names).toContain('Azure Active Directory');
    expect(names).toContain('Microsoft Entra ID');
    // Small app counts still cover the kinds in order; larger ones add SCIM apps.
    expect(generateTenant({ ...OPTIONS, apps: 1 }).apps.map((a) => a.kind)).toEqual(['scim']);
    expect(generateTenant({ ...OPTIONS, apps: 3 }).apps.map((a) => a.kind)).toEqual([
      'scim',
      'hr-inbound',
      'cross-tenant',
    ]);
    const eight = generateTenant({ ...OPTIONS, apps: 8 }).apps;
    expect(eight.filter((a) => a.kind === 'scim').length).toBe(5);
    expect(new Set(eight.map((a) => a.name)).size).toBe(8);
  });

  it('reports ground truth equal to counts recomputed from the rows', () => {
    expect(truth.rowCount).toBe(rows.length);
    expect(truth.auditCount).toBe(audit.length);
    expect(truth.byResult).toEqual(count(rows, (r) => r.ResultType));
    expect(truth.byAction).toEqual(count(rows, (r) => r.ProvisioningAction));
    expect(truth.byApp).toEqual(count(rows, (r) => spOf(r).Name));
    expect(truth.failuresByCode).toEqual(
      count(rows, (r) => (r.ResultType === 'Failure' ? r.ResultSignature : undefined)),
    );
    expect(truth.stagedDeletes).toBe(rows.filter((r) => r.ProvisioningAction === 'stagedDelete').length);
    expect(truth.stagedDeletes).toBe(rows.filter((r) => r.Action === 'StagedDelete').length);
    expect(truth.unresolvedReferences).toBe(
      rows.filter((r) => /UnableToResolveReferenceAttributeValue/.test(r.ProvisioningSteps)).length,
    );
    expect(truth.fakeServicePrincipalEvents).toBe(
      rows.filter((r) => parsed(r.SourceIdentity).identityType === 'FakeServicePrincipal').length,
    );
    expect(truth.apps).toEqual(tenant.apps);
    // The injected scenarios are all there.
    expect(truth.byResult.Skipped).toBeGreaterThan(truth.byResult.Success * 0.5);
    expect(truth.byResult.Warning).toBeGreaterThan(0);
    expect(truth.byResult.Failure).toBeGreaterThan(0);
    const tooMany = audit.find((a) => a.ResultReason === 'TooManyDeletes')!;
    const threshold = (tooMany.AdditionalDetails as { key: string; value: string }[]).find(
      (d) => d.key === 'QuarantineTooManyDeletesThreshold',
    )!;
    expect(Number(threshold.value)).toBe(Math.round(OPTIONS.users * 0.1));
    expect(truth.stagedDeletes).toBeGreaterThan(Number(threshold.value));
    expect(truth.unresolvedReferences).toBeGreaterThan(0);
    expect(truth.fakeServicePrincipalEvents).toBeGreaterThan(0);
    expect(rows.some((r) => r.Action === '')).toBe(true);
    for (const action of ['create', 'update', 'delete', 'disable', 'stagedDelete', 'other'])
      expect(truth.byAction[action], action).toBeGreaterThan(0);
    expect(Object.keys(truth.failuresByCode).length).toBeGreaterThan(8);
    const creates = rows.filter((r) => r.ProvisioningAction === 'create' && r.ResultType === 'Success');
    expect(creates.some((r) => r.ModifiedProperties.includes('"oldValue":null'))).toBe(true);
    const noise = rows.filter(
      (r) =>
        r.ModifiedProperties === '[{"displayName":"accountDisabled","oldValue":null,"newValue":"False"}]',
    );
    expect(noise.length).toBeGreaterThan(0);
    const disables = rows.filter((r) => r.ProvisioningAction === 'disable');
    expect(
      disables.some((r) =>
        r.ModifiedProperties.includes('{"displayName":"active","oldValue":"True","newValue":"False"}'),
      ),
    ).toBe(true);
    expect(disables.every((r) => r.ProvisioningSteps.includes('EntryExportUpdateSoftDelete'))).toBe(true);
    expect(rows.some((r) => r.ProvisioningSteps.includes('"SkipReason":"NotEffectivelyEntitled"'))).toBe(
      true,
    );
  });

  it('injects a quarantine episode into both AuditLogs and the provisioning rows', () => {
    const episode = truth.quarantines.find((q) => q.reason === 'EncounteredQuarantineException')!;
    expect(episode).toBeDefined();
    expect(episode.errorCode).toBe('SystemForCrossDomainIdentityManagementCredentialValidationFailure');
    expect(episode.ended).not.toBeNull();
    const quarantineEvents = audit.filter(
      (a) =>
        a.ActivityDisplayName === 'Quarantine' &&
        (a.TargetResources as Json[]).some((t) => t.id === episode.servicePrincipalId),
    );
    expect(quarantineEvents.length).toBeGreaterThan(1);
    expect(quarantineEvents[0].TimeGenerated).toBe(
      episode.began.slice(0, 20) + quarantineEvents[0].TimeGenerated.slice(20),
    );
    expect(quarantineEvents.every((a) => /Error: /.test(a.ResultDescription))).toBe(true);
    const activities = new Set(
      audit
        .filter((a) => (a.TargetResources as Json[])[0].id === episode.servicePrincipalId)
        .map((a) => a.ActivityDisplayName),
    );
    for (const activity of [
      'Disable/pause provisioning configuration',
      'Update provisioning setting or credentials',
      'Enable/restart provisioning configuration',
    ])
      expect(activities).toContain(activity);

    const began = canonicalToTicks(episode.began);
    const ended = canonicalToTicks(episode.ended!);
    const hour = 36_000_000_000n;
    const jobRows = rows.filter((r) => r.JobId === episode.jobId);
    const before = jobRows.filter((r) => {
      const t = canonicalToTicks(r.TimeGenerated);
      return t < began && t > began - 2n * hour;
    });
    expect(before.length).toBeGreaterThan(5);
    expect(before.every((r) => r.ResultSignature === episode.errorCode && r.ResultType === 'Failure')).toBe(
      true,
    );
    // During the quarantine: cycles at 6 h, 12 h, then daily; every event fails on the credentials.
    const during = jobRows.filter((r) => {
      const t = canonicalToTicks(r.TimeGenerated);
      return t > began && t < ended;
    });
    expect(during.every((r) => r.ResultSignature === episode.errorCode)).toBe(true);
    const cycleStarts = new Map<string, bigint>();
    for (const r of during)
      if (!cycleStarts.has(r.CycleId)) cycleStarts.set(r.CycleId, canonicalToTicks(r.TimeGenerated));
    const starts = [...cycleStarts.values()];
    expect(starts.length).toBeGreaterThanOrEqual(2);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(gaps.every((g) => g >= 5n * hour)).toBe(true);
    expect(gaps.some((g) => g >= 23n * hour)).toBe(true);
    // Lifted: the job succeeds again afterwards.
    expect(
      jobRows.some((r) => canonicalToTicks(r.TimeGenerated) >= ended && r.ResultType === 'Success'),
    ).toBe(true);

    const deletes = truth.quarantines.find((q) => q.reason === 'TooManyDeletes')!;
    expect(deletes).toBeDefined();
    const tooMany = audit.find(
      (a) =>
        a.ActivityDisplayName === 'Quarantine' &&
        (a.TargetResources as Json[])[0].id === deletes.servicePrincipalId,
    )!;
    expect(tooMany.ResultDescription).toContain('Error: TooManyDeletes');
    const staged = rows.filter((r) => r.ProvisioningAction === 'stagedDelete');
    expect(staged.every((r) => r.JobId === deletes.jobId)).toBe(true);
  });

  it('writes AuditLogs rows with every column', () => {
    const columns = AUDIT_LOGS.columns.map((c) => c.name);
    for (const row of audit) {
      expect(Object.keys(row)).toEqual(columns);
      expect(row).toMatchObject({
        Category: 'ProvisioningManagement',
        LoggedByService: 'Account Provisioning',
        Type: 'AuditLogs',
        TenantId: truth.workspaceId,
        AADTenantId: truth.tenantId,
        _IsBillable: 'True',
      });
      expect(row.OperationName).toBe(row.ActivityDisplayName);
      expect(row.ActivityDateTime).toBe(row.TimeGenerated);
      expect(['success', 'failure']).toContain(row.Result);
      expect(row._BilledSize).toBe(billedSize(row));
      expect(Array.isArray(row.AdditionalDetails)).toBe(true);
      for (const d of row.AdditionalDetails as Json[]) expect(Object.keys(d)).toEqual(['key', 'value']);
      expect(typeof row.InitiatedBy).toBe('object');
      const targets = row.TargetResources as Json[];
      expect(targets.length).toBeGreaterThan(0);
      for (const t of targets)
        expect(t).toMatchObject({
          id: expect.any(String),
          displayName: expect.any(String),
          type: 'ServicePrincipal',
        });
    }
    const activities = new Set(audit.map((a) => a.ActivityDisplayName));
    for (const activity of [
      'Add provisioning configuration',
      'Enable/start provisioning configuration',
      'Update attribute mappings or scope',
      'User Provisioning',
      'Quarantine',
    ])
      expect(activities).toContain(activity);
    expect(new Set(audit.map((a) => a.Id)).size).toBe(audit.length);
  });

  it('carries awkward HR names into identities and step descriptions', () => {
    for (const name of [
      'Zoë Ångström',
      'José Ñúñez',
      "Siobhán O'Brien",
      '"Bob" Smith',
      '<script>alert(1)</script> Test',
      '<img src=x onerror=alert(1)> Probe',
    ])
      expect(truth.awkwardUsers).toContain(name);
    expect(truth.awkwardUsers.some((n) => n.startsWith('=HYPERLINK('))).toBe(true);
    expect(truth.awkwardUsers.some((n) => /[\u3040-\u9fff]/.test(n))).toBe(true);
    for (const name of truth.awkwardUsers) {
      expect(
        rows.some((r) => parsed(r.SourceIdentity).Name === name),
        name,
      ).toBe(true);
      expect(
        rows.some((r) => r.ProvisioningSteps.includes(JSON.stringify(name).slice(1, -1))),
        name,
      ).toBe(true);
    }
  });

  it('streams a large tenant without building it, and gives a realistic default volume', () => {
    const started = performance.now();
    const first = rowsOf({ seed: 1, users: 5000, apps: 8, days: 30, end: '2026-03-01T00:00:00Z' }, 1000);
    expect(first.length).toBe(1000);
    expect(performance.now() - started).toBeLessThan(10_000);
    const defaults = generateTenant({
      seed: 1,
      users: 200,
      apps: 6,
      days: 14,
      end: '2026-03-01T00:00:00Z',
    }).truth();
    expect(defaults.rowCount).toBeGreaterThan(10_000);
    expect(defaults.rowCount).toBeLessThan(100_000);
  });

  it('rejects invalid options', () => {
    expect(() => generateTenant({ ...OPTIONS, users: 0 })).toThrow(RangeError);
    expect(() => generateTenant({ ...OPTIONS, apps: 1.5 })).toThrow(RangeError);
    expect(() => generateTenant({ ...OPTIONS, end: 'yesterday' })).toThrow(RangeError);
    expect(generateTenant({ ...OPTIONS, workspaceId: 'ws-1' }).truth().workspaceId).toBe('ws-1');
  });
});
