/**
 * Column schemas of the Log Analytics tables provlog reads and writes. The engine, the workspace
 * store, the emulator and the deploy code all take their columns from here.
 */

export type ColumnType =
  | 'datetime'
  | 'string'
  | 'long'
  | 'int'
  | 'real'
  | 'bool'
  | 'dynamic'
  | 'timespan'
  | 'guid';

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
  /** A string column whose value is compact JSON text (typed `string` in Log Analytics). */
  readonly json?: boolean;
  /**
   * Storage hint: long, mostly distinct strings (step lists, per-event ids). The workspace encodes them
   * to UTF-8 as rows arrive instead of keeping them as JS strings until a partition is written.
   */
  readonly distinct?: boolean;
}

export interface TableSchema {
  readonly name: TableName;
  readonly description: string;
  readonly columns: readonly ColumnSchema[];
  /** The column whose value identifies a record; imports dedupe on it. */
  readonly idColumn: string;
  readonly timeColumn: 'TimeGenerated';
}

export type TableName = 'AADProvisioningLogs' | 'AuditLogs';

const provisioningColumns: readonly ColumnSchema[] = [
  { name: 'TimeGenerated', type: 'datetime', description: 'Activity time (UTC); Graph activityDateTime.' },
  { name: 'TenantId', type: 'string', description: 'Log Analytics workspace id.' },
  { name: 'AADTenantId', type: 'string', description: 'Entra tenant id.' },
  { name: 'Type', type: 'string', description: 'Always AADProvisioningLogs.' },
  { name: 'Category', type: 'string', description: 'Always ProvisioningLogs.' },
  { name: 'OperationName', type: 'string', description: 'Always "Provisioning activity".' },
  { name: 'OperationVersion', type: 'string', description: 'Always 1.0.' },
  { name: 'Id', type: 'string', description: 'Unique id of the activity.' },
  {
    name: 'JobId',
    type: 'string',
    description: 'Provisioning job id: {templateId}.{tenantIdNoDashes}.{guid}.',
  },
  { name: 'CycleId', type: 'string', description: 'Id of one run of the job.' },
  {
    name: 'ChangeId',
    type: 'string',
    distinct: true,
    description: 'Id of this object change within the cycle.',
  },
  {
    name: 'CorrelationId',
    type: 'string',
    distinct: true,
    description: 'Provisioning trail id; equals ChangeId.',
  },
  { name: 'DurationMs', type: 'long', description: 'Time the action took, in milliseconds.' },
  {
    name: 'ProvisioningAction',
    type: 'string',
    description: 'create, update, delete, disable, stagedDelete, other.',
  },
  { name: 'Action', type: 'string', description: 'Legacy Title-case action: Create, Update, … or empty.' },
  { name: 'ResultType', type: 'string', description: 'Success, Failure, Skipped or Warning.' },
  { name: 'ResultSignature', type: 'string', description: 'Error code, when there is one.' },
  { name: 'ResultDescription', type: 'string', description: 'Error text, when available.' },
  { name: 'InitiatedBy', type: 'string', json: true, description: '{"Type","Id","Name"} of the initiator.' },
  {
    name: 'ServicePrincipal',
    type: 'string',
    json: true,
    description: '{"Id","Name"} of the app service principal.',
  },
  {
    name: 'SourceSystem',
    type: 'string',
    json: true,
    distinct: true,
    description: '{"details","Id","Name"} of the source system.',
  },
  {
    name: 'TargetSystem',
    type: 'string',
    json: true,
    distinct: true,
    description: '{"details","Id","Name"} of the target system.',
  },
  {
    name: 'SourceIdentity',
    type: 'string',
    json: true,
    description: '{"identityType","details","Id","Name"}.',
  },
  {
    name: 'TargetIdentity',
    type: 'string',
    json: true,
    description: '{"identityType","details","Id","Name"}.',
  },
  {
    name: 'ModifiedProperties',
    type: 'string',
    json: true,
    distinct: true,
    description: 'Array of {displayName,oldValue,newValue}.',
  },
  {
    name: 'ProvisioningSteps',
    type: 'string',
    json: true,
    distinct: true,
    description: 'Array of steps with integer enums.',
  },
  {
    name: 'ProvisioningStatusInfo',
    type: 'string',
    json: true,
    description: '{"Status","errorInformation"}.',
  },
  { name: 'StatusInfo', type: 'string', json: true, description: 'Legacy {"Status":0..3}.' },
  { name: '_BilledSize', type: 'real', description: 'Record size in bytes.' },
  { name: '_IsBillable', type: 'string', description: 'Whether ingesting the record is billed.' },
];

