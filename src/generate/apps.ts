/** Provisioning apps (service principals and jobs) of the synthetic tenant. */

import type { ErrorKey } from './errors.js';
import type { Rng } from './rng.js';

export type AppKind = 'scim' | 'hr-inbound' | 'cross-tenant' | 'cloud-sync';

export interface GeneratedApp {
  servicePrincipalId: string;
  name: string;
  jobId: string;
  templateId: string;
  kind: AppKind;
  /** Source system name at the end of the window. */
  sourceSystem: string;
  /** Target system name at the end of the window. */
  targetSystem: string;
}

export const AAD_OLD = 'Azure Active Directory';
export const AAD_NEW = 'Microsoft Entra ID';

/** Everything the simulation and the renderer need to know about one job. */
export interface AppDef {
  readonly index: number;
  readonly public: GeneratedApp;
  readonly kind: AppKind;
  readonly spId: string;
  readonly spName: string;
  readonly appId: string;
  readonly jobId: string;
  /** Which side is the Entra directory: its name changes with the rename. */
  readonly entraSide: 'source' | 'target' | 'none';
  /** The other system's name. */
  readonly otherName: string;
  /** Window offset (ms) from which the Entra side is called "Microsoft Entra ID"; 0 = always, Infinity = never. */
  readonly renameAtMs: number;
  readonly intervalMs: number;
  /** Share of users in scope. */
  readonly assigned: number;
  /** Expected changes per user per incremental cycle. */
  readonly rate: number;
  readonly failureCodes: readonly ErrorKey[];
  readonly hasGroups: boolean;
  /** Prefix of target object ids (SCIM). */
  readonly targetIdPrefix: string;
}

interface ScimTemplate {
  templateId: string;
  spName: string;
  target: string;
  prefix: string;
}

const SCIM_TEMPLATES: ScimTemplate[] = [
  { templateId: 'DropboxSCIMOutDelta', spName: 'Dropbox Business', target: 'Dropbox', prefix: 'dbmid:AAA' },
  { templateId: 'BoxOutDelta', spName: 'Box', target: 'Box', prefix: '' },
  { templateId: 'scim', spName: 'Contoso Expenses (SCIM)', target: 'Contoso Expenses (SCIM)', prefix: 'ce-' },
  {
    templateId: 'aWSSingleSignon',
    spName: 'AWS IAM Identity Center',
    target: 'AWS IAM Identity Center',
    prefix: '',
  },
  { templateId: 'scim', spName: 'Fabrikam Wiki', target: 'Fabrikam Wiki', prefix: 'wiki_' },
  { templateId: 'scim', spName: 'Northwind Travel', target: 'Northwind Travel', prefix: 'nwt-' },
];

const SCIM_CODES: ErrorKey[] = [
  'duplicateTarget',
  'entryConflict',
  'multipleEntries',
  'tooManyRequests',
  'tooManyRequests',
  'internalServerError',
  'timeout',
  'schemaAttribute',
  'mandatory',
  'license',
  'invalidAnchor',
  'incompatible',
];
const HR_CODES: ErrorKey[] = [
  'insufficientRightsAd',
  'insufficientRightsAd',
  'duplicateSource',
  'invalidDomain',
  'missingValues',
  'timeout',
];
const XTS_CODES: ErrorKey[] = ['b2bPolicy', 'originatedExternal', 'quota', 'invitation', 'internalError'];
const SYNC_CODES: ErrorKey[] = ['entryConflict', 'duplicateSource', 'internalError', 'timeout'];

/** Kinds in order of preference: small app counts still cover as many kinds as possible. */
function kindOf(i: number): AppKind {
  const order: AppKind[] = ['scim', 'hr-inbound', 'cross-tenant', 'cloud-sync'];
  return i < order.length ? order[i] : 'scim';
}

export function makeApps(
  rng: Rng,
  count: number,
  tenantId: string,
  tenantName: string,
  partnerName: string,
  windowMs: number,
): AppDef[] {
  const tid = tenantId.replace(/-/g, '');
  const apps: AppDef[] = [];
  let scimCount = 0;
  for (let i = 0; i < count; i++) {
    const kind = kindOf(i);
    const spId = rng.guid();
    const appId = rng.guid();
    // Rename of the directory: the first app switches mid-window, later ones are already or not yet renamed.
    const mode = i % 3;
    const renameAtMs = mode === 0 ? Math.floor(windowMs * 0.5) : mode === 1 ? 0 : Number.POSITIVE_INFINITY;
    let templateId: string;
    let spName: string;
    let otherName: string;
    let entraSide: AppDef['entraSide'];
    let jobId: string;
    let intervalMs = 40 * 60_000;
    let assigned: number;
    let rate: number;
    let failureCodes: ErrorKey[];
    let hasGroups = false;
    let targetIdPrefix = '';
    switch (kind) {
      case 'scim': {
        const t = SCIM_TEMPLATES[scimCount % SCIM_TEMPLATES.length];
        const round = Math.floor(scimCount / SCIM_TEMPLATES.length);
        scimCount++;
        templateId = t.templateId;
        spName = round === 0 ? t.spName : `${t.spName} ${round + 1}`;
        otherName = round === 0 ? t.target : `${t.target} ${round + 1}`;
        entraSide = 'source';
        jobId = `${templateId}.${tid}.${rng.guid()}`;
        assigned = 0.45 + rng.next() * 0.3;
        rate = 0.05 + rng.next() * 0.03;
        failureCodes = SCIM_CODES;
        hasGroups = true;
        targetIdPrefix = t.prefix;
        break;
      }
      case 'hr-inbound':
        templateId = 'WDAYdnADDelta';
        spName = 'Workday to Active Directory User Provisioning';
        otherName = 'Active Directory';
        entraSide = 'none';
        jobId = `${templateId}.${tid}.${rng.guid()}`;
        assigned = 0.88;
        rate = 0.05;
        failureCodes = HR_CODES;
        break;
      case 'cross-tenant':
        templateId = 'Azure2Azure';
        spName = `${partnerName} cross-tenant sync`;
        otherName = `${partnerName} (target tenant)`;
        entraSide = 'source';
        jobId = `${templateId}.${tid}.${rng.guid()}`;
        assigned = 0.3;
        rate = 0.05;
        failureCodes = XTS_CODES;
        break;
      default:
        templateId = 'AD2AADProvisioning';
        spName = `${tenantName}.local`;
        otherName = 'Active Directory';
        entraSide = 'target';
        jobId = `${templateId}.${tid}`;
        intervalMs = 2 * 60_000;
        hasGroups = true;
        assigned = 0.95;
        rate = 0.0015;
        failureCodes = SYNC_CODES;
        break;
    }
    const endName = renameAtMs < windowMs ? AAD_NEW : AAD_OLD;
    const sourceSystem = kind === 'hr-inbound' ? 'Workday' : entraSide === 'source' ? endName : otherName;
    const targetSystem = entraSide === 'target' ? endName : otherName;
    apps.push({
      index: i,
      public: { servicePrincipalId: spId, name: spName, jobId, templateId, kind, sourceSystem, targetSystem },
      kind,
      spId,
      spName,
      appId,
      jobId,
      entraSide,
      otherName,
      renameAtMs,
      intervalMs,
      assigned,
      rate,
      failureCodes,
      hasGroups,
      targetIdPrefix,
    });
  }
  return apps;
}

/** Name of the Entra side at a window offset. */
export function entraName(app: AppDef, atMs: number): string {
  return atMs >= app.renameAtMs ? AAD_NEW : AAD_OLD;
}
