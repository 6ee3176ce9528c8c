/**
 * Renders event descriptors into `AADProvisioningLogs` rows. JSON columns are compact JSON in the key
 * order of real diagnostic records; constant and per-user fragments are built once with JSON.stringify
 * and joined per event.
 */

import { Buffer } from 'node:buffer';
import type { ProvisioningLogRow } from '../model/rows.js';
import { type AppDef, entraName } from './apps.js';
import { ERRORS, type ErrorKey } from './errors.js';
import { DEPARTMENTS, type Group, TITLES, type User } from './names.js';
import type { Rng } from './rng.js';
import { ACTION_OF_KIND, type Ev, K, RESULT_NAMES, TICKS } from './scenarios.js';

const J = JSON.stringify;

const INITIATED_BY = J({ Type: 'system', Id: '', Name: 'Azure AD Provisioning Service' });
const STATUS_INFO = ['{"Status":0}', '{"Status":1}', '{"Status":2}', '{"Status":3}'];
const PSI_SUCCESS = J({ Status: 'success', errorInformation: null });
const PSI_SKIPPED = J({ Status: 'skipped', errorInformation: null });
const TITLE_ACTION: Record<string, string> = {
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  disable: 'Disable',
  stagedDelete: 'StagedDelete',
  other: 'Other',
};
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCOPE_IN = J({
  'Active in the source system': 'True',
  'Assigned to the application': 'True',
  'User has the required role': 'True',
  'Scoping filter evaluation passed': 'True',
  ScopeEvaluationResult: '{}',
});
const SCOPE_OUT = J({
  'Active in the source system': 'True',
  'Assigned to the application': 'False',
  'User has the required role': 'False',
  'Scoping filter evaluation passed': 'False',
  ScopeEvaluationResult: '{}',
});
const SCOPE_OUT_HR = J({
  'Active in the source system': 'True',
  'Scoping filter evaluation passed': 'False',
  ScopeEvaluationResult: J({ "WorkerType EQUALS 'Employee'": false }),
});
const SCOPE_DESC = 'Determine if User in scope by evaluating against each scoping filter';
const SCOPE_DESC_GROUP = 'Determine if Group in scope by evaluating against each scoping filter';

function step(name: string, type: number, status: number, description: string, details: string): string {
  return `{"name":"${name}","provisioningStepType":${type},"status":${status},"description":${J(description)},"details":${details}}`;
}

/** A step up to its details value: append the details JSON and `}`. */
function stepPrefix(name: string, type: number, status: number, description: string): string {
  return `{"name":"${name}","provisioningStepType":${type},"status":${status},"description":${J(description)},"details":`;
}

const NOISE_MODS = '[{"displayName":"accountDisabled","oldValue":null,"newValue":"False"}]';
const DEPARTMENT_ATTR: Record<string, string> = {
  scim: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
  'hr-inbound': 'department',
  'cross-tenant': 'department',
  'cloud-sync': 'department',
};
const TITLE_ATTR: Record<string, string> = {
  scim: 'title',
  'hr-inbound': 'title',
  'cross-tenant': 'jobTitle',
  'cloud-sync': 'jobTitle',
};

const TWO: string[] = [];
for (let i = 0; i < 60; i++) TWO.push(i < 10 ? `0${i}` : String(i));

/**
 * `_BilledSize` of a generated row: the same figure as `billedSize(row)` from model/billing (UTF-8 size
 * of the values, 8 bytes per number or datetime, TenantId left out), computed with the native UTF-8
 * length instead of a per-character loop, which dominated generation time. The tests assert equality
 * with `billedSize` on every generated row.
 */
