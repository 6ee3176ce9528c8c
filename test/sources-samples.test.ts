/** The real diagnostic records in ../shared/samples: every column of every record. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { billedSize } from '../src/model/billing.js';
import type { ProvisioningLogRow } from '../src/model/rows.js';
import { readSources } from '../src/model/sources/index.js';
import type { SourceItem, SourceRow } from '../src/model/sources/types.js';

const repoRoot = resolve(import.meta.dirname, '..');
const samples = resolve(repoRoot, '../shared/samples/diagnostic-records');
const present = existsSync(samples);
if (!present) console.warn(`skipping sample tests: ${samples} not found`);

async function collect(files: string[]): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readSources(files, { format: 'auto' })) items.push(item);
  return items;
}

function rowsOf(items: SourceItem[]): ProvisioningLogRow[] {
  return items.filter((i): i is SourceRow => i.kind === 'row').map((i) => i.row as ProvisioningLogRow);
}

const sample = (name: string) => resolve(samples, name);
const TENANT = '5611623b-9128-461e-9d7f-a0d9c270ead2';
const JOB = 'DropboxSCIMOutDelta.5611623b9128461e9d7fa0d9c270ead2.d6163622-bdf8-4b26-976f-7d573c638e2a';
const SKIP_STEPS =
  '[{"name":"EntryImportAdd","provisioningStepType":0,"status":0,"description":"Received User \'ellie@mauriziobrancaoutlook.onmicrosoft.com\' change of type (Add) from Azure Active Directory","details":{"objectId":"7383d412-41f2-478f-a317-7396cc32ce9e","accountEnabled":"True","displayName":"Ellie","givenName":"Ellie","mailNickname":"ellie","userPrincipalName":"ellie@mauriziobrancaoutlook.onmicrosoft.com","IsSoftDeleted":"False","appRoleAssignments":"User"}},' +
  '{"name":"EntrySynchronizationScoping","provisioningStepType":1,"status":0,"description":"Determine if User in scope by evaluating against each scoping filter","details":{"Active in the source system":"True","Assigned to the application":"True","User has the required role":"True","Scoping filter evaluation passed":"True","ScopeEvaluationResult":"{}"}},' +
  '{"name":"EntrySynchronizationAdd","provisioningStepType":2,"status":0,"description":"User \'ellie@mauriziobrancaoutlook.onmicrosoft.com\' will be created in Dropbox (User is active and assigned in Azure Active Directory, but no matching User was found in Dropbox)","details":{}},' +
  '{"name":"EntrySynchronizationSkip","provisioningStepType":3,"status":2,"description":"urn:ietf:params:scim:schemas:core:2.0:User \'ellie@mauriziobrancaoutlook.onmicrosoft.com\' will be skipped because the value of the property name.familyName is missing or invalid. Please update the value of the property name.familyName on the object in the source system.","details":{"PropertyName":"name.familyName","SkipReason":"AttributeValidationFailed","ReportableIdentifier":"ellie@mauriziobrancaoutlook.onmicrosoft.com"}}]';

/** The skipped Ellie event, as every variant file carries it (LA columns derived per §2.4). */
function ellie(overrides: Partial<ProvisioningLogRow> = {}): ProvisioningLogRow {
  const row: ProvisioningLogRow = {
    TimeGenerated: '2022-08-23T13:36:50.3538931Z',
    TenantId: '',
    AADTenantId: TENANT,
    Type: 'AADProvisioningLogs',
    Category: 'ProvisioningLogs',
    OperationName: 'Provisioning activity',
    OperationVersion: '1.0',
    Id: 'd6cbb0bd-c3ec-6455-bd3e-4282141ce369',
    JobId: JOB,
    CycleId: 'cc305635-a28e-4139-a056-42b5102933fe',
    ChangeId: '54416401-eef2-461c-8de7-385dde2b3cba',
    CorrelationId: '54416401-eef2-461c-8de7-385dde2b3cba',
    DurationMs: 828,
    ProvisioningAction: 'create',
    Action: 'Create',
    ResultType: 'Skipped',
    ResultSignature: '',
    ResultDescription: '',
    InitiatedBy: '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
    ServicePrincipal: '{"Id":"74866461-3754-40ed-a743-9c88ff29643e","Name":"Dropbox Business"}',
    SourceSystem:
      '{"details":{},"Id":"bab3751f-8f21-4657-8fce-698f7391dbdd","Name":"Azure Active Directory"}',
    TargetSystem:
      '{"details":{"ApplicationId":"97e0a159-74ec-4db1-918a-c03a9c3b6b81","ServicePrincipalId":"74866461-3754-40ed-a743-9c88ff29643e","ServicePrincipalDisplayName":"Dropbox Business"},"Id":"011a448f-1441-4336-8c20-e2d2cef9c410","Name":"Dropbox"}',
    SourceIdentity:
      '{"identityType":"User","details":{"id":"7383d412-41f2-478f-a317-7396cc32ce9e","odatatype":"User","DisplayName":"Ellie","UserPrincipalName":"ellie@mauriziobrancaoutlook.onmicrosoft.com"},"Id":"7383d412-41f2-478f-a317-7396cc32ce9e","Name":"Ellie"}',
    TargetIdentity:
      '{"identityType":"urn:ietf:params:scim:schemas:core:2.0:User","details":{},"Id":"","Name":""}',
    ModifiedProperties: '[]',
    ProvisioningSteps: SKIP_STEPS,
    ProvisioningStatusInfo: '{"Status":"skipped","errorInformation":null}',
    StatusInfo: '{"Status":2}',
    _BilledSize: null,
    _IsBillable: 'True',
    ...overrides,
  };
  row._BilledSize = billedSize(row);
  return row;
}

