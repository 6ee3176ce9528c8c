/**
 * Diagnostic-setting records (Event Hub JSON lines, storage `{"records":[…]}` blobs) to and from LA
 * rows, per the mapping of §2.4. Category `ProvisioningLogs` → AADProvisioningLogs, `AuditLogs` →
 * AuditLogs. The JSON-string columns keep the key order of the record (§3.1). Audit rows get
 * SourceSystem "Azure AD" and Resource / ResourceGroup / ResourceProvider from ResourceId's provider.
 * provlog's own files may add an `@provlog.columns` overlay (see writers.ts).
 */
import type { AuditLogRow, ProvisioningLogRow } from '../rows.js';
import type { TableName } from '../schema.js';
import { trimmedIso } from '../time.js';
import {
  applyOverlay,
  arrayField,
  derivedId,
  emptyAuditRow,
  emptyProvisioningRow,
  enumText,
  finishBilling,
  firstNonEmpty,
  type IdentityKind,
  isObject,
  type Json,
  type JsonObject,
  jsonText,
  longField,
  OVERLAY_KEY,
  objectField,
  overlayFor,
  PROVISIONING_ACTIONS,
  parseColumn,
  RESULTS,
  RecordError,
  resourceParts,
  show,
  stringField,
  tenantFromJobId,
  tenantFromResourceId,
  timeField,
  titleCase,
  toLaIdentity,
  toLaLegacyStatus,
  toLaStatusInfo,
  toLaSteps,
} from './common.js';

export interface MappedRecord {
  readonly table: TableName;
  readonly row: ProvisioningLogRow | AuditLogRow;
  /** The record had no id; `row.Id` was derived from its content (see derivedId). */
  readonly idDerived: boolean;
}

function tableOf(record: JsonObject, props: JsonObject): TableName {
  const category = record.category;
  if (category !== undefined && category !== null) {
    const text = stringField('category', category).toLowerCase();
    if (text === 'provisioninglogs') return 'AADProvisioningLogs';
    if (text === 'auditlogs') return 'AuditLogs';
    throw new RecordError(`category: not ProvisioningLogs or AuditLogs: ${show(category)}`);
  }
  if ('jobId' in props || 'provisioningSteps' in props) return 'AADProvisioningLogs';
  if ('activityDisplayName' in props || 'loggedByService' in props) return 'AuditLogs';
  throw new RecordError('category: missing');
}

function resultType(value: Json | undefined): string {
  const text = stringField('resultType', value);
  const member = enumText(RESULTS, text);
  return RESULTS.includes(member) ? titleCase(member) : text;
}

function identityText(kind: IdentityKind, field: string, value: Json | undefined): string {
  const obj = objectField(field, value);
  return obj ? JSON.stringify(toLaIdentity(kind, obj)) : '';
}