function provisioningBilledSize(row: ProvisioningLogRow, constant: number, ascii: boolean): number {
  // All-ASCII rows (every row but those of users with non-ASCII names): UTF-8 size = length, no flattening.
  if (ascii)
    return (
      constant +
      row.Id.length +
      row.CycleId.length +
      row.ChangeId.length +
      row.CorrelationId.length +
      row.ProvisioningAction.length +
      row.Action.length +
      row.ResultType.length +
      row.ResultSignature.length +
      row.ResultDescription.length +
      row.SourceSystem.length +
      row.TargetSystem.length +
      row.SourceIdentity.length +
      row.TargetIdentity.length +
      row.ModifiedProperties.length +
      row.StatusInfo.length +
      row.ProvisioningStatusInfo.length
    );
  const size = Buffer.byteLength;
  return (
    constant +
    size(row.Id) +
    size(row.CycleId) +
    size(row.ChangeId) +
    size(row.CorrelationId) +
    size(row.ProvisioningAction) +
    size(row.Action) +
    size(row.ResultType) +
    size(row.ResultSignature) +
    size(row.ResultDescription) +
    size(row.SourceSystem) +
    size(row.TargetSystem) +
    size(row.SourceIdentity) +
    size(row.TargetIdentity) +
    size(row.ModifiedProperties) +
    size(row.StatusInfo) +
    size(row.ProvisioningStatusInfo)
  );
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function mod(displayName: string, oldValue: string | null, newValue: string | null): string {
  return J({ displayName, oldValue, newValue });
}

function errorJson(key: ErrorKey): string {
  const e = ERRORS[key];
  return J({
    errorCode: e.errorCode,
    reason: e.reason,
    additionalDetails: e.additionalDetails,
    errorCategory: e.errorCategory,
    recommendedAction: e.recommendedAction,
  });
}

interface KindCache {
  source: string[];
  importDetails: string[];
  createExport: string[];
  createMods: string[];
  label: string[];
}

export interface RenderContext {
  tenantId: string;
  workspaceId: string;
  domain: string;
  startMs: number;
  startSub: number;
  apps: readonly AppDef[];
  users: readonly User[];
  groups: readonly Group[];
}

export class Renderer {
  private readonly spJson: string[];
  private readonly constantSize: number[];
  private readonly targetUnknown: string[];
  private readonly asciiApp: boolean[];
  private readonly asciiGroup: boolean[];
  private readonly asciiUser: Uint8Array;
  private readonly appDetails: string[];
  private readonly kindCaches = new Map<string, KindCache>();
  private readonly targetKnown: (string | undefined)[][];
  private readonly groupTarget: (string | undefined)[][];
  private readonly psiFailure = new Map<string, string>();
  private readonly fakeSource: string[];
  private readonly views: (AppView | undefined)[] = [];
  private minuteCache = Number.NaN;
  private minuteText = '';

  constructor(
    private readonly ctx: RenderContext,
    private readonly rng: Rng,
  ) {
    this.spJson = ctx.apps.map((a) => J({ Id: a.spId, Name: a.spName }));
    this.appDetails = ctx.apps.map((a) =>
      J({ ApplicationId: a.appId, ServicePrincipalId: a.spId, ServicePrincipalDisplayName: a.spName }),
    );
    this.constantSize = ctx.apps.map(
      (a, i) =>
        16 +
        Buffer.byteLength(ctx.tenantId) +
        Buffer.byteLength('AADProvisioningLogsProvisioningLogsProvisioning activity1.0') +
        Buffer.byteLength(a.jobId) +
        Buffer.byteLength(INITIATED_BY) +
        Buffer.byteLength(this.spJson[i]),
    );
    this.targetKnown = ctx.apps.map(() => []);
    this.asciiApp = ctx.apps.map(
      (a) =>
        isAscii(a.spName) && isAscii(a.otherName) && isAscii(a.jobId) && isAscii(this.appDetails[a.index]),
    );
    this.asciiGroup = ctx.groups.map((g) => isAscii(g.displayName) && isAscii(g.nick));
    this.asciiUser = new Uint8Array(ctx.users.length);
    for (const u of ctx.users) {
      const fields = [u.displayName, u.given, u.surname, u.upn, u.nick, u.department, u.title, u.workerId];
      this.asciiUser[u.index] = fields.every(isAscii) ? 1 : 0;
    }
    this.targetUnknown = ctx.apps.map((a) =>
      J({
        identityType: a.kind === 'scim' ? SCIM_USER : a.kind === 'hr-inbound' ? 'user' : 'User',
        details: {},
        Id: '',
        Name: '',
      }),
    );
    this.groupTarget = ctx.apps.map(() => []);
    this.fakeSource = ctx.apps.map((a) =>
      J({ identityType: 'FakeServicePrincipal', details: {}, Id: a.spId, Name: '' }),
    );
  }

  /** Canonical `yyyy-MM-ddTHH:mm:ss.fffffffZ` of a window offset in ticks (minute prefix cached). */
  private time(t: number): string {
    const total = this.ctx.startSub + t;
    const ms = this.ctx.startMs + Math.floor(total / TICKS);
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.minuteCache) {
      this.minuteCache = minute;
      this.minuteText = new Date(minute * 60_000).toISOString().slice(0, 17);
    }
    const rest = ms - minute * 60_000;
    const second = Math.floor(rest / 1000);
    const frac = (rest - second * 1000) * TICKS + (total % TICKS);
    return `${this.minuteText}${TWO[second]}.${(10_000_000 + frac).toString().slice(1)}Z`;
  }

  private kindCache(app: AppDef): KindCache {
    let cache = this.kindCaches.get(app.kind);
    if (!cache) {
      cache = { source: [], importDetails: [], createExport: [], createMods: [], label: [] };
      this.kindCaches.set(app.kind, cache);
    }
    return cache;
  }

  private sourceIdentity(app: AppDef, u: User): string {
    const cache = this.kindCache(app);
    let s = cache.source[u.index];
    if (s === undefined) {
      if (app.kind === 'hr-inbound')
        s = J({
          identityType: 'User',
          details: {
            id: u.workerId,
            odatatype: 'Worker',
            DisplayName: u.displayName,
            UserPrincipalName: u.upn,
          },
          Id: u.workerId,
          Name: u.displayName,
        });
      else if (app.kind === 'cloud-sync')
        s = J({
          identityType: 'User',
          details: { id: u.adGuid, odatatype: 'user', DisplayName: u.displayName, UserPrincipalName: u.upn },
          Id: u.adGuid,
          Name: u.displayName,
        });
      else
        s = J({
          identityType: 'User',
          details: { id: u.id, odatatype: 'User', DisplayName: u.displayName, UserPrincipalName: u.upn },
          Id: u.id,
          Name: u.displayName,
        });
      cache.source[u.index] = s;
    }
    return s;
  }

  private importDetails(app: AppDef, u: User, enabled: boolean): string {
    const cache = this.kindCache(app);
    let s = enabled ? cache.importDetails[u.index] : undefined;
    if (s === undefined) {
      const flag = enabled ? 'True' : 'False';
      if (app.kind === 'hr-inbound')
        s = J({
          WorkerID: u.workerId,
          FirstName: u.given,
          LastName: u.surname,
          PreferredNameData: u.displayName,
          Department: u.department,
          BusinessTitle: u.title,
          Active: flag,
        });
      else if (app.kind === 'cloud-sync')
        s = J({
          objectGUID: u.adGuid,
          displayName: u.displayName,
          givenName: u.given,
          sn: u.surname,
          userPrincipalName: u.upn,
          department: u.department,
          accountEnabled: flag,
        });
      else
        s = J({
          objectId: u.id,
          accountEnabled: flag,
          displayName: u.displayName,
          givenName: u.given,
          surname: u.surname,
          mailNickname: u.nick,
          userPrincipalName: u.upn,
          IsSoftDeleted: 'False',
          appRoleAssignments: 'User',
          department: u.department,
        });
      if (enabled) cache.importDetails[u.index] = s;
    }
    return s;
  }

  private label(app: AppDef, u: User): string {
    return app.kind === 'hr-inbound' ? u.displayName : u.upn;
  }

  private createExport(app: AppDef, u: User): string {
    const cache = this.kindCache(app);
    let s = cache.createExport[u.index];
    if (s === undefined) {
      const id = this.label(app, u);
      if (app.kind === 'scim')
        s = J({
          externalId: u.id,
          userName: u.upn,
          namegivenName: u.given,
          namefamilyName: u.surname,
          active: 'True',
          ReportableIdentifier: id,
        });
      else if (app.kind === 'hr-inbound')
        s = J({
          sAMAccountName: u.nick.slice(0, 20),
          userPrincipalName: u.upn,
          givenName: u.given,
          sn: u.surname,
          displayName: u.displayName,
          employeeID: u.workerId,
          accountDisabled: 'False',
          ReportableIdentifier: id,
        });
      else
        s = J({
          displayName: u.displayName,
          userPrincipalName: u.upn,
          accountEnabled: 'True',
          ReportableIdentifier: id,
        });
      cache.createExport[u.index] = s;
    }
    return s;
  }

  private createMods(app: AppDef, u: User): string {
    const cache = this.kindCache(app);
    let s = cache.createMods[u.index];
    if (s === undefined) {
      let mods: string[];
      if (app.kind === 'scim')
        mods = [
          mod('externalId', null, u.id),
          mod('userName', null, u.upn),
          mod('name.givenName', null, u.given),
          mod('name.familyName', null, u.surname),
          mod('displayName', null, u.displayName),
          mod('active', null, 'True'),
        ];
      else if (app.kind === 'hr-inbound')
        mods = [
          mod('sAMAccountName', null, u.nick.slice(0, 20)),
          mod('userPrincipalName', null, u.upn),
          mod('givenName', null, u.given),
          mod('sn', null, u.surname),
          mod('displayName', null, u.displayName),
          mod('employeeID', null, u.workerId),
          mod('accountDisabled', null, 'False'),
        ];
      else
        mods = [
          mod('displayName', null, u.displayName),
          mod('userPrincipalName', null, u.upn),
          mod('accountEnabled', null, 'True'),
        ];
      s = `[${mods.join(',')}]`;
      cache.createMods[u.index] = s;
    }
    return s;
  }

  private targetIdentity(app: AppDef, u: User, known: boolean): string {
    if (!known) return this.targetUnknown[app.index];
    const type = app.kind === 'scim' ? SCIM_USER : app.kind === 'hr-inbound' ? 'user' : 'User';
    const cache = this.targetKnown[app.index];
    let s = cache[u.index];
    if (s === undefined) {
      let id: string;
      let name = '';
      if (app.kind === 'scim') id = app.targetIdPrefix + u.idHex.slice(0, 24);
      else if (app.kind === 'hr-inbound') {
        id = u.adGuid;
        name = u.displayName;
      } else if (app.kind === 'cloud-sync') {
        id = u.id;
        name = u.displayName;
      } else {
        id = u.guestId;
        name = u.displayName;
      }
      s = J({ identityType: type, details: {}, Id: id, Name: name });
      cache[u.index] = s;
    }
    return s;
  }

  private groupTargetIdentity(app: AppDef, g: Group): string {
    const cache = this.groupTarget[app.index];
    let s = cache[g.index];
    if (s === undefined) {
      s =
        app.kind === 'scim'
          ? J({
              identityType: SCIM_GROUP,
              details: {},
              Id: app.targetIdPrefix + g.id.replace(/-/g, ''),
              Name: '',
            })
          : J({ identityType: 'Group', details: {}, Id: g.id, Name: g.displayName });
      cache[g.index] = s;
    }
    return s;
  }

  private psi(ev: Ev): string {
    if (ev.result === 0) return PSI_SUCCESS;
    if (ev.result === 2) return PSI_SKIPPED;
    const status = ev.result === 1 ? 'failure' : 'warning';
    const key = `${status}:${ev.err}`;
    let s = this.psiFailure.get(key);
    if (s === undefined) {
      s = `{"Status":"${status}","errorInformation":${errorJson(ev.err!)}}`;
      this.psiFailure.set(key, s);
    }
    return s;
  }

  /** Names and cached per-user fragments of an app at a point of the timeline (reset by the rename). */
  private view(app: AppDef, atMs: number): AppView {
    const entra = entraName(app, atMs);
    let view = this.views[app.index];
    if (view === undefined || view.entra !== entra) {
      const src = app.kind === 'hr-inbound' ? 'Workday' : app.entraSide === 'source' ? entra : app.otherName;
      const tgt = app.entraSide === 'target' ? entra : app.otherName;
      const srcDetails =
        app.entraSide === 'source' || app.kind === 'hr-inbound' ? '{}' : this.appDetails[app.index];
      const tgtDetails = app.entraSide === 'target' ? '{}' : this.appDetails[app.index];
      view = {
        entra,
        src,
        tgt,
        srcPrefix: `{"details":${srcDetails},"Id":"`,
        srcSuffix: `","Name":${J(src)}}`,
        tgtPrefix: `{"details":${tgtDetails},"Id":"`,
        tgtSuffix: `","Name":${J(tgt)}}`,
        scopeIn: step('EntrySynchronizationScoping', 1, 0, SCOPE_DESC, SCOPE_IN),
        scopeOut: step(
          'EntrySynchronizationScoping',
          1,
          0,
          SCOPE_DESC,
          app.kind === 'hr-inbound' ? SCOPE_OUT_HR : SCOPE_OUT,
        ),
        users: [],
      };
      this.views[app.index] = view;
    }
    return view;
  }

  private userView(view: AppView, u: User): UserView {
    let uv = view.users[u.index];
    if (uv === undefined) {
      uv = {};
      view.users[u.index] = uv;
    }
    return uv;
  }

  private labelJson(app: AppDef, u: User): string {
    const cache = this.kindCache(app);
    let s = cache.label[u.index];
    if (s === undefined) {
      s = J(this.label(app, u));
      cache.label[u.index] = s;
    }
    return s;
  }

  /** import (update) → scoping (in) → matching (update): the head of every update of a user. */
  private updateHead(app: AppDef, view: AppView, u: User, x: string): string {
    const uv = this.userView(view, u);
    if (uv.head === undefined) {
      uv.head = `${step('EntryImport', 0, 0, `Received User '${x}' change of type (Update) from ${view.src}`, this.importDetails(app, u, true))},${view.scopeIn},${step('EntrySynchronizationUpdate', 2, 0, `User '${x}' will be updated in ${view.tgt} (User is active and assigned in ${view.src}, and a matching User was found in ${view.tgt})`, '{}')}`;
    }
    return uv.head;
  }

  private updatedPrefix(view: AppView, u: User, x: string): string {
    const uv = this.userView(view, u);
    if (uv.updated === undefined)
      uv.updated = stepPrefix('EntryExportUpdate', 5, 0, `User '${x}' was updated in ${view.tgt}`);
    return uv.updated;
  }

  render(ev: Ev): ProvisioningLogRow {
    const ctx = this.ctx;
    const rng = this.rng;
    const app = ctx.apps[ev.app];
    const view = this.view(app, ev.t / TICKS);
    const src = view.src;
    const tgt = view.tgt;
    const sourceSystem = view.srcPrefix + rng.guid() + view.srcSuffix;
    const targetSystem = view.tgtPrefix + rng.guid() + view.tgtSuffix;
    const id = rng.guid();
    const changeId = rng.guid();

    let sourceIdentity: string;
    let targetIdentity: string;
    let mods = '[]';
    let steps: string;
    let stepsBytes = -1;
    let asciiObject = true;
    const kind = ev.kind;
    const ok = ev.result === 0;
    if (kind === K.groupCreate || kind === K.groupMembers) {
      const g = ctx.groups[ev.obj];
      const gl = g.displayName;
      asciiObject = this.asciiGroup[g.index] && (kind === K.groupCreate || this.asciiUser[ev.member] === 1);
      sourceIdentity = J({
        identityType: 'Group',
        details: { id: g.id, odatatype: 'Group', DisplayName: gl, UserPrincipalName: '' },
        Id: g.id,
        Name: gl,
      });
      targetIdentity = this.groupTargetIdentity(app, g);
      const groupDetails = J({
        objectId: g.id,
        displayName: gl,
        mailEnabled: 'False',
        mailNickname: g.nick,
        securityEnabled: 'True',
      });
      const scopeGroup = step('EntrySynchronizationScoping', 1, 0, SCOPE_DESC_GROUP, SCOPE_IN);
      if (kind === K.groupCreate) {
        mods = `[${mod('objectId', null, g.id)},${mod('displayName', null, gl)},${mod('mailEnabled', null, 'False')},${mod('mailNickname', null, g.nick)},${mod('securityEnabled', null, 'True')}]`;
        steps = `[${step('EntryImportAdd', 0, 0, `Received Group '${gl}' change of type (Add) from ${src}`, groupDetails)},${scopeGroup},${step('EntrySynchronizationAdd', 2, 0, `Group '${gl}' will be created in ${tgt} (Group is active and assigned in ${src}, but no matching Group was found in ${tgt})`, '{}')},${step('EntryExportAdd', 5, 0, `Group '${gl}' was created in ${tgt}`, J({ displayName: gl, externalId: g.id, ReportableIdentifier: gl }))}]`;
      } else {
        const m = ctx.users[ev.member];
        mods = `[${mod('members', null, m.id)}]`;
        const head = `${step('EntryImport', 0, 0, `Received Group '${gl}' change of type (Update) from ${src}`, groupDetails)},${scopeGroup},${step('EntrySynchronizationUpdate', 2, 0, `Group '${gl}' will be updated in ${tgt} (Group is active and assigned in ${src}, and a matching Group was found in ${tgt})`, '{}')}`;
        if (ok)
          steps = `[${head},${step('EntryReferenceResolution', 4, 0, `Resolved the reference attribute 'members' of Group '${gl}': User '${m.upn}' was found in ${tgt}`, '{}')},${step('EntryExportUpdate', 5, 0, `Group '${gl}' was updated in ${tgt}`, J({ members: m.id, ReportableIdentifier: gl }))}]`;
        else
          steps = `[${head},${step('EntryReferenceResolution', 4, 1, `UnableToResolveReferenceAttributeValue: Failed to resolve the reference attribute 'members' of Group '${gl}'. The referenced User '${m.upn}' has not been provisioned to ${tgt}.`, J({ ReferenceAttribute: 'members', ReferencedObjectId: m.id }))},${step('EntryExportUpdate', 5, 1, `Failed to update Group '${gl}' in ${tgt}`, J({ ReportableIdentifier: gl }))}]`;
      }
    } else if (kind === K.fakeSp) {
      sourceIdentity = this.fakeSource[ev.app];
      targetIdentity = '{"identityType":"FakeServicePrincipal","details":{},"Id":"","Name":""}';
      steps = `[${step('EntryImport', 0, 0, `Received FakeServicePrincipal '' change of type (Update) from ${src}`, '{}')},${step('EntrySynchronizationSkip', 3, 2, 'FakeServicePrincipal will be skipped: it is an internal object of the provisioning service and is not exported.', J({ SkipReason: 'NotEffectivelyEntitled', ReportableIdentifier: '' }))}]`;
    } else {
      const u = ctx.users[ev.obj];
      asciiObject = this.asciiUser[u.index] === 1;
      const x = this.label(app, u);
      const xJ = this.labelJson(app, u);
      sourceIdentity = this.sourceIdentity(app, u);
      switch (kind) {
        case K.skipScope: {
          // Out of scope: the bulk of real logs.
          targetIdentity = this.targetIdentity(app, u, false);
          const uv = this.userView(view, u);
          if (uv.skip === undefined) {
            const what = app.kind === 'hr-inbound' ? 'Worker' : 'User';
            uv.skip = `[${step('EntryImport', 0, 0, `Received User '${x}' change of type (Update) from ${src}`, this.importDetails(app, u, true))},${view.scopeOut},${step('EntrySynchronizationSkip', 3, 2, `${what} '${x}' will be skipped because it is not effectively entitled for provisioning to ${tgt} (not assigned to the application or filtered out by a scoping filter)`, `{"SkipReason":"NotEffectivelyEntitled","ReportableIdentifier":${xJ}}`)}]`;
          }
          if (uv.skipBytes === undefined) uv.skipBytes = Buffer.byteLength(uv.skip);
          steps = uv.skip;
          stepsBytes = uv.skipBytes;
          break;
        }
        case K.noise: {
          targetIdentity = this.targetIdentity(app, u, true);
          mods = NOISE_MODS;
          const uv = this.userView(view, u);
          if (uv.noise === undefined)
            uv.noise = `[${this.updateHead(app, view, u, x)},${this.updatedPrefix(view, u, x)}{"ReportableIdentifier":${xJ}}}]`;
          steps = uv.noise;
          break;
        }
        case K.create:
        case K.skipInvalid: {
          targetIdentity = this.targetIdentity(app, u, ok);
          mods = kind === K.create ? this.createMods(app, u) : '[]';
          const head = `${step('EntryImportAdd', 0, 0, `Received User '${x}' change of type (Add) from ${src}`, this.importDetails(app, u, true))},${view.scopeIn},${step('EntrySynchronizationAdd', 2, 0, `User '${x}' will be created in ${tgt} (User is active and assigned in ${src}, but no matching User was found in ${tgt})`, '{}')}`;
          let last: string;
          if (kind === K.skipInvalid)
            last = step(
              'EntrySynchronizationSkip',
              3,
              2,
              `${SCIM_USER} '${x}' will be skipped because the value of the property name.familyName is missing or invalid. Please update the value of the property name.familyName on the object in the source system.`,
              `{"PropertyName":"name.familyName","SkipReason":"AttributeValidationFailed","ReportableIdentifier":${xJ}}`,
            );
          else if (ok)
            last = step(
              'EntryExportAdd',
              5,
              0,
              `User '${x}' was created in ${tgt}`,
              this.createExport(app, u),
            );
          else
            last = step(
              'EntryExportAdd',
              5,
              1,
              `Failed to create User '${x}' in ${tgt}`,
              `{"ReportableIdentifier":${xJ}}`,
            );
          steps = `[${head},${last}]`;
          break;
        }
        case K.update: {
          targetIdentity = this.targetIdentity(app, u, true);
          const attr = ev.variant % 3;
          const k = Math.floor(ev.variant / 3);
          const name =
            attr === 0 ? DEPARTMENT_ATTR[app.kind] : attr === 1 ? TITLE_ATTR[app.kind] : 'displayName';
          const list = attr === 0 ? DEPARTMENTS : TITLES;
          const oldValue = attr === 0 ? u.department : attr === 1 ? u.title : u.displayName;
          const newValue =
            attr === 2
              ? `${u.displayName} (${list[k % list.length]})`
              : list[(list.indexOf(oldValue) + 1 + k) % list.length];
          const newJ = J(newValue);
          mods = `[{"displayName":"${name}","oldValue":${J(oldValue)},"newValue":${newJ}}]`;
          const details = `{"${name}":${newJ},"ReportableIdentifier":${xJ}}`;
          const last =
            ev.result === 1
              ? step(
                  'EntryExportUpdate',
                  5,
                  1,
                  `Failed to update User '${x}' in ${tgt}`,
                  `{"ReportableIdentifier":${xJ}}`,
                )
              : ev.result === 3
                ? step(
                    'EntryExportUpdate',
                    5,
                    3,
                    `User '${x}' was updated in ${tgt} with warnings: the target reported the object as already in sync`,
                    details,
                  )
                : `${this.updatedPrefix(view, u, x)}${details}}`;
          steps = `[${this.updateHead(app, view, u, x)},${last}]`;
          break;
        }
        case K.enable: {
          targetIdentity = this.targetIdentity(app, u, true);
          const hr = app.kind === 'hr-inbound';
          mods = hr ? `[${mod('accountDisabled', 'True', 'False')}]` : `[${mod('active', 'False', 'True')}]`;
          const details = hr
            ? `{"accountDisabled":"False","ReportableIdentifier":${xJ}}`
            : `{"active":"True","ReportableIdentifier":${xJ}}`;
          steps = `[${this.updateHead(app, view, u, x)},${this.updatedPrefix(view, u, x)}${details}}]`;
          break;
        }
        case K.disable: {
          targetIdentity = this.targetIdentity(app, u, true);
          const hr = app.kind === 'hr-inbound';
          mods = hr ? `[${mod('accountDisabled', 'False', 'True')}]` : `[${mod('active', 'True', 'False')}]`;
          const details = hr
            ? `{"accountDisabled":"True","ReportableIdentifier":${xJ}}`
            : `{"active":"False","ReportableIdentifier":${xJ}}`;
          steps = `[${step('EntryImport', 0, 0, `Received User '${x}' change of type (Update) from ${src}`, this.importDetails(app, u, false))},${view.scopeOut},${step('EntrySynchronizationUpdate', 2, 0, `User '${x}' will be disabled in ${tgt} (User is not assigned to the application or is not active in ${src})`, '{}')},${step('EntryExportUpdateSoftDelete', 5, 0, `User '${x}' was disabled in ${tgt}`, details)}]`;
          break;
        }
        case K.delete: {
          targetIdentity = this.targetIdentity(app, u, true);
          steps = `[${step('EntryImport', 0, 0, `Received User '${x}' change of type (Delete) from ${src}`, this.importDetails(app, u, false))},${view.scopeOut},${step('EntrySynchronizationDelete', 2, 0, `User '${x}' will be deleted from ${tgt} (User is no longer in scope in ${src})`, '{}')},${step('EntryExportDelete', 5, 0, `User '${x}' was deleted from ${tgt}`, `{"ReportableIdentifier":${xJ}}`)}]`;
          break;
        }
        default: {
          // Staged delete (held by accidental-deletion prevention).
          targetIdentity = this.targetIdentity(app, u, true);
          steps = `[${step('EntryImport', 0, 0, `Received User '${x}' change of type (Update) from ${src}`, this.importDetails(app, u, true))},${view.scopeOut},${step('EntrySynchronizationDelete', 2, 0, `User '${x}' will be deleted from ${tgt} (User is no longer in scope in ${src})`, '{}')},${step('EntrySynchronizationSkip', 3, 2, `The delete of User '${x}' from ${tgt} was staged: the number of deletes in this cycle exceeds the accidental deletion threshold. An administrator must allow or reject the staged deletes.`, `{"SkipReason":"AccidentalDeletionThresholdExceeded","ReportableIdentifier":${xJ}}`)}]`;
        }
      }
    }

    const action = ACTION_OF_KIND[kind];
    const err = ev.err ? ERRORS[ev.err] : null;
    const row: ProvisioningLogRow = {
      TimeGenerated: this.time(ev.t),
      TenantId: ctx.workspaceId,
      AADTenantId: ctx.tenantId,
      Type: 'AADProvisioningLogs',
      Category: 'ProvisioningLogs',
      OperationName: 'Provisioning activity',
      OperationVersion: '1.0',
      Id: id,
      JobId: app.jobId,
      CycleId: ev.cycle,
      ChangeId: changeId,
      CorrelationId: changeId,
      DurationMs: ev.dur,
      ProvisioningAction: action,
      Action: ev.emptyAction ? '' : TITLE_ACTION[action],
      ResultType: RESULT_NAMES[ev.result],
      ResultSignature: err ? err.errorCode : '',
      ResultDescription: err ? err.reason : '',
      InitiatedBy: INITIATED_BY,
      ServicePrincipal: this.spJson[ev.app],
      SourceSystem: sourceSystem,
      TargetSystem: targetSystem,
      SourceIdentity: sourceIdentity,
      TargetIdentity: targetIdentity,
      ModifiedProperties: mods,
      ProvisioningSteps: steps,
      ProvisioningStatusInfo: this.psi(ev),
      StatusInfo: STATUS_INFO[ev.result],
      _BilledSize: null,
      _IsBillable: 'True',
    };
    // TimeGenerated and DurationMs count 8 bytes each; the other constant-per-app columns are summed once.
    const ascii = this.asciiApp[ev.app] && asciiObject;
    row._BilledSize = provisioningBilledSize(
      row,
      this.constantSize[ev.app] +
        (stepsBytes >= 0 ? stepsBytes : ascii ? steps.length : Buffer.byteLength(steps)),
      ascii,
    );
    return row;
  }
}

interface UserView {
  skip?: string;
  skipBytes?: number;
  head?: string;
  noise?: string;
  updated?: string;
}

interface AppView {
  entra: string;
  src: string;
  tgt: string;
  srcPrefix: string;
  srcSuffix: string;
  tgtPrefix: string;
  tgtSuffix: string;
  scopeIn: string;
  scopeOut: string;
  users: (UserView | undefined)[];
}
