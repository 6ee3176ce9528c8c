/**
 * Every shipped query, run on a generated tenant, against what the generator injected (its ground
 * truth) or against the same figure computed in plain JavaScript from the stored rows.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Cell,
  type GroundTruth,
  generateTenant,
  importGeneratedTenant,
  LocalBackend,
  loadLibrary,
  prepareQuery,
  type ResultTable,
  readRows,
  Workspace,
} from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

const library = loadLibrary();
/** Query ids the tests below ran: every shipped query must be among them. */
const ran = new Set<string>();
let workspace: Workspace;
let truth: GroundTruth;
let rows: Row[];

interface Row {
  TimeGenerated: string;
  JobId: string;
  CycleId: string;
  ChangeId: string;
  ResultType: string;
  ResultSignature: string;
  ProvisioningAction: string;
  app: string;
  sourceType: string;
  sourceId: string;
  sourceName: string;
  targetId: string;
  targetName: string;
  upn: string;
  changes: { displayName: string; oldValue: unknown; newValue: unknown }[];
  steps: string;
}

function ticks(iso: string): number {
  return Date.parse(iso);
}

beforeAll(async () => {
  const tenant = generateTenant({ seed: 5, users: 60, apps: 6, days: 20, end: '2026-06-01T00:00:00Z' });
  truth = tenant.truth();
  workspace = Workspace.open(join(tempDir('provlog-meaning-'), 'ws'), { create: true });
  await importGeneratedTenant(workspace, tenant);
  rows = [...readRows(workspace, 'AADProvisioningLogs')].map((r) => {
    const source = JSON.parse(String(r.SourceIdentity));
    const target = JSON.parse(String(r.TargetIdentity));
    return {
      TimeGenerated: String(r.TimeGenerated),
      JobId: String(r.JobId),
      CycleId: String(r.CycleId),
      ChangeId: String(r.ChangeId),
      ResultType: String(r.ResultType),
      ResultSignature: String(r.ResultSignature),
      ProvisioningAction: String(r.ProvisioningAction),
      app: JSON.parse(String(r.ServicePrincipal)).Name,
      sourceType: String(source.identityType),
      sourceId: String(source.Id),
      sourceName: String(source.Name),
      targetId: String(target.Id),
      targetName: String(target.Name),
      upn: String(source.details?.UserPrincipalName ?? ''),
      changes: JSON.parse(String(r.ModifiedProperties || '[]')),
      steps: String(r.ProvisioningSteps),
    };
  });
});

const isFake = (r: Row) => r.sourceType === 'FakeServicePrincipal';

