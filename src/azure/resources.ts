/**
 * Typed calls for the ARM resources provlog deploys: Entra diagnostic settings (with the wait for
 * eventual consistency), table retention and custom tables (through @azure/arm-operationalinsights),
 * data collection rules, log alert rules, workbooks, query packs and saved searches (raw ARM requests).
 */
import { createHash } from 'node:crypto';
import { OperationalInsightsManagementClient, type Table } from '@azure/arm-operationalinsights';
import { UserError } from '../errors.js';
import { type ArmClient, AzureRequestError } from './arm.js';
import type { AzureConnection } from './connection.js';

export const API_VERSIONS = {
  aadiam: '2017-04-01',
  dataCollectionRules: '2023-03-11',
  scheduledQueryRules: '2023-12-01',
  actionGroups: '2021-09-01',
  workbooks: '2023-06-01',
  queryPacks: '2023-09-01',
  savedSearches: '2020-08-01',
} as const;

// ---------------------------------------------------------------------------------------------------
// Resource ids

export interface WorkspaceRef {
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
}

/** The parts of a workspace's ARM resource id (not its customerId GUID). */
export function parseWorkspaceId(id: string): WorkspaceRef {
  const m =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)\/?$/i.exec(
      id.trim(),
    );
  if (!m) {
    throw new UserError(
      `'${id}' is not a Log Analytics workspace resource id (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>)`,
    );
  }
  return { subscriptionId: m[1], resourceGroup: m[2], workspaceName: m[3] };
}

export function workspaceIdOf(ref: WorkspaceRef): string {
  return `${resourceGroupPath(ref.subscriptionId, ref.resourceGroup)}/providers/Microsoft.OperationalInsights/workspaces/${seg(ref.workspaceName)}`;
}

export interface ResourceGroupRef {
  subscriptionId: string;
  resourceGroup: string;
}