const auditColumns: readonly ColumnSchema[] = [
  { name: 'TimeGenerated', type: 'datetime', description: 'Time the record was generated (UTC).' },
  { name: 'TenantId', type: 'string', description: 'Log Analytics workspace id.' },
  { name: 'SourceSystem', type: 'string', description: 'Collector of the event (Azure AD).' },
  { name: 'ResourceId', type: 'string', description: 'Resource id of the tenant.' },
  { name: 'OperationName', type: 'string', description: 'Name of the operation.' },
  { name: 'OperationVersion', type: 'string', description: 'REST API version requested by the client.' },
  {
    name: 'Category',
    type: 'string',
    description: 'Audit category, ProvisioningManagement for provisioning.',
  },
  { name: 'ResultType', type: 'string', description: 'Result of the operation.' },
  { name: 'ResultSignature', type: 'string', description: 'Unused.' },
  { name: 'ResultDescription', type: 'string', description: 'Further description of the result.' },
  { name: 'DurationMs', type: 'long', description: 'Unused.' },
  { name: 'CorrelationId', type: 'string', description: 'Correlation id of the activity.' },
  { name: 'Resource', type: 'string', description: 'Resource.' },
  { name: 'ResourceGroup', type: 'string', description: 'Resource group.' },
  { name: 'ResourceProvider', type: 'string', description: 'Resource provider.' },
  { name: 'Identity', type: 'string', description: 'Identity from the token of the request.' },
  { name: 'Level', type: 'string', description: 'Severity level.' },
  { name: 'Location', type: 'string', description: 'Data center location.' },
  { name: 'AdditionalDetails', type: 'dynamic', description: 'Key/value details of the activity.' },
  { name: 'Id', type: 'string', description: 'Unique id of the activity.' },
  { name: 'InitiatedBy', type: 'dynamic', description: 'User or app that initiated the activity.' },
  { name: 'LoggedByService', type: 'string', description: 'Service that logged the activity.' },
  { name: 'Result', type: 'string', description: 'success, failure, timeout, unknownFutureValue.' },
  { name: 'ResultReason', type: 'string', description: 'Reason of a failure or timeout.' },
  { name: 'TargetResources', type: 'dynamic', description: 'Resources the activity changed.' },
  { name: 'AADTenantId', type: 'string', description: 'Entra tenant id.' },
  { name: 'ActivityDisplayName', type: 'string', description: 'Activity name, e.g. Quarantine.' },
  { name: 'ActivityDateTime', type: 'datetime', description: 'Time the activity was performed (UTC).' },
  { name: 'AADOperationType', type: 'string', description: 'Add, Update, Delete or Other.' },
  { name: 'Type', type: 'string', description: 'Always AuditLogs.' },
  { name: '_BilledSize', type: 'real', description: 'Record size in bytes.' },
  { name: '_IsBillable', type: 'string', description: 'Whether ingesting the record is billed.' },
];

export const AAD_PROVISIONING_LOGS: TableSchema = {
  name: 'AADProvisioningLogs',
  description: 'Microsoft Entra provisioning service activity (diagnostic category ProvisioningLogs).',
  columns: provisioningColumns,
  idColumn: 'Id',
  timeColumn: 'TimeGenerated',
};

export const AUDIT_LOGS: TableSchema = {
  name: 'AuditLogs',
  description: 'Microsoft Entra audit log; provlog keeps the events of the provisioning service.',
  columns: auditColumns,
  idColumn: 'Id',
  timeColumn: 'TimeGenerated',
};

export const TABLES: Readonly<Record<TableName, TableSchema>> = {
  AADProvisioningLogs: AAD_PROVISIONING_LOGS,
  AuditLogs: AUDIT_LOGS,
};

export function tableSchema(name: string): TableSchema {
  const schema = (TABLES as Record<string, TableSchema | undefined>)[name];
  if (!schema) throw new Error(`unknown table: ${name}`);
  return schema;
}
