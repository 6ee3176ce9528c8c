/** Hand-written fixtures for each source format (test/fixtures/sources). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { billedSize } from '../src/model/billing.js';
import type { AuditLogRow, ProvisioningLogRow } from '../src/model/rows.js';
import { detectFormat, readSources } from '../src/model/sources/index.js';
import type { SourceFormat, SourceItem, SourceRow } from '../src/model/sources/types.js';

const dir = resolve(import.meta.dirname, 'fixtures/sources');
const fixture = (name: string) => resolve(dir, name);

async function collect(files: string[], format: SourceFormat | 'auto' = 'auto'): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readSources(files, { format })) items.push(item);
  return items;
}
const rows = (items: SourceItem[]) => items.filter((i): i is SourceRow => i.kind === 'row');
const TENANT = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('format detection', () => {
  const cases: [string, SourceFormat][] = [
    ['graph-v1-page.json', 'graph'],
    ['portal-beta.json', 'portal-json'],
    ['la-api-response.json', 'la-json'],
    ['la-export.csv', 'la-csv'],
    ['ProvisioningLogs_fixture.csv', 'portal-csv'],
    ['ProvisioningLogs_fixture_ProvisioningSteps.csv', 'portal-csv'],
    ['audit-quarantine.json', 'graph'],
  ];
  for (const [name, format] of cases) {
    test(name, () => {
      expect(detectFormat(fixture(name), readFileSync(fixture(name), 'utf8').slice(0, 8192))).toBe(format);
    });
  }
  test('diagnostic shapes and unknown text', () => {
    expect(detectFormat('x.log', '{"time":"2024-01-01T00:00:00Z","category":"ProvisioningLogs"}')).toBe(
      'diagnostic',
    );
    expect(detectFormat('x.json', '{"records":[{"time":"2024-01-01T00:00:00Z"}]}')).toBe('diagnostic');
    expect(detectFormat('x.jsonl', '{"TimeGenerated":"2024-01-01T00:00:00Z","Type":"AuditLogs"}')).toBe(
      'la-json',
    );
    expect(detectFormat('x.txt', 'hello world')).toBeUndefined();
    expect(detectFormat('x.json', '{"foo":1}')).toBeUndefined();
  });
});

describe('graph v1.0 page', () => {
  test('elements, line numbers, enums, key order, derived columns', async () => {
    const items = await collect([fixture('graph-v1-page.json')]);
    expect(items.filter((i) => i.kind !== 'row')).toEqual([]);
    const [a, b] = rows(items);
    expect([a.line, b.line]).toEqual([4, 51]);
    const ra = a.row as ProvisioningLogRow;
    expect(ra).toMatchObject({
      TimeGenerated: '2024-05-02T10:15:07.1234560Z',
      TenantId: '',
      AADTenantId: TENANT,
      Type: 'AADProvisioningLogs',
      Category: 'ProvisioningLogs',
      OperationName: 'Provisioning activity',
      OperationVersion: '1.0',
      CorrelationId: '33333333-aaaa-4bbb-8ccc-000000000001',
      DurationMs: 3100,
      ProvisioningAction: 'update',
      Action: 'Update',
      ResultType: 'Success',
      ResultSignature: '',
      ResultDescription: '',
      InitiatedBy: '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
      ServicePrincipal: '{"Id":"44444444-aaaa-4bbb-8ccc-000000000001","Name":"Fabrikam HR"}',
      SourceSystem: '{"details":{},"Id":"55555555-aaaa-4bbb-8ccc-000000000001","Name":"Microsoft Entra ID"}',
      TargetSystem:
        '{"details":{"ApplicationId":"66666666-aaaa-4bbb-8ccc-000000000001"},"Id":"55555555-aaaa-4bbb-8ccc-000000000002","Name":"Fabrikam HR"}',
      SourceIdentity:
        '{"identityType":"User","details":{},"Id":"77777777-aaaa-4bbb-8ccc-000000000001","Name":"Rowan Price"}',
      ModifiedProperties: '[{"displayName":"active","oldValue":"True","newValue":"False"}]',
      ProvisioningStatusInfo: '{"Status":"success","errorInformation":null}',
      StatusInfo: '{"Status":0}',
      _IsBillable: 'True',
    });
    expect(
      JSON.parse(ra.ProvisioningSteps).map((s: { provisioningStepType: number; status: number }) => [
        s.provisioningStepType,
        s.status,
      ]),
    ).toEqual([
      [0, 0],
      [5, 0],
    ]);
    expect(ra._BilledSize).toBe(billedSize(ra));
    const rb = b.row as ProvisioningLogRow;
    expect(rb).toMatchObject({
      TimeGenerated: '2024-05-02T10:16:00.0000000Z',
      ProvisioningAction: 'stagedDelete',
      Action: 'StagedDelete',
      ResultType: 'Failure',
      ResultSignature: 'FabrikamEntryConflict',
      ResultDescription: 'Fabrikam HR answered HTTP 409: the user already exists.',
      InitiatedBy: '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
      StatusInfo: '{"Status":1}',
      ModifiedProperties: '[]',
    });
    expect(JSON.parse(rb.ProvisioningStatusInfo)).toEqual({
      Status: 'failure',
      errorInformation: {
        errorCode: 'FabrikamEntryConflict',
        reason: 'Fabrikam HR answered HTTP 409: the user already exists.',
        additionalDetails: null,
        errorCategory: 'nonServiceFailure',
        recommendedAction: null,
      },
    });
  });
});

describe('portal JSON (beta objects)', () => {
  test('action and statusInfo (statusDetails failure) are used', async () => {
    const items = await collect([fixture('portal-beta.json')]);
    const [a, b] = rows(items).map((r) => r.row as ProvisioningLogRow);
    expect(a).toMatchObject({
      TimeGenerated: '2024-06-10T08:00:01.5000000Z',
      Action: 'Create',
      ResultType: 'Failure',
      ResultSignature: 'SystemForCrossDomainIdentityManagementServiceIncompatible',
      ResultDescription: 'The SCIM response could not be parsed.',
      StatusInfo: '{"Status":1}',
      SourceIdentity:
        '{"identityType":"User","details":{},"Id":"u-1","Name":"Ada \\"Quote\\" <script>alert(1)</script>"}',
      ModifiedProperties: '[{"displayName":"userName","oldValue":null,"newValue":"ada@fabrikam.example"}]',
    });
    expect(JSON.parse(a.ProvisioningStatusInfo).errorInformation.additionalDetails).toBe('line 1\nline 2');
    expect(b).toMatchObject({
      Action: '',
      ProvisioningAction: 'other',
      StatusInfo: '{"Status":2}',
      SourceSystem: '',
      SourceIdentity: '',
    });
  });

  test('the minified download (one line) gives the same rows', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const minified = resolve(mkdtempSync(resolve(tmpdir(), 'provlog-portal-')), 'ProvisioningLogs.json');
    writeFileSync(minified, JSON.stringify(JSON.parse(readFileSync(fixture('portal-beta.json'), 'utf8'))));
    expect(detectFormat(minified, readFileSync(minified, 'utf8').slice(0, 8192))).toBe('portal-json');
    const items = rows(await collect([minified]));
    expect(items.map((i) => i.line)).toEqual([1, 1]);
    expect(items.map((i) => i.row)).toEqual(
      rows(await collect([fixture('portal-beta.json')])).map((i) => i.row),
    );
  });

  test('the same file read as graph gives the same rows', async () => {
    const asPortal = rows(await collect([fixture('portal-beta.json')], 'portal-json')).map((r) => r.row);
    const asGraph = rows(await collect([fixture('portal-beta.json')], 'graph')).map((r) => r.row);
    expect(asGraph).toEqual(asPortal);
  });
});

describe('Log Analytics JSON and CSV', () => {
  test('query API response: matching tables only, typed cells, TenantId kept, bad row rejected', async () => {
    const items = await collect([fixture('la-api-response.json')]);
    const [row] = rows(items).map((r) => r.row as ProvisioningLogRow);
    expect(row).toMatchObject({
      TenantId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      TimeGenerated: '2024-05-02T10:15:07.1234567Z',
      Category: 'ProvisioningLogs',
      OperationName: 'Provisioning activity',
      DurationMs: 2140,
      _BilledSize: 1234.5,
      StatusInfo: '{"Status":0}',
    });
    const rejects = items.filter((i) => i.kind === 'reject');
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({
      reason: 'table PrimaryResult row 2: TimeGenerated: not a datetime: "not a time"',
    });
  });

  test('az CLI array of all-string row objects and JSON lines, both tables', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const tmp = mkdtempSync(resolve(tmpdir(), 'provlog-la-'));
    const cli = resolve(tmp, 'cli.json');
    writeFileSync(
      cli,
      JSON.stringify(
        [
          {
            TableName: 'PrimaryResult',
            TimeGenerated: '2024-05-02T10:15:07.123Z',
            Type: 'AADProvisioningLogs',
            Id: 'x1',
            DurationMs: '42',
            _BilledSize: '100',
          },
          {
            TimeGenerated: '2024-05-03T02:00:00Z',
            Type: 'AuditLogs',
            Id: 'q1',
            ActivityDisplayName: 'Quarantine',
            ActivityDateTime: '2024-05-03T02:00:00Z',
            TargetResources: '[{"id":"sp-1"}]',
            AdditionalDetails: '',
            DurationMs: '',
          },
        ],
        null,
        2,
      ),
    );
    const items = await collect([cli]);
    expect(items.filter((i) => i.kind !== 'row')).toEqual([]);
    const [p, a] = rows(items);
    expect(p.table).toBe('AADProvisioningLogs');
    expect(p.row).toMatchObject({
      DurationMs: 42,
      _BilledSize: 100,
      TimeGenerated: '2024-05-02T10:15:07.1230000Z',
    });
    expect(a.table).toBe('AuditLogs');
    const audit = a.row as AuditLogRow;
    expect(audit.TargetResources).toEqual([{ id: 'sp-1' }]);
    expect(audit.AdditionalDetails).toBeNull();
    expect(audit.DurationMs).toBeNull();
    expect(audit.ActivityDateTime).toBe('2024-05-03T02:00:00.0000000Z');
  });

  test('portal CSV export: [UTC] suffix, US datetime, numbers as text, unknown header, bad number', async () => {
    const items = await collect([fixture('la-export.csv')]);
    expect(items[0]).toEqual({
      kind: 'warning',
      file: fixture('la-export.csv'),
      line: 1,
      message: 'unknown column(s) ignored: Workspace Name',
    });
    const [row] = rows(items).map((r) => r.row as ProvisioningLogRow);
    expect(row).toMatchObject({
      TenantId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      TimeGenerated: '2024-05-02T10:15:07.1230000Z',
      DurationMs: 828,
      _BilledSize: 512,
      InitiatedBy: '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
    });
    const rejects = items.filter((i) => i.kind === 'reject');
    expect(rejects).toMatchObject([{ line: 3, reason: 'DurationMs: not a number: "1,200"' }]);
  });

  test('local-time CSV export: rejected unless the value has an offset', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = resolve(mkdtempSync(resolve(tmpdir(), 'provlog-csv-')), 'local.csv');
    writeFileSync(
      file,
      'TimeGenerated [Local Time],Type,Id,JobId\n2024-05-02 12:15:07,AADProvisioningLogs,l1,j\n2024-05-02T12:15:07+02:00,AADProvisioningLogs,l2,j\n',
    );
    const items = await collect([file]);
    expect(items.filter((i) => i.kind === 'reject')).toMatchObject([
      { line: 2, reason: expect.stringContaining('TimeGenerated: local-time export without a UTC offset') },
    ]);
    expect(rows(items).map((r) => r.row.TimeGenerated)).toEqual(['2024-05-02T10:15:07.0000000Z']);
  });
});

describe('portal CSV trio', () => {
  test('joined on change id, unknown header reported once, multi-line cell', async () => {
    const main = fixture('ProvisioningLogs_fixture.csv');
    const items = await collect([
      main,
      fixture('ProvisioningLogs_fixture_ProvisioningSteps.csv'),
      fixture('ProvisioningLogs_fixture_ModifiedProperties.csv'),
    ]);
    const warnings = items.filter((i) => i.kind === 'warning');
    expect(warnings).toEqual([
      { kind: 'warning', file: main, line: 1, message: 'unknown column(s) ignored: Activity ID' },
    ]);
    expect(items.filter((i) => i.kind === 'reject')).toEqual([]);
    const [a, b] = rows(items);
    expect([a.line, b.line]).toEqual([2, 3]);
    expect(a.row).toMatchObject({
      TimeGenerated: '2024-07-01T09:30:00.0000000Z',
      Id: 'p-1',
      AADTenantId: TENANT,
      ChangeId: 'chg-1',
      CorrelationId: 'chg-1',
      Action: 'Create',
      ProvisioningAction: 'create',
      ResultType: 'Success',
      StatusInfo: '{"Status":0}',
      DurationMs: 2140,
      ServicePrincipal: '{"Id":"44444444-aaaa-4bbb-8ccc-000000000001","Name":"Fabrikam HR"}',
      SourceIdentity: '{"identityType":"User","Id":"u-1","Name":"Mira Chen"}',
      TargetIdentity: '',
      ProvisioningSteps:
        '[{"name":"EntryImportAdd","provisioningStepType":0,"status":0,"description":"Received User","details":{}},{"name":"EntryExportAdd","provisioningStepType":5,"status":0,"description":"Created User","details":{"ReportableIdentifier":"mira"}}]',
      ModifiedProperties: '[]',
    });
    expect(b.row).toMatchObject({
      ResultType: 'Failure',
      ResultSignature: 'InsufficientRights',
      ResultDescription: 'Target refused the update,\nsecond line',
      SourceIdentity: '{"identityType":"User","Id":"u-2","Name":"=HYPERLINK(\\"x\\")"}',
      ModifiedProperties:
        '[{"displayName":"displayName","oldValue":"Leo","newValue":"Leo Park"},{"displayName":"active","oldValue":null,"newValue":"True"}]',
    });
  });

  test('only the main file passed: the siblings are found in its folder', async () => {
    const items = await collect([fixture('ProvisioningLogs_fixture.csv')]);
    expect(rows(items)[0].row).toMatchObject({
      ProvisioningSteps: expect.stringContaining('EntryExportAdd'),
    });
  });
});

describe('directoryAudit', () => {
  test('Quarantine event → AuditLogs row', async () => {
    const items = await collect([fixture('audit-quarantine.json')]);
    expect(items).toHaveLength(1);
    const item = items[0] as SourceRow;
    expect(item.table).toBe('AuditLogs');
    const row = item.row as AuditLogRow;
    expect(row).toMatchObject({
      TimeGenerated: '2024-05-03T02:00:00.2500000Z',
      ActivityDateTime: '2024-05-03T02:00:00.2500000Z',
      TenantId: '',
      Type: 'AuditLogs',
      Category: 'ProvisioningManagement',
      OperationName: 'Quarantine',
      ActivityDisplayName: 'Quarantine',
      Result: 'failure',
      ResultReason: 'Error: SystemForCrossDomainIdentityManagementCredentialValidationFailure',
      LoggedByService: 'Account Provisioning',
      AADOperationType: 'Update',
      Identity: 'Azure AD Provisioning Service',
      CorrelationId: '5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e',
    });
    expect(row.TargetResources).toMatchObject([
      { id: '44444444-aaaa-4bbb-8ccc-000000000001', type: 'ServicePrincipal' },
    ]);
    expect(row.AdditionalDetails).toEqual([
      { key: 'JobId', value: 'scim.0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d.7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910' },
    ]);
    expect(row._BilledSize).toBe(billedSize(row));
  });

  test('diagnostic AuditLogs record in a storage blob', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = resolve(mkdtempSync(resolve(tmpdir(), 'provlog-audit-')), 'PT1H.json');
    const record = {
      time: '2024-05-03T02:00:00.2500000Z',
      resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
      operationName: 'Quarantine',
      operationVersion: '1.0',
      category: 'AuditLogs',
      resultType: 'Failure',
      resultSignature: 'None',
      durationMs: '0',
      correlationId: 'c-1',
      Level: 4,
      properties: {
        id: 'a-1',
        category: 'ProvisioningManagement',
        result: 'failure',
        activityDisplayName: 'Quarantine',
        activityDateTime: '2024-05-03T02:00:00.25Z',
        loggedByService: 'Account Provisioning',
        operationType: 'Update',
        initiatedBy: {},
        targetResources: [],
        additionalDetails: [],
      },
    };
    writeFileSync(file, JSON.stringify({ records: [record, { ...record, time: 'yesterday' }] }, null, 1));
    const items = await collect([file]);
    const [row] = rows(items);
    expect(row.table).toBe('AuditLogs');
    expect(row.row).toMatchObject({
      AADTenantId: TENANT,
      ResourceProvider: 'Microsoft.aadiam',
      Level: '4',
      DurationMs: 0,
      Category: 'ProvisioningManagement',
      ActivityDateTime: '2024-05-03T02:00:00.2500000Z',
    });
    expect(items.filter((i) => i.kind === 'reject')).toMatchObject([
      { reason: 'time: not a datetime: "yesterday"' },
    ]);
  });
});
