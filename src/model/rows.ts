/**
 * Rows exactly as Log Analytics stores them. Datetimes are canonical ISO-8601 UTC strings with seven
 * fraction digits (`2024-05-02T10:15:07.1234560Z`), the 100-ns precision of Kusto; `dynamic` values
 * are parsed JSON values (`null` when absent). JSON-in-string columns hold compact JSON text.
 */

export type DynamicValue =
  | null
  | boolean
  | number
  | string
  | DynamicValue[]
  | { [key: string]: DynamicValue };

export interface ProvisioningLogRow {
  TimeGenerated: string;
  TenantId: string;
  AADTenantId: string;
  Type: string;
  Category: string;
  OperationName: string;
  OperationVersion: string;
  Id: string;
  JobId: string;
  CycleId: string;
  ChangeId: string;
  CorrelationId: string;
  DurationMs: number | null;
  ProvisioningAction: string;
  Action: string;
  ResultType: string;
  ResultSignature: string;
  ResultDescription: string;
  InitiatedBy: string;
  ServicePrincipal: string;
  SourceSystem: string;
  TargetSystem: string;
  SourceIdentity: string;
  TargetIdentity: string;
  ModifiedProperties: string;
  ProvisioningSteps: string;
  ProvisioningStatusInfo: string;
  StatusInfo: string;
  _BilledSize: number | null;
  _IsBillable: string;
}

export interface AuditLogRow {
  TimeGenerated: string;
  TenantId: string;
  SourceSystem: string;
  ResourceId: string;
  OperationName: string;
  OperationVersion: string;
  Category: string;
  ResultType: string;
  ResultSignature: string;
  ResultDescription: string;
  DurationMs: number | null;
  CorrelationId: string;
  Resource: string;
  ResourceGroup: string;
  ResourceProvider: string;
  Identity: string;
  Level: string;
  Location: string;
  AdditionalDetails: DynamicValue;
  Id: string;
  InitiatedBy: DynamicValue;
  LoggedByService: string;
  Result: string;
  ResultReason: string;
  TargetResources: DynamicValue;
  AADTenantId: string;
  ActivityDisplayName: string;
  ActivityDateTime: string | null;
  AADOperationType: string;
  Type: string;
  _BilledSize: number | null;
  _IsBillable: string;
}

export type TableRow = ProvisioningLogRow | AuditLogRow;

export interface TableRows {
  AADProvisioningLogs: ProvisioningLogRow;
  AuditLogs: AuditLogRow;
}
