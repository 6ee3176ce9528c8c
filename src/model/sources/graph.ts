/**
 * Microsoft Graph `provisioningObjectSummary` (v1.0, beta and the portal JSON download, which carries
 * the beta `action` and `statusInfo`) and `directoryAudit` objects, to and from LA rows (§4, §5).
 *
 * Derived columns (Graph has no field for them): `CorrelationId` = changeId; `ResultType` = Title-case
 * of provisioningStatusInfo.status; `ResultSignature` / `ResultDescription` = errorCode / reason;
 * without the beta fields `Action` = Title-case of provisioningAction and `StatusInfo` = {"Status":n}.
 * Identity-like objects get the key order of the real records (§3.1/§5). provlog's own files may add an
 * `@provlog.columns` overlay with the columns Graph cannot carry (see writers.ts).
 */
import type { AuditLogRow, ProvisioningLogRow } from '../rows.js';
import { trimmedIso } from '../time.js';
import {
  applyOverlay,
  arrayField,
  emptyAuditRow,
  emptyProvisioningRow,
  enumInt,
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
  stringField,
  tenantFromJobId,
  timeField,
  titleCase,
  toGraphIdentity,
  toGraphSteps,
  toLaIdentity,
  toLaLegacyStatus,
  toLaStatusInfo,
  toLaSteps,
} from './common.js';

export const GRAPH_CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning';
export const GRAPH_AUDIT_CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits';

/** True when the object looks like a directoryAudit rather than a provisioningObjectSummary. */
export function isDirectoryAudit(obj: JsonObject): boolean {
  return 'activityDisplayName' in obj || 'loggedByService' in obj || 'targetResources' in obj;
}

function identity(kind: IdentityKind, field: string, value: Json | undefined): string {
  const obj = objectField(field, value);
  return obj ? JSON.stringify(toLaIdentity(kind, obj)) : '';
}

/** Graph provisioningObjectSummary (any version, any enum casing) → AADProvisioningLogs row. */
export function graphToProvisioningRow(obj: JsonObject): ProvisioningLogRow {
  const row = emptyProvisioningRow();
  row.TimeGenerated = timeField('activityDateTime', obj.activityDateTime, true);
  row.Id = stringField('id', obj.id);
  row.JobId = stringField('jobId', obj.jobId);
  row.CycleId = stringField('cycleId', obj.cycleId);
  row.ChangeId = stringField('changeId', obj.changeId);
  row.CorrelationId = row.ChangeId;
  row.AADTenantId = firstNonEmpty(stringField('tenantId', obj.tenantId), tenantFromJobId(row.JobId));
  row.DurationMs = longField('durationInMilliseconds', obj.durationInMilliseconds);
  row.ProvisioningAction = enumText(
    PROVISIONING_ACTIONS,
    stringField('provisioningAction', obj.provisioningAction),
  );
  row.Action = 'action' in obj ? stringField('action', obj.action) : titleCase(row.ProvisioningAction);

  const psi = objectField('provisioningStatusInfo', obj.provisioningStatusInfo);
  const status = psi ? enumText(RESULTS, psi.status ?? psi.Status) : '';
  if (psi) row.ProvisioningStatusInfo = JSON.stringify(toLaStatusInfo(psi));
  row.ResultType = titleCase(status);
  const legacy = objectField('statusInfo', obj.statusInfo);
  if ('statusInfo' in obj) row.StatusInfo = legacy ? JSON.stringify(toLaLegacyStatus(legacy)) : '';
  else if (status) row.StatusInfo = JSON.stringify({ Status: enumInt(RESULTS, status) });
  const error = psi && isObject(psi.errorInformation) ? psi.errorInformation : legacy;
  row.ResultSignature = error ? stringField('errorCode', error.errorCode) : '';
  row.ResultDescription = error ? stringField('reason', error.reason) : '';

  row.InitiatedBy = identity('initiator', 'initiatedBy', obj.initiatedBy);
  row.ServicePrincipal = identity('servicePrincipal', 'servicePrincipal', obj.servicePrincipal);
  row.SourceSystem = identity('system', 'sourceSystem', obj.sourceSystem);
  row.TargetSystem = identity('system', 'targetSystem', obj.targetSystem);
  row.SourceIdentity = identity('identity', 'sourceIdentity', obj.sourceIdentity);
  row.TargetIdentity = identity('identity', 'targetIdentity', obj.targetIdentity);
  const steps = arrayField('provisioningSteps', obj.provisioningSteps);
  row.ProvisioningSteps = steps ? JSON.stringify(toLaSteps(steps)) : '';
  row.ModifiedProperties = jsonText(arrayField('modifiedProperties', obj.modifiedProperties));
  applyOverlay('AADProvisioningLogs', row, obj[OVERLAY_KEY]);
  return finishBilling(row);
}

function graphObject(kind: IdentityKind, text: string): Json {
  const value = parseColumn(text);
  return isObject(value) ? toGraphIdentity(kind, value) : value;
}

/**
 * AADProvisioningLogs row → Graph object; `beta` adds `action` and `statusInfo` (portal JSON). The
 * columns Graph cannot carry go in the OVERLAY_KEY property.
 */