/** One diagnostic record → row. Throws RecordError with a one-line reason. */
export function diagnosticToRow(record: Json): MappedRecord {
  if (!isObject(record)) throw new RecordError(`not a JSON object: ${show(record)}`);
  const props = objectField('properties', record.properties) ?? {};
  const table = tableOf(record, props);
  const time = record.time ?? props.activityDateTime;
  const tenant = firstNonEmpty(
    stringField('tenantId', record.tenantId),
    stringField('properties.tenantId', props.tenantId),
    tenantFromResourceId(stringField('resourceId', record.resourceId)),
  );
  if (table === 'AuditLogs') return auditRecord(record, props, time, tenant);

  const row = emptyProvisioningRow();
  row.TimeGenerated = timeField('time', time, true);
  row.AADTenantId = tenant;
  row.OperationName = stringField('operationName', record.operationName ?? row.OperationName);
  row.OperationVersion = stringField('operationVersion', record.operationVersion ?? row.OperationVersion);
  row.Id = firstNonEmpty(stringField('properties.id', props.id), stringField('identity', record.identity));
  row.JobId = stringField('properties.jobId', props.jobId);
  if (!row.AADTenantId) row.AADTenantId = tenantFromJobId(row.JobId);
  row.CycleId = stringField('properties.cycleId', props.cycleId);
  row.ChangeId = stringField('properties.changeId', props.changeId);
  row.CorrelationId =
    'correlationId' in record ? stringField('correlationId', record.correlationId) : row.ChangeId;
  row.DurationMs =
    record.durationMs !== undefined && record.durationMs !== null
      ? longField('durationMs', record.durationMs)
      : longField('properties.durationInMilliseconds', props.durationInMilliseconds);
  row.ProvisioningAction = enumText(
    PROVISIONING_ACTIONS,
    stringField('properties.provisioningAction', props.provisioningAction),
  );
  row.Action = stringField('properties.action', props.action);

  const psi = objectField('properties.provisioningStatusInfo', props.provisioningStatusInfo);
  const laPsi = psi ? toLaStatusInfo(psi) : undefined;
  if (laPsi) row.ProvisioningStatusInfo = JSON.stringify(laPsi);
  const legacy = objectField('properties.statusInfo', props.statusInfo);
  if (legacy) row.StatusInfo = JSON.stringify(toLaLegacyStatus(legacy));
  row.ResultType =
    'resultType' in record ? resultType(record.resultType) : titleCase(String(laPsi?.Status ?? ''));
  const error = laPsi && isObject(laPsi.errorInformation) ? laPsi.errorInformation : undefined;
  row.ResultSignature =
    'resultSignature' in record
      ? stringField('resultSignature', record.resultSignature)
      : stringField('errorCode', error?.errorCode);
  row.ResultDescription =
    'resultDescription' in record
      ? stringField('resultDescription', record.resultDescription)
      : stringField('reason', error?.reason);

  row.InitiatedBy = identityText('initiator', 'properties.initiatedBy', props.initiatedBy);
  row.ServicePrincipal = identityText(
    'servicePrincipal',
    'properties.servicePrincipal',
    props.servicePrincipal,
  );
  row.SourceSystem = identityText('system', 'properties.sourceSystem', props.sourceSystem);
  row.TargetSystem = identityText('system', 'properties.targetSystem', props.targetSystem);
  row.SourceIdentity = identityText('identity', 'properties.sourceIdentity', props.sourceIdentity);
  row.TargetIdentity = identityText('identity', 'properties.targetIdentity', props.targetIdentity);
  const steps = arrayField('properties.provisioningSteps', props.provisioningSteps);
  row.ProvisioningSteps = steps ? JSON.stringify(toLaSteps(steps)) : '';
  row.ModifiedProperties = jsonText(arrayField('properties.modifiedProperties', props.modifiedProperties));
  const idDerived = row.Id === '';
  if (idDerived) row.Id = derivedId(record);
  applyOverlay(table, row, record[OVERLAY_KEY]);
  return { table, row: finishBilling(row), idDerived };
}

function auditRecord(
  record: JsonObject,
  props: JsonObject,
  time: Json | undefined,
  tenant: string,
): MappedRecord {
  const row = emptyAuditRow();
  row.TimeGenerated = timeField('time', time, true);
  row.AADTenantId = tenant;
  row.ResourceId = stringField('resourceId', record.resourceId);
  row.Resource = row.ResourceGroup = row.ResourceProvider = resourceParts(row.ResourceId);
  row.Id = firstNonEmpty(stringField('properties.id', props.id));
  row.Category = stringField('properties.category', props.category);
  row.ActivityDisplayName = stringField('properties.activityDisplayName', props.activityDisplayName);
  row.OperationName = stringField('operationName', record.operationName ?? row.ActivityDisplayName);
  row.OperationVersion = stringField('operationVersion', record.operationVersion ?? row.OperationVersion);
  row.Result = stringField('properties.result', props.result);
  row.ResultReason = stringField('properties.resultReason', props.resultReason);
  row.ResultType = stringField('resultType', record.resultType ?? row.Result);
  row.ResultSignature = stringField('resultSignature', record.resultSignature);
  row.ResultDescription = stringField('resultDescription', record.resultDescription);
  row.DurationMs = longField('durationMs', record.durationMs);
  row.CorrelationId = stringField('correlationId', record.correlationId ?? props.correlationId);
  row.Identity = stringField('identity', record.identity);
  row.Level = stringField('Level', record.Level ?? record.level);
  row.Location = stringField('location', record.location);
  row.LoggedByService = stringField('properties.loggedByService', props.loggedByService);
  row.AADOperationType = stringField('properties.operationType', props.operationType);
  row.ActivityDateTime = timeField('properties.activityDateTime', props.activityDateTime, false);
  row.InitiatedBy = objectField('properties.initiatedBy', props.initiatedBy) ?? null;
  row.TargetResources = arrayField('properties.targetResources', props.targetResources) ?? null;
  row.AdditionalDetails = arrayField('properties.additionalDetails', props.additionalDetails) ?? null;
  const idDerived = row.Id === '';
  if (idDerived) row.Id = derivedId(record);
  applyOverlay('AuditLogs', row, record[OVERLAY_KEY]);
  return { table: 'AuditLogs', row: finishBilling(row), idDerived };
}