function resourceGroupPath(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${seg(subscriptionId)}/resourceGroups/${seg(resourceGroup)}`;
}

function seg(text: string): string {
  return encodeURIComponent(text);
}

/** A GUID derived from a name (UUID v5 layout over SHA-1), so redeploys update the same workbook/query. */
export function stableGuid(namespace: string, name: string): string {
  const hash = createHash('sha1').update(`${namespace}\u0000${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------------
// Entra diagnostic settings

export interface DiagnosticLog {
  category: string;
  enabled: boolean;
  retentionPolicy?: { enabled: boolean; days: number };
}

export interface DiagnosticSettingProperties {
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  logs: DiagnosticLog[];
}

export interface DiagnosticSetting {
  id: string;
  name: string;
  type?: string;
  properties: DiagnosticSettingProperties;
}

export interface ConsistencyOptions {
  /** Wait until reads agree with the change (default true for put and delete). */
  waitForConsistency?: boolean;
  /** Reads in a row that must agree (default 3, as Terraform does). */
  consecutiveReads?: number;
  /** Between reads (default 5 s). */
  pollIntervalMs?: number;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Called after every read with how many in a row agreed so far. */
  onPoll?: (agreeing: number) => void;
}

function settingPath(name: string): string {
  return `/providers/microsoft.aadiam/diagnosticSettings/${seg(name)}`;
}

export async function listDiagnosticSettings(arm: ArmClient): Promise<DiagnosticSetting[]> {
  const response = await arm.get<{ value?: DiagnosticSetting[] }>(
    '/providers/microsoft.aadiam/diagnosticSettings',
    API_VERSIONS.aadiam,
  );
  return response.body?.value ?? [];
}

export function getDiagnosticSetting(arm: ArmClient, name: string): Promise<DiagnosticSetting | undefined> {
  return arm.find<DiagnosticSetting>(settingPath(name), API_VERSIONS.aadiam);
}

/**
 * Creates or replaces a setting, then (unless told not to) waits until GET returns it several times in
 * a row: right after a PUT the service may still answer 404.
 */
export async function putDiagnosticSetting(
  arm: ArmClient,
  name: string,
  properties: DiagnosticSettingProperties,
  options: ConsistencyOptions = {},
): Promise<DiagnosticSetting> {
  if (!properties.logs.some((l) => l.enabled)) {
    // The service accepts such a setting and then never returns it.
    throw new UserError(`diagnostic setting ${name}: enable at least one log category`);
  }
  const response = await arm.request<DiagnosticSetting>('PUT', settingPath(name), API_VERSIONS.aadiam, {
    body: { properties },
  });
  if (options.waitForConsistency !== false) await waitForSetting(arm, name, true, options);
  return response.body;
}

/** Deletes a setting, then (unless told not to) waits until GET answers 404 several times in a row. */
export async function deleteDiagnosticSetting(
  arm: ArmClient,
  name: string,
  options: ConsistencyOptions = {},
): Promise<boolean> {
  const response = await arm.request('DELETE', settingPath(name), API_VERSIONS.aadiam);
  if (options.waitForConsistency !== false) await waitForSetting(arm, name, false, options);
  return response.status === 200;
}

/** Polls until `present` holds for `consecutiveReads` reads in a row. */
export async function waitForSetting(
  arm: ArmClient,
  name: string,
  present: boolean,
  options: ConsistencyOptions = {},
): Promise<void> {
  const needed = options.consecutiveReads ?? 3;
  const interval = options.pollIntervalMs ?? 5_000;
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let agreeing = 0;
  for (;;) {
    const found = await getDiagnosticSetting(arm, name);
    agreeing = (found !== undefined) === present ? agreeing + 1 : 0;
    options.onPoll?.(agreeing);
    if (agreeing >= needed) return;
    if (Date.now() + interval > deadline) {
      throw new AzureRequestError(
        504,
        'ConsistencyTimeout',
        `diagnostic setting ${name} still ${present ? 'missing' : 'present'} after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s; Azure may be slow to propagate it, check again later`,
      );
    }
    await sleep(interval);
  }
}

// ---------------------------------------------------------------------------------------------------
// Tables (through the real SDK client)

export interface TableRetention {
  /** Interactive retention (4–730); null: the workspace default. Omitted: unchanged (PATCH). */
  retentionInDays?: number | null;
  /** Total retention (4–730, or 1095 … 4383 in whole years); null: no long-term retention. */
  totalRetentionInDays?: number | null;
}

export interface TableInfo {
  name: string;
  plan?: string;
  retentionInDays?: number;
  totalRetentionInDays?: number;
  archiveRetentionInDays?: number;
  retentionInDaysAsDefault?: boolean;
  totalRetentionInDaysAsDefault?: boolean;
  columns: { name: string; type: string }[];
  tableType?: string;
  provisioningState?: string;
}

export interface CustomTableDefinition extends TableRetention {
  /** Table-schema type names: string, int, long, real, boolean, dateTime, guid, dynamic. */
  columns: { name: string; type: string; description?: string }[];
  plan?: 'Analytics' | 'Basic' | 'Auxiliary';
  description?: string;
}

export interface LroOptions {
  /** Polling interval when the service gives no Retry-After (SDK default 2 s). */
  pollIntervalMs?: number;
}

const clientCache = new WeakMap<AzureConnection, Map<string, OperationalInsightsManagementClient>>();

/** The SDK client for a subscription, pointed at the connection's ARM endpoint and token scope. */
export function operationalInsightsClient(
  connection: AzureConnection,
  subscriptionId: string,
): OperationalInsightsManagementClient {
  let bySubscription = clientCache.get(connection);
  if (!bySubscription) {
    bySubscription = new Map();
    clientCache.set(connection, bySubscription);
  }
  let client = bySubscription.get(subscriptionId);
  if (!client) {
    client = new OperationalInsightsManagementClient(connection.credential, subscriptionId, {
      endpoint: connection.endpoints.arm,
      credentialScopes: [connection.scopes.arm],
      ...connection.clientOptions,
    });
    bySubscription.set(subscriptionId, client);
  }
  return client;
}

export async function getTable(
  connection: AzureConnection,
  workspaceId: string,
  table: string,
): Promise<TableInfo | undefined> {
  const ws = parseWorkspaceId(workspaceId);
  try {
    const found = await operationalInsightsClient(connection, ws.subscriptionId).tables.get(
      ws.resourceGroup,
      ws.workspaceName,
      table,
    );
    return tableInfo(found);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw sdkError(error, 'GET', workspaceId, table);
  }
}

/** PATCH: changes only the retention values given (null resets one to its default). */
export async function updateTableRetention(
  connection: AzureConnection,
  workspaceId: string,
  table: string,
  retention: TableRetention,
  options: LroOptions = {},
): Promise<TableInfo> {
  const ws = parseWorkspaceId(workspaceId);
  const parameters: Table = retentionParameters(retention);
  try {
    const updated = await operationalInsightsClient(connection, ws.subscriptionId).tables.beginUpdateAndWait(
      ws.resourceGroup,
      ws.workspaceName,
      table,
      parameters,
      lroOptions(options),
    );
    return tableInfo(updated);
  } catch (error) {
    throw sdkError(error, 'PATCH', workspaceId, table);
  }
}

/** PUT of a custom `_CL` table: its columns, plan and retention (unnamed retention goes back to defaults). */
export async function putCustomTable(
  connection: AzureConnection,
  workspaceId: string,
  table: string,
  definition: CustomTableDefinition,
  options: LroOptions = {},
): Promise<TableInfo> {
  if (!table.endsWith('_CL')) throw new UserError(`custom table name ${table} must end with _CL`);
  const ws = parseWorkspaceId(workspaceId);
  const parameters: Table = {
    schema: {
      name: table,
      columns: definition.columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.description ? { description: c.description } : {}),
      })),
      ...(definition.description ? { description: definition.description } : {}),
    },
    ...(definition.plan ? { plan: definition.plan } : {}),
    ...retentionParameters(definition),
  };
  try {
    const created = await operationalInsightsClient(
      connection,
      ws.subscriptionId,
    ).tables.beginCreateOrUpdateAndWait(
      ws.resourceGroup,
      ws.workspaceName,
      table,
      parameters,
      lroOptions(options),
    );
    return tableInfo(created);
  } catch (error) {
    throw sdkError(error, 'PUT', workspaceId, table);
  }
}

