/**
 * `provlog ingest setup`: what a backfill needs in Azure. The custom `_CL` table (columns from the
 * built-in table's schema, see schema.ts), then a `kind: Direct` data collection rule whose stream
 * declares the same columns, `transformKql: source`, and output stream `Custom-<table>`; and the
 * workspace function that reads live and backfilled rows under the original names.
 */
import { UserError } from '../../errors.js';
import type { TableName } from '../../model/schema.js';
import { ArmClient } from '../arm.js';
import type { AzureConnection } from '../connection.js';
import { parseWorkspaceId, putCustomTable, putDataCollectionRule, putSavedSearch } from '../resources.js';
import { customColumns, DEFAULT_TARGETS, type IngestTarget, unionFunctionKql } from './schema.js';

export interface SetupOptions {
  workspaceResourceId: string;
  sourceTable: TableName;
  customTable?: string;
  stream?: string;
  dcrName: string;
  /** Default: the workspace's location (a rule must be in its workspace's region). */
  location?: string;
  /** Default: the workspace's resource group. */
  resourceGroup?: string;
  retentionInDays?: number;
  totalRetentionInDays?: number;
  /** LRO polling (tests). */
  pollIntervalMs?: number;
}

export interface SetupResult {
  table: string;
  stream: string;
  dcrId: string;
  dcrImmutableId: string;
  endpoint: string;
  workspaceResourceId: string;
  /** The workspace's customerId (the query API's workspace id). */
  workspaceId: string;
  location: string;
  functionName: string;
  functionKql: string;
}

const WORKSPACE_API_VERSION = '2022-10-01';

export async function setupIngestion(
  connection: AzureConnection,
  options: SetupOptions,
): Promise<SetupResult> {
  const ws = parseWorkspaceId(options.workspaceResourceId);
  const target: IngestTarget = {
    ...DEFAULT_TARGETS[options.sourceTable],
    ...(options.customTable ? { customTable: options.customTable } : {}),
    ...(options.stream ? { stream: options.stream } : {}),
  };
  if (!/^[A-Za-z][A-Za-z0-9_]{0,41}_CL$/.test(target.customTable)) {
    throw new UserError(
      `--custom-table ${target.customTable}: a custom table name starts with a letter, holds letters, digits and _, and ends with _CL`,
    );
  }
  if (!/^Custom-[A-Za-z0-9_.-]+$/.test(target.stream)) {
    throw new UserError(`--stream ${target.stream}: a stream name starts with Custom-`);
  }
  const arm = new ArmClient(connection);
  const workspace = await arm.find<{ location?: string; properties?: { customerId?: string } }>(
    options.workspaceResourceId,
    WORKSPACE_API_VERSION,
  );
  if (!workspace?.properties?.customerId) {
    throw new UserError(`no Log Analytics workspace ${options.workspaceResourceId}`);
  }
  const location = options.location ?? workspace.location;
  if (!location) throw new UserError('the workspace has no location; pass --location');

  const columns = customColumns(options.sourceTable);
  await putCustomTable(
    connection,
    options.workspaceResourceId,
    target.customTable,
    {
      columns: columns.map((c) => ({ name: c.name, type: c.tableType, description: c.description })),
      plan: 'Analytics',
      description: `${options.sourceTable} rows backfilled by provlog ingest`,
      ...(options.retentionInDays !== undefined ? { retentionInDays: options.retentionInDays } : {}),
      ...(options.totalRetentionInDays !== undefined
        ? { totalRetentionInDays: options.totalRetentionInDays }
        : {}),
    },
    options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {},
  );
  const rule = await putDataCollectionRule(arm, {
    subscriptionId: ws.subscriptionId,
    resourceGroup: options.resourceGroup ?? ws.resourceGroup,
    name: options.dcrName,
    location,
    description: `provlog ingest: backfill of ${options.sourceTable} into ${target.customTable}`,
    streamDeclarations: {
      [target.stream]: { columns: columns.map((c) => ({ name: c.name, type: c.streamType })) },
    },
    destinations: { logAnalytics: [{ name: 'workspace', workspaceResourceId: options.workspaceResourceId }] },
    dataFlows: [
      {
        streams: [target.stream],
        destinations: ['workspace'],
        transformKql: 'source',
        outputStream: `Custom-${target.customTable}`,
      },
    ],
  });
  if (!rule.logsIngestion) {
    throw new UserError(
      `the data collection rule ${rule.id} has no logs ingestion endpoint; rules created before 2024-03-31 need a data collection endpoint`,
    );
  }
  const functionKql = unionFunctionKql(target);
  // Saved as a workspace function, so queries read live and backfilled rows under one name.
  await putSavedSearch(arm, options.workspaceResourceId, `provlog-${target.functionName.toLowerCase()}`, {
    category: 'provlog',
    displayName: `${target.functionName} (provlog)`,
    query: functionKql,
    functionAlias: target.functionName,
  });
  return {
    table: target.customTable,
    stream: target.stream,
    dcrId: rule.id,
    dcrImmutableId: rule.immutableId,
    endpoint: rule.logsIngestion,
    workspaceResourceId: options.workspaceResourceId,
    workspaceId: workspace.properties.customerId,
    location,
    functionName: target.functionName,
    functionKql,
  };
}

/** The workspace (customerId) a rule's first Log Analytics destination writes to. */
export async function workspaceIdOfRule(connection: AzureConnection, dcrId: string): Promise<string> {
  const arm = new ArmClient(connection);
  const rule = await arm.find<{
    properties?: { destinations?: { logAnalytics?: { workspaceResourceId?: string }[] } };
  }>(dcrId, '2023-03-11');
  const workspaceResourceId = rule?.properties?.destinations?.logAnalytics?.[0]?.workspaceResourceId;
  if (!workspaceResourceId)
    throw new UserError(`no data collection rule with a Log Analytics destination at ${dcrId}`);
  const workspace = await arm.find<{ properties?: { customerId?: string } }>(
    workspaceResourceId,
    WORKSPACE_API_VERSION,
  );
  const customerId = workspace?.properties?.customerId;
  if (!customerId) throw new UserError(`no Log Analytics workspace ${workspaceResourceId}`);
  return customerId;
}