describe.skipIf(!present)('real diagnostic records', () => {
  test('every sample file is detected as diagnostic and yields no rejects', async () => {
    for (const name of [
      'test-provisioninglogs-raw.log',
      'test-azure-provisioning-duration-as-string-sample.log',
      'test-provisioning-caller-ip.log',
      'test-provisioning-tenant-from-resource-id.log',
      'test-provisioninglogs-mixedcase-resourceid.log',
      'test-time-formats-corner-cases.log',
    ]) {
      const items = await collect([sample(name)]);
      expect(
        items.filter((i) => i.kind === 'reject'),
        name,
      ).toEqual([]);
      expect(rowsOf(items).length, name).toBeGreaterThan(0);
    }
  });

  test('raw file: the skipped Ellie event, every column', async () => {
    const items = await collect([sample('test-provisioninglogs-raw.log')]);
    const rows = rowsOf(items);
    expect(rows).toHaveLength(3);
    expect(items.map((i) => (i.kind === 'row' ? i.line : -1))).toEqual([1, 2, 3]);
    expect(rows[0]).toEqual(ellie());
  });

  test('raw file: the successful Joel Miller create, every column', async () => {
    const rows = rowsOf(await collect([sample('test-provisioninglogs-raw.log')]));
    const expected: ProvisioningLogRow = {
      TimeGenerated: '2022-08-23T13:36:52.8695470Z',
      TenantId: '',
      AADTenantId: TENANT,
      Type: 'AADProvisioningLogs',
      Category: 'ProvisioningLogs',
      OperationName: 'Provisioning activity',
      OperationVersion: '1.0',
      Id: 'ebc7b845-7505-2dfa-269a-93257fab469a',
      JobId: JOB,
      CycleId: 'cc305635-a28e-4139-a056-42b5102933fe',
      ChangeId: 'e2f2b317-d848-483e-9593-e14e01edcd6d',
      CorrelationId: 'e2f2b317-d848-483e-9593-e14e01edcd6d',
      DurationMs: 3343,
      ProvisioningAction: 'create',
      Action: 'Create',
      ResultType: 'Success',
      ResultSignature: '',
      ResultDescription: '',
      InitiatedBy: '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
      ServicePrincipal: '{"Id":"74866461-3754-40ed-a743-9c88ff29643e","Name":"Dropbox Business"}',
      SourceSystem:
        '{"details":{},"Id":"da5ffc0e-356f-44a1-b227-82509f283a2c","Name":"Azure Active Directory"}',
      TargetSystem:
        '{"details":{"ApplicationId":"97e0a159-74ec-4db1-918a-c03a9c3b6b81","ServicePrincipalId":"74866461-3754-40ed-a743-9c88ff29643e","ServicePrincipalDisplayName":"Dropbox Business"},"Id":"f8a69259-ff85-4348-a202-b33b29aa888c","Name":"Dropbox"}',
      SourceIdentity:
        '{"identityType":"User","details":{"id":"e3b2b242-4ccb-4cf1-9b8b-004cf034a458","odatatype":"User","DisplayName":"Joel Miller","UserPrincipalName":"joel.miller@mauriziobrancaoutlook.onmicrosoft.com"},"Id":"e3b2b242-4ccb-4cf1-9b8b-004cf034a458","Name":"Joel Miller"}',
      TargetIdentity:
        '{"identityType":"urn:ietf:params:scim:schemas:core:2.0:User","details":{},"Id":"dbmid:AAAyj2SkvwD4D6hbiVdfVymbfwENG-roFu4","Name":""}',
      ModifiedProperties:
        '[{"displayName":"externalId","oldValue":null,"newValue":"e3b2b242-4ccb-4cf1-9b8b-004cf034a458"},{"displayName":"userName","oldValue":null,"newValue":"joel.miller@mauriziobrancaoutlook.onmicrosoft.com"},{"displayName":"name.givenName","oldValue":null,"newValue":"Joel"},{"displayName":"name.familyName","oldValue":null,"newValue":"Miller"},{"displayName":"active","oldValue":null,"newValue":"True"}]',
      ProvisioningSteps:
        '[{"name":"EntryImportAdd","provisioningStepType":0,"status":0,"description":"Received User \'joel.miller@mauriziobrancaoutlook.onmicrosoft.com\' change of type (Add) from Azure Active Directory","details":{"objectId":"e3b2b242-4ccb-4cf1-9b8b-004cf034a458","accountEnabled":"True","displayName":"Joel Miller","givenName":"Joel","mailNickname":"joel.miller","surname":"Miller","userPrincipalName":"joel.miller@mauriziobrancaoutlook.onmicrosoft.com","IsSoftDeleted":"False","appRoleAssignments":"User"}},' +
        '{"name":"EntrySynchronizationScoping","provisioningStepType":1,"status":0,"description":"Determine if User in scope by evaluating against each scoping filter","details":{"Active in the source system":"True","Assigned to the application":"True","User has the required role":"True","Scoping filter evaluation passed":"True","ScopeEvaluationResult":"{}"}},' +
        '{"name":"EntrySynchronizationAdd","provisioningStepType":2,"status":0,"description":"User \'joel.miller@mauriziobrancaoutlook.onmicrosoft.com\' will be created in Dropbox (User is active and assigned in Azure Active Directory, but no matching User was found in Dropbox)","details":{}},' +
        '{"name":"EntryExportAdd","provisioningStepType":5,"status":0,"description":"User \'joel.miller@mauriziobrancaoutlook.onmicrosoft.com\' was created in Dropbox","details":{"externalId":"e3b2b242-4ccb-4cf1-9b8b-004cf034a458","userName":"joel.miller@mauriziobrancaoutlook.onmicrosoft.com","namegivenName":"Joel","namefamilyName":"Miller","active":"True","ReportableIdentifier":"joel.miller@mauriziobrancaoutlook.onmicrosoft.com"}}]',
      ProvisioningStatusInfo: '{"Status":"success","errorInformation":null}',
      StatusInfo: '{"Status":0}',
      _BilledSize: null,
      _IsBillable: 'True',
    };
    expected._BilledSize = billedSize(expected);
    expect(rows[1]).toEqual(expected);
  });

  test('raw file: the hand-edited failure keeps its own key order and error details', async () => {
    const rows = rowsOf(await collect([sample('test-provisioninglogs-raw.log')]));
    const row = rows[2];
    const line = readFileSync(sample('test-provisioninglogs-raw.log'), 'utf8').split('\n')[2];
    const props = JSON.parse(line).properties;
    expect(row.TimeGenerated).toBe('2022-08-23T13:36:52.8695470Z');
    expect(row.JobId).toBe('ContosoOutDelta.7928d5b574424a97ne2d66f9j9972ecn');
    expect(row.AADTenantId).toBe(TENANT);
    expect(row.ResultType).toBe('Success'); // the record's own resultType wins
    expect(row.ResultSignature).toBe('ContosoEntryConflict');
    expect(row.ResultDescription).toBe(props.provisioningStatusInfo.errorInformation.reason);
    // `Id`/`Name` before `details` here: the record's order is kept.
    expect(row.SourceSystem).toBe(
      '{"Id":"0404601d-a9c0-4ec7-bbcd-02660120d8c9","Name":"Azure Active Directory","details":{}}',
    );
    expect(row.TargetSystem).toBe(JSON.stringify(props.targetSystem));
    expect(row.ProvisioningStatusInfo).toBe(JSON.stringify(props.provisioningStatusInfo));
    expect(JSON.parse(row.ProvisioningStatusInfo).errorInformation.errorCategory).toBe('nonServiceFailure');
    expect(row.StatusInfo).toBe('{"Status":0}');
    expect(row.ProvisioningSteps).toBe(JSON.stringify(props.provisioningSteps));
    expect(row.ModifiedProperties).toBe(JSON.stringify(props.modifiedProperties));
    expect(row._BilledSize).toBe(billedSize(row));
  });

  test('durationMs as a string', async () => {
    const rows = rowsOf(await collect([sample('test-azure-provisioning-duration-as-string-sample.log')]));
    expect(rows).toEqual([ellie()]);
    expect(rows[0].DurationMs).toBe(828);
  });

  test('callerIpAddress is tolerated (not a column)', async () => {
    const rows = rowsOf(await collect([sample('test-provisioning-caller-ip.log')]));
    expect(rows).toEqual([
      ellie({
        TimeGenerated: '2022-08-23T14:02:11.1174382Z',
        Id: 'a1c4d7f0-3e6a-49c2-8d5f-7b1e4a9c2d5f',
        ChangeId: '7b1e4a9c-2d5f-48b3-9e6a-1c4d7f0b3e6a',
        CorrelationId: '7b1e4a9c-2d5f-48b3-9e6a-1c4d7f0b3e6a',
        ResultType: 'Success',
      }),
    ]);
  });

  test('no top-level tenantId: AADTenantId from properties / resourceId', async () => {
    const rows = rowsOf(await collect([sample('test-provisioning-tenant-from-resource-id.log')]));
    expect(rows).toEqual([ellie()]);
    expect(rows[0].AADTenantId).toBe(TENANT);
  });

  test('mixed-case resourceId', async () => {
    const rows = rowsOf(await collect([sample('test-provisioninglogs-mixedcase-resourceid.log')]));
    expect(rows).toEqual([ellie()]);
  });

  test('tenant from resourceId alone (properties.tenantId removed), case-insensitive', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const record = JSON.parse(readFileSync(sample('test-provisioninglogs-mixedcase-resourceid.log'), 'utf8'));
    delete record.properties.tenantId;
    record.properties.jobId = 'custom-job';
    const file = resolve(mkdtempSync(resolve(tmpdir(), 'provlog-src-')), 'one.json');
    writeFileSync(file, JSON.stringify(record));
    const rows = rowsOf(await collect([file]));
    expect(rows[0].AADTenantId).toBe(TENANT);
  });

  test('time corner cases: the right instants, deterministic ids, one warning', async () => {
    const file = sample('test-time-formats-corner-cases.log');
    const items = await collect([file]);
    const rows = rowsOf(items);
    expect(rows.map((r) => r.TimeGenerated)).toEqual([
      '2007-01-09T09:41:00.0000000Z', // 01/09/2007 09:41:00
      '2007-01-09T09:41:00.0000000Z', // 1/9/2007 09:41:00
      '2007-01-09T09:41:00.0000000Z', // 01/09/2007 09:41:00 AM
      '2007-01-09T09:41:00.0000000Z', // 1/9/2007 9:41:00 AM
      '2007-01-09T09:41:00.0000000Z', // 1/9/2007 10:41:00 AM +01:00
      '2007-01-09T09:41:00.0000000Z', // 2007-01-09T09:41:00 (no zone: UTC)
      '2007-01-09T09:41:00.2200000Z',
      '2007-01-09T09:41:00.6816663Z',
      '2007-01-09T09:41:00.5354040Z', // 9 digits truncated to Kusto's 100 ns
      '2007-01-09T09:41:00.9920990Z',
      '2007-01-09T09:41:00.0000000Z', // 11:41 +02:00
    ]);
    for (const row of rows) {
      expect(row.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row).toMatchObject({
        AADTenantId: '',
        JobId: '',
        DurationMs: null,
        ProvisioningSteps: '',
        StatusInfo: '',
      });
      expect(row._BilledSize).toBe(billedSize(row));
    }
    expect(new Set(rows.map((r) => r.Id)).size).toBe(rows.length);
    const again = rowsOf(await collect([file]));
    expect(again.map((r) => r.Id)).toEqual(rows.map((r) => r.Id));
    const warnings = items.filter((i) => i.kind === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ message: expect.stringContaining('11 record(s) had no id') });
  });
});
