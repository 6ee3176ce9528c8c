/** The `$filter` properties of the Graph collections the emulator serves. */
import type { AuditEntry, ProvisioningEntry } from './data.js';
import type { FieldDef, FilterSchema } from './filter.js';

const EQ_CONTAINS = ['eq', 'ne', 'contains', 'startswith', 'endswith'];
const ORDERED = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

function text<T>(get: (e: T) => string): FieldDef<T> {
  return { type: 'string', get, ops: EQ_CONTAINS };
}

/** provisioningObjectSummary (data-model.md §4.2). */
export const provisioningSchema: FilterSchema<ProvisioningEntry> = {
  fields: {
    activityDateTime: { type: 'datetime', get: (e) => e.time, ops: ORDERED },
    id: text((e) => e.id),
    tenantId: text((e) => e.row.AADTenantId),
    jobId: text((e) => e.row.JobId),
    cycleId: text((e) => e.row.CycleId),
    changeId: text((e) => e.row.ChangeId),
    durationInMilliseconds: { type: 'number', get: (e) => e.row.DurationMs, ops: ORDERED },
    provisioningAction: text((e) => e.row.ProvisioningAction),
    'provisioningStatusInfo/status': text((e) => e.status),
    'servicePrincipal/id': text((e) => e.spId),
    'servicePrincipal/displayName': text((e) => e.spName),
    'sourceIdentity/id': text((e) => e.sourceId),
    'sourceIdentity/displayName': text((e) => e.sourceName),
    'sourceIdentity/identityType': text((e) => e.sourceType),
    'targetIdentity/id': text((e) => e.targetId),
    'targetIdentity/displayName': text((e) => e.targetName),
    'targetIdentity/identityType': text((e) => e.targetType),
    'sourceSystem/displayName': text((e) => e.sourceSystem),
    'targetSystem/displayName': text((e) => e.targetSystem),
    'initiatedBy/displayName': text((e) => e.initiator),
  },
};

interface TargetResource {
  id: string;
  displayName: string;
  type: string;
}

/** directoryAudit. */
export const directoryAuditSchema: FilterSchema<AuditEntry> = {
  fields: {
    activityDateTime: { type: 'datetime', get: (e) => e.time, ops: ORDERED },
    id: text((e) => e.id),
    category: text((e) => e.row.Category),
    activityDisplayName: text((e) => e.activity),
    loggedByService: text((e) => e.row.LoggedByService),
    result: text((e) => e.row.Result),
    correlationId: text((e) => e.row.CorrelationId),
    operationType: text((e) => e.row.AADOperationType),
    'initiatedBy/user/userPrincipalName': text((e) => e.initiator),
    'initiatedBy/app/displayName': text((e) => e.initiator),
  },
  collections: {
    targetResources: {
      get: (e) => e.targets,
      element: {
        fields: {
          id: text((t: unknown) => (t as TargetResource).id),
          displayName: text((t: unknown) => (t as TargetResource).displayName),
          type: text((t: unknown) => (t as TargetResource).type),
        },
      },
    },
  },
};

export interface ServicePrincipalEntry {
  id: string;
  appId: string;
  displayName: string;
  tags: string[];
}

export const servicePrincipalSchema: FilterSchema<ServicePrincipalEntry> = {
  fields: {
    id: { type: 'string', get: (e) => e.id, ops: ['eq', 'ne'] },
    appId: { type: 'string', get: (e) => e.appId, ops: ['eq', 'ne'] },
    displayName: { type: 'string', get: (e) => e.displayName, ops: ['eq', 'ne', 'startswith'] },
  },
  collections: {
    tags: {
      get: (e) => e.tags,
      element: { fields: { '': { type: 'string', get: (t) => t as string, ops: ['eq'] } } },
    },
  },
};