/** Runs a library query with `now` as the clock; rows as objects keyed by column name. */
async function run(id: string, params: Record<string, string | string[]> = {}, now = truth.end) {
  const query = library.query(id);
  if (!query) throw new Error(`no query ${id}`);
  ran.add(id);
  const texts = new Map(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const backend = new LocalBackend(workspace, { now: BigInt(Date.parse(now)) * 10_000n, library });
  const prepared = prepareQuery(library, query, texts, { now: BigInt(Date.parse(now)) * 10_000n });
  const [table] = await backend.run(prepared.text);
  return objects(table);
}

function objects(table: ResultTable): Record<string, Cell>[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
}

function sum(records: Record<string, Cell>[], column: string): number {
  return records.reduce((n, r) => n + Number(r[column] ?? 0), 0);
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const isoAt = (base: string, hours: number) => new Date(ticks(base) + hours * 3_600_000).toISOString();

describe('failures and errors', () => {
  it('failures-by-app counts every failure the generator injected, by error code', async () => {
    const result = await run('failures-by-app');
    const byCode: Record<string, number> = {};
    for (const r of result)
      byCode[String(r.ErrorCode)] = (byCode[String(r.ErrorCode)] ?? 0) + Number(r.Failures);
    expect(byCode).toEqual(truth.failuresByCode);
    const apps = new Set(result.map((r) => r.App));
    expect(apps.size).toBeGreaterThan(1);
  });

  it('failures-by-app keeps only the apps asked for, and * means all', async () => {
    const app = truth.apps[0].name;
    const one = await run('failures-by-app', { Apps: app });
    expect(new Set(one.map((r) => r.App))).toEqual(new Set([app]));
    expect(sum(one, 'Failures')).toBe(rows.filter((r) => r.app === app && r.ResultType === 'Failure').length);
    const two = await run('failures-by-app', { Apps: [app, truth.apps[1].name] });
    expect(new Set(two.map((r) => r.App)).size).toBe(2);
  });

  it('top-errors ranks codes by failures and gives every code a recommended action', async () => {
    const result = await run('top-errors');
    expect(Object.fromEntries(result.map((r) => [r.ErrorCode, r.Failures]))).toEqual(truth.failuresByCode);
    const failures = result.map((r) => Number(r.Failures));
    expect(failures).toEqual([...failures].sort((a, b) => b - a));
    for (const r of result) expect(String(r.RecommendedAction), String(r.ErrorCode)).not.toBe('');
    const credential = result.find(
      (r) => r.ErrorCode === 'SystemForCrossDomainIdentityManagementCredentialValidationFailure',
    );
    expect(credential?.Apps).toContain(
      truth.quarantines[0] &&
        truth.apps.find((a) => a.servicePrincipalId === truth.quarantines[0].servicePrincipalId)!.name,
    );
  });

  it('unresolved-references finds every unresolved reference the generator injected', async () => {
    const result = await run('unresolved-references');
    expect(sum(result, 'Events')).toBe(truth.unresolvedReferences);
    for (const r of result) expect(r.ObjectType).toBe('Group');
  });
});

describe('health and volumes', () => {
  it('health-summary leaves internal events out and agrees with the rows', async () => {
    const [h] = await run('health-summary');
    const real = rows.filter((r) => !isFake(r));
    expect(h.Events).toBe(truth.rowCount - truth.fakeServicePrincipalEvents);
    expect(h.Failures).toBe(real.filter((r) => r.ResultType === 'Failure').length);
    expect(h.StagedDeletes).toBe(truth.stagedDeletes);
    expect(h.Apps).toBe(truth.apps.length);
    const attempted = real.filter((r) => r.ResultType !== 'Skipped').length;
    const succeeded = real.filter((r) => r.ResultType === 'Success' || r.ResultType === 'Warning').length;
    expect(h.SuccessRate).toBeCloseTo((100 * succeeded) / attempted, 2);
    expect(h.SkippedShare).toBeCloseTo(
      (100 * real.filter((r) => r.ResultType === 'Skipped').length) / real.length,
      1,
    );
  });

  it('events-over-time bins every non-internal event once', async () => {
    const result = await run('events-over-time');
    expect(sum(result, 'Events')).toBe(truth.rowCount - truth.fakeServicePrincipalEvents);
    // 20 days at the 50-bin rule: one bin a day.
    const bins = new Set(result.map((r) => String(r.TimeGenerated)));
    expect(bins.size).toBeGreaterThanOrEqual(20);
    expect([...bins].every((b) => b.endsWith('T00:00:00Z'))).toBe(true);
  });

  it('success-rate per app matches the failures and successes of each app', async () => {
    const result = await run('success-rate');
    expect(result).toHaveLength(truth.apps.length);
    for (const r of result) {
      const mine = rows.filter((x) => x.app === r.App && !isFake(x));
      expect(r.Failed, String(r.App)).toBe(mine.filter((x) => x.ResultType === 'Failure').length);
      expect(r.Succeeded, String(r.App)).toBe(mine.filter((x) => x.ResultType === 'Success').length);
    }
    const rates = result.map((r) => Number(r.SuccessRate));
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
  });

  it('skipped-noise accounts for every skipped event, by app and reason', async () => {
    const result = await run('skipped-noise');
    expect(sum(result, 'Skipped')).toBe(truth.byResult.Skipped);
    expect(result.some((r) => r.SkipReason === 'NotEffectivelyEntitled')).toBe(true);
    for (const r of result) {
      const total = rows.filter((x) => x.app === r.App).length;
      expect(r.AppEvents).toBe(total);
    }
  });

  it('cycle-durations counts each job’s cycles and events', async () => {
    const result = await run('cycle-durations');
    expect(result).toHaveLength(truth.apps.length);
    for (const r of result) {
      const mine = rows.filter((x) => x.JobId === r.JobId);
      expect(r.Events).toBe(mine.length);
      expect(r.Cycles).toBe(new Set(mine.map((x) => x.CycleId)).size);
    }
  });
});

describe('changes', () => {
  it('changes-per-day counts successful changes per app and day, and the staged deletes', async () => {
    const result = await run('changes-per-day');
    const changes = rows.filter(
      (r) =>
        !isFake(r) &&
        r.ResultType === 'Success' &&
        ['create', 'update', 'disable', 'delete'].includes(r.ProvisioningAction),
    );
    const expected = countBy(
      changes,
      (r) => `${r.TimeGenerated.slice(0, 10)}|${r.app}|${r.ProvisioningAction}`,
    );
    const actual: Record<string, number> = {};
    for (const r of result) {
      const key = `${String(r.Day).slice(0, 10)}|${r.App}`;
      for (const [column, action] of [
        ['Creates', 'create'],
        ['Updates', 'update'],
        ['Disables', 'disable'],
        ['Deletes', 'delete'],
      ]) {
        if (Number(r[column]) > 0) actual[`${key}|${action}`] = Number(r[column]);
      }
    }
    expect(actual).toEqual(expected);
    expect(sum(result, 'StagedDeletes')).toBe(truth.stagedDeletes);
  });

  it('staged-deletes shows the held-back deletes of the app whose job hit the threshold', async () => {
    const result = await run('staged-deletes');
    const tooMany = truth.quarantines.find((q) => q.reason === 'TooManyDeletes')!;
    expect(result).toHaveLength(1);
    expect(result[0].JobId).toBe(tooMany.jobId);
    expect(result[0].StagedDeletes).toBe(truth.stagedDeletes);
    expect(result[0].Objects).toBe(truth.stagedDeletes);
  });

  it('unique-objects counts each user once per app, however many events it had', async () => {
    const result = await run('unique-objects');
    for (const r of result) {
      const users = new Set(
        rows
          .filter(
            (x) =>
              x.app === r.App &&
              x.ResultType === 'Success' &&
              ['create', 'update', 'disable', 'delete'].includes(x.ProvisioningAction) &&
              /user/i.test(x.sourceType || 'user') &&
              !/group/i.test(x.sourceType),
          )
          .map((x) => x.sourceId || x.targetId),
      );
      expect(r.Users, String(r.App)).toBe(users.size);
    }
  });

  it('attribute-changes lists the values written for one user, noise hidden unless asked', async () => {
    const user = rows.find((r) => r.upn && r.changes.length > 1 && r.ResultType === 'Success')!;
    const result = await run('attribute-changes', { User: user.upn });
    expect(result.length).toBeGreaterThan(0);
    const events = rows.filter(
      (r) => r.upn.toLowerCase() === user.upn.toLowerCase() && r.ResultType === 'Success',
    );
    const noise = (r: Row) =>
      r.changes.length === 1 &&
      r.changes[0].displayName === 'accountDisabled' &&
      r.changes[0].oldValue === null;
    const expected = events.filter((r) => !noise(r)).reduce((n, r) => n + r.changes.length, 0);
    expect(result).toHaveLength(expected);
    const withNoise = await run('attribute-changes', { User: user.upn, HideNoise: 'false' });
    expect(withNoise).toHaveLength(events.reduce((n, r) => n + r.changes.length, 0));
    const oneAttribute = await run('attribute-changes', { User: user.upn, Attribute: 'userName' });
    expect(oneAttribute.every((r) => r.Attribute === 'userName')).toBe(true);
  });
});

describe('users', () => {
  it('user-trace finds a user with a hostile display name and lists every step of every event', async () => {
    const name = '<img src=x onerror=alert(1)> Probe';
    expect(truth.awkwardUsers).toContain(name);
    const result = await run('user-trace', { User: name });
    const events = rows.filter((r) => r.sourceName === name || r.targetName === name);
    expect(new Set(result.map((r) => r.ChangeId))).toEqual(new Set(events.map((r) => r.ChangeId)));
    const steps = events.reduce((n, r) => n + JSON.parse(r.steps).length, 0);
    expect(result).toHaveLength(steps);
    const first = result.filter((r) => r.ChangeId === result[0].ChangeId);
    expect(first.map((r) => r.Step)).toEqual(first.map((_r, i) => i + 1));
    const times = result.map((r) => String(r.TimeGenerated));
    expect(times).toEqual([...times].sort());
  });

  it('user-trace takes a UPN or an object id, case-insensitively', async () => {
    const user = rows.find((r) => r.upn)!;
    const byUpn = await run('user-trace', { User: user.upn.toUpperCase() });
    const byId = await run('user-trace', { User: user.sourceId });
    const changeIds = (match: (r: Row) => boolean) => new Set(rows.filter(match).map((r) => r.ChangeId));
    expect(byUpn.length).toBeGreaterThan(0);
    expect(new Set(byUpn.map((r) => r.ChangeId))).toEqual(
      changeIds((r) => r.upn.toLowerCase() === user.upn.toLowerCase()),
    );
    expect(new Set(byId.map((r) => r.ChangeId))).toEqual(
      changeIds((r) => r.sourceId === user.sourceId || r.targetId === user.sourceId),
    );
  });
});

describe('quarantine and stopped jobs', () => {
  it('quarantine-history lists both injected quarantines with reasons and the admin actions after them', async () => {
    const result = await run('quarantine-history');
    const quarantines = result.filter((r) => r.Activity === 'Quarantine');
    for (const q of truth.quarantines) {
      const mine = quarantines.filter((r) => r.JobId === q.jobId);
      expect(mine.length, q.reason).toBeGreaterThan(0);
      expect(new Set(mine.map((r) => r.QuarantineReason))).toEqual(new Set([q.reason]));
      const first = mine.map((r) => String(r.TimeGenerated)).sort()[0];
      expect(first.slice(0, 16)).toBe(q.began.slice(0, 16));
    }
    expect(result.some((r) => r.Activity === 'Enable/restart provisioning configuration')).toBe(true);
  });

  it('quarantined-now names the quarantined job while it is quarantined, and nothing once lifted', async () => {
    const credential = truth.quarantines.find((q) => q.reason === 'EncounteredQuarantineException')!;
    const during = await run('quarantined-now', {}, isoAt(credential.began, 30));
    expect(during.map((r) => r.JobId)).toEqual([credential.jobId]);
    expect(String(during[0].QuarantinedSince).slice(0, 16)).toBe(credential.began.slice(0, 16));
    expect(during[0].QuarantineReason).toBe('EncounteredQuarantineException');

    const tooMany = truth.quarantines.find((q) => q.reason === 'TooManyDeletes')!;
    const staged = await run('quarantined-now', {}, isoAt(tooMany.began, 1));
    expect(staged.map((r) => r.JobId)).toEqual([tooMany.jobId]);

    expect(credential.ended).not.toBeNull();
    expect(await run('quarantined-now')).toEqual([]);
  });

  it('provisioning-stopped names a job silent for longer than asked, and only that one', async () => {
    const credential = truth.quarantines.find((q) => q.reason === 'EncounteredQuarantineException')!;
    const now = isoAt(credential.began, 5);
    const result = await run('provisioning-stopped', { Silence: '2h' }, now);
    expect(result.map((r) => r.JobId)).toEqual([credential.jobId]);
    const last = rows
      .filter((r) => r.JobId === credential.jobId && r.TimeGenerated <= now)
      .map((r) => r.TimeGenerated)
      .sort()
      .pop()!;
    expect(String(result[0].LastEvent).slice(0, 19)).toBe(last.slice(0, 19));
    expect(await run('provisioning-stopped', { Silence: '2h' })).toEqual([]);
  });
});

describe('coverage', () => {
  it('ran every shipped query above', () => {
    expect(library.queries.map((q) => q.id).filter((id) => !ran.has(id))).toEqual([]);
  });
});