export function provisioningRowToGraph(row: ProvisioningLogRow, beta: boolean): JsonObject {
  const out = plainProvisioningGraph(row, beta);
  const overlay = overlayFor('AADProvisioningLogs', row, graphToProvisioningRow(out));
  if (overlay) out[OVERLAY_KEY] = overlay;
  return out;
}

function plainProvisioningGraph(row: ProvisioningLogRow, beta: boolean): JsonObject {
  const out: JsonObject = {
    id: row.Id,
    activityDateTime: trimmedIso(row.TimeGenerated),
    tenantId: row.AADTenantId,
    jobId: row.JobId,
    cycleId: row.CycleId,
    changeId: row.ChangeId,
  };
  if (beta) out.action = row.Action;
  out.provisioningAction = row.ProvisioningAction;
  out.durationInMilliseconds = row.DurationMs;
  out.servicePrincipal = graphObject('servicePrincipal', row.ServicePrincipal);
  out.sourceSystem = graphObject('system', row.SourceSystem);
  out.targetSystem = graphObject('system', row.TargetSystem);
  out.initiatedBy = graphObject('initiator', row.InitiatedBy);
  out.sourceIdentity = graphObject('identity', row.SourceIdentity);
  out.targetIdentity = graphObject('identity', row.TargetIdentity);
  const psi = parseColumn(row.ProvisioningStatusInfo);
  if (isObject(psi)) {
    const status: JsonObject = {};
    for (const [key, v] of Object.entries(psi)) status[key === 'Status' ? 'status' : key] = v;
    out.provisioningStatusInfo = status;
  } else out.provisioningStatusInfo = psi;
  if (beta) {
    const legacy = parseColumn(row.StatusInfo);
    if (isObject(legacy)) {
      const code = enumText(RESULTS, legacy.Status);
      const error = isObject(psi) && isObject(psi.errorInformation) ? psi.errorInformation : undefined;
      out.statusInfo =
        code === 'failure' && error
          ? { '@odata.type': '#microsoft.graph.statusDetails', status: code, ...error }
          : { status: code };
    } else out.statusInfo = legacy;
  }
  const steps = parseColumn(row.ProvisioningSteps);
  out.provisioningSteps = Array.isArray(steps) ? toGraphSteps(steps) : steps;
  out.modifiedProperties = parseColumn(row.ModifiedProperties);
  return out;
}

// ---- directoryAudit ---------------------------------------------------------------------------------

/** The LA `Identity` of an audit event: the initiator's display name. */
export function auditIdentity(initiatedBy: Json): string {
  if (!isObject(initiatedBy)) return '';
  for (const key of ['user', 'app']) {
    const who = initiatedBy[key];
    if (isObject(who)) {
      const name = who.displayName ?? who.userPrincipalName ?? who.servicePrincipalName;
      if (typeof name === 'string' && name) return name;
    }
  }
  return '';
}

/**
 * Graph directoryAudit → AuditLogs row. Graph has no tenant, resource id, level, location, duration or
 * result signature: those columns stay empty; OperationName = activityDisplayName, ResultType = result,
 * ResultDescription = resultReason, TimeGenerated = activityDateTime.
 */
export function graphToAuditRow(obj: JsonObject): AuditLogRow {
  const row = emptyAuditRow();
  row.TimeGenerated = timeField('activityDateTime', obj.activityDateTime, true);
  row.ActivityDateTime = row.TimeGenerated;
  row.Id = stringField('id', obj.id);
  row.Category = stringField('category', obj.category);
  row.CorrelationId = stringField('correlationId', obj.correlationId);
  row.Result = stringField('result', obj.result);
  row.ResultType = row.Result;
  row.ResultReason = stringField('resultReason', obj.resultReason);
  row.ResultDescription = row.ResultReason;
  row.ActivityDisplayName = stringField('activityDisplayName', obj.activityDisplayName);
  row.OperationName = row.ActivityDisplayName;
  row.LoggedByService = stringField('loggedByService', obj.loggedByService);
  row.AADOperationType = stringField('operationType', obj.operationType);
  row.InitiatedBy = objectField('initiatedBy', obj.initiatedBy) ?? null;
  row.Identity = auditIdentity(row.InitiatedBy);
  row.TargetResources = arrayField('targetResources', obj.targetResources) ?? null;
  row.AdditionalDetails = arrayField('additionalDetails', obj.additionalDetails) ?? null;
  applyOverlay('AuditLogs', row, obj[OVERLAY_KEY]);
  return finishBilling(row);
}

export function auditRowToGraph(row: AuditLogRow): JsonObject {
  const out = plainAuditGraph(row);
  const overlay = overlayFor('AuditLogs', row, graphToAuditRow(out));
  if (overlay) out[OVERLAY_KEY] = overlay;
  return out;
}

function plainAuditGraph(row: AuditLogRow): JsonObject {
  return {
    id: row.Id,
    category: row.Category,
    correlationId: row.CorrelationId,
    result: row.Result,
    resultReason: row.ResultReason,
    activityDisplayName: row.ActivityDisplayName,
    activityDateTime: trimmedIso(row.ActivityDateTime ?? row.TimeGenerated),
    loggedByService: row.LoggedByService,
    operationType: row.AADOperationType,
    initiatedBy: row.InitiatedBy,
    targetResources: row.TargetResources,
    additionalDetails: row.AdditionalDetails,
  };
}