/**
 * The SDK drops null values, so "back to the default" goes out as -1, which the service reads the same
 * way (the SDK's own documentation of both properties).
 */
function retentionParameters(
  retention: TableRetention,
): Pick<Table, 'retentionInDays' | 'totalRetentionInDays'> {
  const value = (days: number | null): number => (days === null ? -1 : days);
  return {
    ...(retention.retentionInDays !== undefined ? { retentionInDays: value(retention.retentionInDays) } : {}),
    ...(retention.totalRetentionInDays !== undefined
      ? { totalRetentionInDays: value(retention.totalRetentionInDays) }
      : {}),
  };
}

function lroOptions(options: LroOptions): { updateIntervalInMs?: number } {
  return options.pollIntervalMs !== undefined ? { updateIntervalInMs: options.pollIntervalMs } : {};
}

function tableInfo(table: Table): TableInfo {
  return {
    name: table.name ?? '',
    ...(table.plan !== undefined ? { plan: table.plan } : {}),
    ...(table.retentionInDays !== undefined ? { retentionInDays: table.retentionInDays } : {}),
    ...(table.totalRetentionInDays !== undefined ? { totalRetentionInDays: table.totalRetentionInDays } : {}),
    ...(table.archiveRetentionInDays !== undefined
      ? { archiveRetentionInDays: table.archiveRetentionInDays }
      : {}),
    ...(table.retentionInDaysAsDefault !== undefined
      ? { retentionInDaysAsDefault: table.retentionInDaysAsDefault }
      : {}),
    ...(table.totalRetentionInDaysAsDefault !== undefined
      ? { totalRetentionInDaysAsDefault: table.totalRetentionInDaysAsDefault }
      : {}),
    columns: (table.schema?.columns ?? []).map((c) => ({ name: c.name ?? '', type: String(c.type ?? '') })),
    ...(table.schema?.tableType !== undefined ? { tableType: table.schema.tableType } : {}),
    ...(table.provisioningState !== undefined ? { provisioningState: table.provisioningState } : {}),
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** An SDK RestError as an AzureRequestError naming the request. */
function sdkError(error: unknown, method: string, workspaceId: string, table: string): Error {
  const status = statusOf(error);
  if (status === undefined) return error as Error;
  const code = String((error as { code?: unknown }).code ?? `HTTP${status}`);
  const ws = parseWorkspaceId(workspaceId).workspaceName;
  return new AzureRequestError(
    status,
    code,
    `${method} table ${ws}/${table}: ${status} ${code}: ${(error as Error).message}`,
    (error as { details?: unknown }).details,
  );
}

// ---------------------------------------------------------------------------------------------------
// Data collection rules

export interface DataCollectionRuleDefinition extends ResourceGroupRef {
  name: string;
  location: string;
  /** Stream name (`Custom-…`) → columns with DCR type names (string, int, long, real, boolean, datetime, dynamic). */
  streamDeclarations: Record<string, { columns: { name: string; type: string }[] }>;
  destinations: { logAnalytics: { name: string; workspaceResourceId: string }[] };
  dataFlows: { streams: string[]; destinations: string[]; transformKql?: string; outputStream?: string }[];
  description?: string;
  tags?: Record<string, string>;
  /** Only with a data collection endpoint; otherwise the rule is `kind: Direct`. */
  dataCollectionEndpointId?: string;
}

export interface DataCollectionRuleResult {
  id: string;
  immutableId: string;
  /** Where the Logs Ingestion client sends data (the rule's own endpoint, or the DCE's). */
  logsIngestion: string | undefined;
  resource: Record<string, unknown>;
}

export async function putDataCollectionRule(
  arm: ArmClient,
  rule: DataCollectionRuleDefinition,
): Promise<DataCollectionRuleResult> {
  const path = `${resourceGroupPath(rule.subscriptionId, rule.resourceGroup)}/providers/Microsoft.Insights/dataCollectionRules/${seg(rule.name)}`;
  const body = {
    location: rule.location,
    ...(rule.dataCollectionEndpointId ? {} : { kind: 'Direct' }),
    ...(rule.tags ? { tags: rule.tags } : {}),
    properties: {
      ...(rule.description ? { description: rule.description } : {}),
      ...(rule.dataCollectionEndpointId ? { dataCollectionEndpointId: rule.dataCollectionEndpointId } : {}),
      streamDeclarations: rule.streamDeclarations,
      destinations: rule.destinations,
      dataFlows: rule.dataFlows,
    },
  };
  const resource = (await arm.send<Record<string, unknown>>('PUT', path, API_VERSIONS.dataCollectionRules, {
    body,
  })) as Record<string, unknown>;
  const properties = (resource.properties ?? {}) as {
    immutableId?: string;
    endpoints?: { logsIngestion?: string };
  };
  if (!properties.immutableId) {
    throw new AzureRequestError(
      500,
      'NoImmutableId',
      `PUT ${path}: the response has no properties.immutableId`,
    );
  }
  let logsIngestion = properties.endpoints?.logsIngestion;
  if (!logsIngestion && rule.dataCollectionEndpointId) {
    const dce = await arm.get<{ properties?: { logsIngestion?: { endpoint?: string } } }>(
      rule.dataCollectionEndpointId,
      API_VERSIONS.dataCollectionRules,
    );
    logsIngestion = dce.body?.properties?.logsIngestion?.endpoint;
  }
  return { id: String(resource.id), immutableId: properties.immutableId, logsIngestion, resource };
}

// ---------------------------------------------------------------------------------------------------
// Alerts, workbooks, query packs, saved searches

/** PUT of a log alert rule v2; `body` is `{location, kind?, tags?, properties}` as the API takes it. */
export async function putScheduledQueryRule(
  arm: ArmClient,
  at: ResourceGroupRef & { name: string },
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const path = `${resourceGroupPath(at.subscriptionId, at.resourceGroup)}/providers/Microsoft.Insights/scheduledQueryRules/${seg(at.name)}`;
  return (await arm.send('PUT', path, API_VERSIONS.scheduledQueryRules, { body })) as Record<string, unknown>;
}

export async function putActionGroup(
  arm: ArmClient,
  at: ResourceGroupRef & { name: string },
  properties: Record<string, unknown> & { groupShortName: string },
  tags?: Record<string, string>,
): Promise<Record<string, unknown>> {
  const path = `${resourceGroupPath(at.subscriptionId, at.resourceGroup)}/providers/Microsoft.Insights/actionGroups/${seg(at.name)}`;
  const body = {
    location: 'Global',
    ...(tags ? { tags } : {}),
    properties: { enabled: true, ...properties },
  };
  return (await arm.send('PUT', path, API_VERSIONS.actionGroups, { body })) as Record<string, unknown>;
}

export interface WorkbookDefinition extends ResourceGroupRef {
  /** A GUID; use stableGuid() so a redeploy updates the same workbook. */
  id: string;
  location: string;
  displayName: string;
  /** The gallery template document; sent as a JSON string. */
  content: unknown;
  sourceId?: string;
  category?: string;
  description?: string;
  tags?: Record<string, string>;
}

export async function putWorkbook(
  arm: ArmClient,
  workbook: WorkbookDefinition,
): Promise<Record<string, unknown>> {
  const path = `${resourceGroupPath(workbook.subscriptionId, workbook.resourceGroup)}/providers/Microsoft.Insights/workbooks/${seg(workbook.id)}`;
  const body = {
    location: workbook.location,
    kind: 'shared',
    ...(workbook.tags ? { tags: workbook.tags } : {}),
    properties: {
      displayName: workbook.displayName,
      category: workbook.category ?? 'workbook',
      serializedData:
        typeof workbook.content === 'string' ? workbook.content : JSON.stringify(workbook.content),
      version: 'Notebook/1.0',
      ...(workbook.sourceId ? { sourceId: workbook.sourceId } : {}),
      ...(workbook.description ? { description: workbook.description } : {}),
    },
  };
  return (await arm.send('PUT', path, API_VERSIONS.workbooks, {
    body,
    ...(workbook.sourceId ? { query: { sourceId: workbook.sourceId } } : {}),
  })) as Record<string, unknown>;
}

export async function putQueryPack(
  arm: ArmClient,
  at: ResourceGroupRef & { name: string; location: string; tags?: Record<string, string> },
): Promise<Record<string, unknown>> {
  const path = queryPackPath(at);
  const body = { location: at.location, ...(at.tags ? { tags: at.tags } : {}), properties: {} };
  return (await arm.send('PUT', path, API_VERSIONS.queryPacks, { body })) as Record<string, unknown>;
}

export interface QueryPackQuery {
  displayName: string;
  body: string;
  description?: string;
  related?: { categories?: string[]; resourceTypes?: string[]; solutions?: string[] };
  tags?: Record<string, string[]>;
  properties?: Record<string, unknown>;
}

export async function putQueryPackQuery(
  arm: ArmClient,
  at: ResourceGroupRef & { pack: string; id: string },
  query: QueryPackQuery,
): Promise<Record<string, unknown>> {
  const path = `${queryPackPath({ ...at, name: at.pack })}/queries/${seg(at.id)}`;
  return (await arm.send('PUT', path, API_VERSIONS.queryPacks, { body: { properties: query } })) as Record<
    string,
    unknown
  >;
}

function queryPackPath(at: ResourceGroupRef & { name: string }): string {
  return `${resourceGroupPath(at.subscriptionId, at.resourceGroup)}/providers/Microsoft.OperationalInsights/queryPacks/${seg(at.name)}`;
}

export interface SavedSearch {
  category: string;
  displayName: string;
  query: string;
  /** Makes the saved search a workspace function of this name. */
  functionAlias?: string;
  /** e.g. `from:datetime, to:datetime = now()` */
  functionParameters?: string;
  version?: number;
  tags?: { name: string; value: string }[];
}

export async function putSavedSearch(
  arm: ArmClient,
  workspaceId: string,
  id: string,
  search: SavedSearch,
): Promise<Record<string, unknown>> {
  const path = `${workspaceIdOf(parseWorkspaceId(workspaceId))}/savedSearches/${seg(id)}`;
  return (await arm.send('PUT', path, API_VERSIONS.savedSearches, {
    body: { properties: { version: 2, ...search } },
  })) as Record<string, unknown>;
}

/** DELETE of any resource by id; true when it existed. */
export async function deleteResource(arm: ArmClient, id: string, apiVersion: string): Promise<boolean> {
  const response = await arm.request('DELETE', id, apiVersion);
  return response.status !== 204;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
