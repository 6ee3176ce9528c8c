/** AuditLogs events of the provisioning service (category ProvisioningManagement). */

import { billedSize } from '../model/billing.js';
import type { AuditLogRow, DynamicValue } from '../model/rows.js';
import type { AppDef } from './apps.js';
import { ERRORS } from './errors.js';
import type { Rng } from './rng.js';
import { DAY, HOUR, MINUTE, type Plan, TICKS } from './scenarios.js';
import type { RenderContext } from './steps.js';

/** The tenant facts rows are rendered with (without the groups), plus the scenario plan. */
export type AuditContext = Omit<RenderContext, 'groups'> & { plan: Plan };

interface AuditEvent {
  atMs: number;
  activity: string;
  app: AppDef;
  result: 'success' | 'failure';
  description: string;
  reason: string;
  admin: boolean;
  details: [string, string][];
  operationType: string;
}

const SERVICE = 'Azure AD Provisioning Service';

export function auditRows(ctx: AuditContext, rng: Rng): AuditLogRow[] {
  const { plan, apps } = ctx;
  const W = plan.windowMs;
  const events: AuditEvent[] = [];
  const add = (
    atMs: number,
    activity: string,
    app: AppDef,
    options: Partial<Omit<AuditEvent, 'atMs' | 'activity' | 'app'>> = {},
  ) => {
    events.push({
      atMs,
      activity,
      app,
      result: options.result ?? 'success',
      description: options.description ?? '',
      reason: options.reason ?? '',
      admin: options.admin ?? true,
      details: options.details ?? [],
      operationType: options.operationType ?? 'Update',
    });
  };
  for (const app of apps) {
    const at = plan.initialAt[app.index];
    add(at - 5 * MINUTE, 'Add provisioning configuration', app, {
      operationType: 'Add',
      details: [['JobId', app.jobId]],
    });
    add(at - 2 * MINUTE, 'Enable/start provisioning configuration', app, { details: [['JobId', app.jobId]] });
  }
  const q = plan.quarantine;
  if (q) {
    const app = apps[q.app];
    const err = ERRORS.credential;
    const quarantineAt = [q.quarantineAt, ...q.retries.map((r) => r + 2 * MINUTE)];
    quarantineAt.forEach((at, k) => {
      add(at, 'Quarantine', app, {
        result: 'failure',
        admin: false,
        operationType: 'Other',
        reason: 'EncounteredQuarantineException',
        description: `The provisioning job ${app.jobId} is in quarantine (series count ${k + 1}). Error: ${err.errorCode}: ${err.reason}`,
        details: [
          ['JobId', app.jobId],
          ['QuarantineReason', 'EncounteredQuarantineException'],
          ['ErrorCode', err.errorCode],
          ['SeriesCount', String(k + 1)],
        ],
      });
    });
    add(q.pauseAt, 'Disable/pause provisioning configuration', app, { details: [['JobId', app.jobId]] });
    add(q.credentialsAt, 'Update provisioning setting or credentials', app, {
      details: [
        ['JobId', app.jobId],
        ['Setting', 'SecretToken'],
      ],
    });
    add(q.restartAt, 'Enable/restart provisioning configuration', app, {
      details: [
        ['JobId', app.jobId],
        ['ResetScope', 'QuarantineState'],
      ],
    });
  }
  const s = plan.staged;
  if (s) {
    const app = apps[s.app];
    add(s.scopeChangeAt, 'Update attribute mappings or scope', app, { details: [['JobId', app.jobId]] });
    add(s.quarantineAt, 'Quarantine', app, {
      result: 'failure',
      admin: false,
      operationType: 'Other',
      reason: 'TooManyDeletes',
      description: `The provisioning job ${app.jobId} is in quarantine. Error: TooManyDeletes: the number of deletes and disables in the cycle exceeded the accidental deletion threshold (QuarantineTooManyDeletesThreshold = ${s.threshold}). The deletes are staged until an administrator allows or rejects them.`,
      details: [
        ['JobId', app.jobId],
        ['QuarantineReason', 'TooManyDeletes'],
        ['QuarantineTooManyDeletesThreshold', String(s.threshold)],
        ['SeriesCount', '1'],
      ],
    });
    add(s.approveAt, 'Enable/restart provisioning configuration', app, {
      details: [
        ['JobId', app.jobId],
        ['ResetScope', 'QuarantineState'],
        ['AllowDeletes', 'True'],
      ],
    });
  }
  // Another mapping change and daily on-demand provisioning by an administrator.
  if (apps.length > 1) add(Math.floor(W * 0.4), 'Update attribute mappings or scope', apps[1]);
  for (let day = 0; day * DAY < W; day++) {
    for (let k = 0; k < 2; k++) {
      const app = apps[rng.int(apps.length)];
      const user = ctx.users[rng.int(ctx.users.length)];
      const failed = rng.chance(0.15);
      add(day * DAY + 9 * HOUR + rng.int(8 * HOUR), 'User Provisioning', app, {
        result: failed ? 'failure' : 'success',
        operationType: 'Other',
        reason: failed ? ERRORS.duplicateTarget.errorCode : '',
        description: `Provision on demand: User '${user.upn}' (${user.displayName}) was ${failed ? 'not ' : ''}provisioned by ${app.spName}`,
        details: [
          ['JobId', app.jobId],
          ['SourceObjectId', user.id],
        ],
      });
    }
  }

  const inWindow = events.filter((e) => e.atMs > 0 && e.atMs < W);
  inWindow.sort((a, b) => a.atMs - b.atMs);
  const admin = {
    id: rng.guid(),
    upn: `admin@${ctx.domain}`,
    ip: `203.0.113.${rng.range(2, 250)}`,
  };
  return inWindow.map((e) => {
    const sub = rng.int(TICKS);
    const totalSub = ctx.startSub + sub;
    const ms = ctx.startMs + e.atMs + Math.floor(totalSub / TICKS);
    const time = `${new Date(ms).toISOString().slice(0, 23)}${String(totalSub % TICKS).padStart(4, '0')}Z`;
    const initiatedBy: DynamicValue = e.admin
      ? {
          user: {
            id: admin.id,
            displayName: null,
            userPrincipalName: admin.upn,
            ipAddress: admin.ip,
            roles: [],
          },
        }
      : { app: { appId: null, displayName: SERVICE, servicePrincipalId: null, servicePrincipalName: null } };
    const row: AuditLogRow = {
      TimeGenerated: time,
      TenantId: ctx.workspaceId,
      SourceSystem: 'Azure AD',
      ResourceId: `/tenants/${ctx.tenantId}/providers/Microsoft.aadiam`,
      OperationName: e.activity,
      OperationVersion: '1.0',
      Category: 'ProvisioningManagement',
      ResultType: '',
      ResultSignature: 'None',
      ResultDescription: e.description,
      DurationMs: 0,
      CorrelationId: rng.guid(),
      Resource: 'Microsoft.aadiam',
      ResourceGroup: 'Microsoft.aadiam',
      ResourceProvider: 'Microsoft.aadiam',
      Identity: e.admin ? admin.upn : SERVICE,
      Level: '4',
      Location: '',
      AdditionalDetails: e.details.map(([key, value]) => ({ key, value })),
      Id: `Sync_${rng.guid()}_${rng.hex(5).toUpperCase()}`,
      InitiatedBy: initiatedBy,
      LoggedByService: 'Account Provisioning',
      Result: e.result,
      ResultReason: e.reason,
      TargetResources: [
        {
          id: e.app.spId,
          displayName: e.app.spName,
          type: 'ServicePrincipal',
          modifiedProperties: [],
          administrativeUnits: [],
        },
      ],
      AADTenantId: ctx.tenantId,
      ActivityDisplayName: e.activity,
      ActivityDateTime: time,
      AADOperationType: e.operationType,
      Type: 'AuditLogs',
      _BilledSize: null,
      _IsBillable: 'True',
    };
    row._BilledSize = billedSize(row);
    return row;
  });
}
