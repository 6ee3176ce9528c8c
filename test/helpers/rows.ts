import type { AuditLogRow, ProvisioningLogRow } from '../../src/model/rows.js';

/** A hand-written provisioning row with the real records' shapes; override what a test needs. */
export function provisioningRow(overrides: Partial<ProvisioningLogRow> = {}): ProvisioningLogRow {
  const id = overrides.Id ?? 'd6cbb0bd-c3ec-6455-bd3e-4282141ce369';
  return {
    TimeGenerated: '2024-05-02T10:15:07.1234567Z',
    TenantId: '',
    AADTenantId: '11111111-2222-3333-4444-555555555555',
    Type: 'AADProvisioningLogs',
    Category: 'ProvisioningLogs',
    OperationName: 'Provisioning activity',
    OperationVersion: '1.0',
    Id: id,
    JobId: 'scim.11111111222233334444555555555555.0e9a5c39-5a4b-4a69-9a0c-9b1f2b8f6d11',
    CycleId: 'c1c1c1c1-0000-4000-8000-000000000001',
    ChangeId: `chg-${id}`,
    CorrelationId: `chg-${id}`,
    DurationMs: 828,
    ProvisioningAction: 'create',
    Action: 'Create',
    ResultType: 'Success',
    ResultSignature: '',
    ResultDescription: '',
    InitiatedBy: '{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}',
    ServicePrincipal: '{"Id":"74866461-3754-40ed-a743-9c88ff29643e","Name":"Contoso <b>HR</b> \\"App\\""}',
    SourceSystem: '{"details":{},"Id":"bab3751f-8f21-4657-8fce-698f7391dbdd","Name":"Microsoft Entra ID"}',
    TargetSystem: '{"details":{},"Id":"011a448f-1441-4336-8c20-e2d2cef9c410","Name":"Contoso"}',
    SourceIdentity:
      '{"identityType":"User","details":{"DisplayName":"Zoë <img src=x onerror=alert(1)>"},"Id":"u1","Name":"Zoë"}',
    TargetIdentity:
      '{"identityType":"urn:ietf:params:scim:schemas:core:2.0:User","details":{},"Id":"","Name":""}',
    ModifiedProperties: '[{"displayName":"active","oldValue":null,"newValue":"True"}]',
    ProvisioningSteps:
      '[{"name":"EntryImportAdd","provisioningStepType":0,"status":0,"description":"a\\nb","details":{}}]',
    ProvisioningStatusInfo: '{"Status":"success","errorInformation":null}',
    StatusInfo: '{"Status":0}',
    _BilledSize: 1234,
    _IsBillable: 'True',
    ...overrides,
  };
}

export function auditRow(overrides: Partial<AuditLogRow> = {}): AuditLogRow {
  return {
    TimeGenerated: '2024-05-02T11:00:00.0000000Z',
    TenantId: '',
    SourceSystem: 'Azure AD',
    ResourceId: '/tenants/11111111-2222-3333-4444-555555555555/providers/Microsoft.aadiam',
    OperationName: 'Quarantine',
    OperationVersion: '1.0',
    Category: 'ProvisioningManagement',
    ResultType: '',
    ResultSignature: 'None',
    ResultDescription: 'Error: SystemForCrossDomainIdentityManagementCredentialValidationFailure',
    DurationMs: 0,
    CorrelationId: 'corr-1',
    Resource: 'Microsoft.aadiam',
    ResourceGroup: 'Microsoft.aadiam',
    ResourceProvider: '',
    Identity: 'Azure AD Provisioning Service',
    Level: '4',
    Location: '',
    AdditionalDetails: [{ key: 'JobId', value: 'scim.x.y' }],
    Id: 'audit-1',
    InitiatedBy: { app: { displayName: 'Azure AD Provisioning Service', appId: null } },
    LoggedByService: 'Account Provisioning',
    Result: 'failure',
    ResultReason: '',
    TargetResources: [
      { id: '74866461-3754-40ed-a743-9c88ff29643e', displayName: 'Contoso', type: 'ServicePrincipal' },
    ],
    AADTenantId: '11111111-2222-3333-4444-555555555555',
    ActivityDisplayName: 'Quarantine',
    ActivityDateTime: '2024-05-02T11:00:00.0000000Z',
    AADOperationType: 'Other',
    Type: 'AuditLogs',
    _BilledSize: 500,
    _IsBillable: 'True',
    ...overrides,
  };
}