function resourceIdOf(tenant: string): string {
  return tenant ? `/tenants/${tenant}/providers/Microsoft.aadiam` : '';
}

function withOverlay(
  table: TableName,
  row: ProvisioningLogRow | AuditLogRow,
  record: JsonObject,
): JsonObject {
  const overlay = overlayFor(table, row, diagnosticToRow(record).row);
  if (overlay) record[OVERLAY_KEY] = overlay;
  return record;
}

/**
 * AADProvisioningLogs row → diagnostic record, keys in the order of the real records; the columns
 * the record cannot carry go in the OVERLAY_KEY property.
 */
export function provisioningRowToDiagnostic(row: ProvisioningLogRow): JsonObject {
  return withOverlay('AADProvisioningLogs', row, plainProvisioningDiagnostic(row));
}

function plainProvisioningDiagnostic(row: ProvisioningLogRow): JsonObject {
  const record: JsonObject = {
    time: row.TimeGenerated,
    resourceId: resourceIdOf(row.AADTenantId),
    operationName: row.OperationName,
    operationVersion: row.OperationVersion,
    category: 'ProvisioningLogs',
    tenantId: row.AADTenantId,
    resultType: row.ResultType,
  };
  const psi = parseColumn(row.ProvisioningStatusInfo);
  const error = isObject(psi) && isObject(psi.errorInformation) ? psi.errorInformation : undefined;
  const derivedSignature = typeof error?.errorCode === 'string' ? error.errorCode : '';
  const derivedDescription = typeof error?.reason === 'string' ? error.reason : '';
  if (row.ResultSignature || derivedSignature) record.resultSignature = row.ResultSignature;
  if (row.ResultDescription || derivedDescription) record.resultDescription = row.ResultDescription;
  record.durationMs = row.DurationMs;
  record.correlationId = row.CorrelationId;
  record.identity = row.Id;
  record.Level = 4;
  const props: JsonObject = {
    id: row.Id,
    activityDateTime: trimmedIso(row.TimeGenerated),
    tenantId: row.AADTenantId,
    jobId: row.JobId,
    cycleId: row.CycleId,
    changeId: row.ChangeId,
    action: row.Action,
    provisioningAction: row.ProvisioningAction,
  };
  const columns: [string, string][] = [
    ['servicePrincipal', row.ServicePrincipal],
    ['sourceSystem', row.SourceSystem],
    ['targetSystem', row.TargetSystem],
    ['initiatedBy', row.InitiatedBy],
    ['sourceIdentity', row.SourceIdentity],
    ['targetIdentity', row.TargetIdentity],
    ['provisioningStatusInfo', row.ProvisioningStatusInfo],
    ['statusInfo', row.StatusInfo],
    ['provisioningSteps', row.ProvisioningSteps],
    ['modifiedProperties', row.ModifiedProperties],
  ];
  for (const [key, text] of columns) if (text !== '') props[key] = parseColumn(text);
  props.durationInMilliseconds = row.DurationMs;
  record.properties = props;
  return record;
}

/** AuditLogs row → diagnostic record (+ overlay). */
export function auditRowToDiagnostic(row: AuditLogRow): JsonObject {
  return withOverlay('AuditLogs', row, plainAuditDiagnostic(row));
}

function plainAuditDiagnostic(row: AuditLogRow): JsonObject {
  return {
    time: row.TimeGenerated,
    resourceId: row.ResourceId,
    operationName: row.OperationName,
    operationVersion: row.OperationVersion,
    category: 'AuditLogs',
    tenantId: row.AADTenantId,
    resultType: row.ResultType,
    resultSignature: row.ResultSignature,
    resultDescription: row.ResultDescription,
    durationMs: row.DurationMs,
    correlationId: row.CorrelationId,
    identity: row.Identity,
    Level: row.Level,
    location: row.Location,
    properties: {
      id: row.Id,
      category: row.Category,
      correlationId: row.CorrelationId,
      result: row.Result,
      resultReason: row.ResultReason,
      activityDisplayName: row.ActivityDisplayName,
      activityDateTime: row.ActivityDateTime === null ? null : trimmedIso(row.ActivityDateTime),
      loggedByService: row.LoggedByService,
      operationType: row.AADOperationType,
      initiatedBy: row.InitiatedBy,
      targetResources: row.TargetResources,
      additionalDetails: row.AdditionalDetails,
    },
  };
}
