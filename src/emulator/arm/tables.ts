/**
 * Log Analytics tables: the built-in AADProvisioningLogs and AuditLogs (always present) and custom `_CL`
 * tables. Retention follows the service's rules; PATCH keeps what it does not name, PUT resets it.
 * PUT/PATCH answer as a long-running operation (202 + Azure-AsyncOperation) when the switch says so.
 */
import { randomUUID } from 'node:crypto';
import type { ColumnType } from '../../model/schema.js';
import { TABLES } from '../../model/schema.js';
import type { EmulatorContext } from '../context.js';
import { type EmulatorReply, type EmulatorRequest, jsonReply } from '../http.js';
import type { LogWorkspace } from '../log-data.js';
import type { ArmResource } from '../resources.js';
import type { Params, Route } from '../router.js';
import {
  apiVersion,
  armError,
  badRequest,
  checkSubscription,
  INTERNAL,
  internalState,
  isObject,
  type Json,
  listReply,
  nowIso,
  objectAt,
  objectBody,
  resourceNotFound,
} from './common.js';
import { parentWorkspace } from './log-analytics-workspaces.js';

export const TABLE_TYPE = 'Microsoft.OperationalInsights/workspaces/tables';
const OPERATION_TYPE = 'Microsoft.OperationalInsights/locations/operationStatuses';
export const TABLE_API_VERSIONS = ['2022-10-01', '2025-02-01', '2025-07-01'] as const;

/** Total retention beyond 730 days must be one of these (whole years). */
export const LONG_TERM_RETENTION_DAYS = [1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383];
const SCHEMA_TYPES = ['string', 'int', 'long', 'real', 'boolean', 'dateTime', 'guid', 'dynamic'];
const RESERVED_COLUMNS = ['_ResourceId', 'id', '_SubscriptionId', 'TenantId', 'Type', 'UniqueId', 'Title'];
const PLANS = ['Analytics', 'Basic', 'Auxiliary'];
const DEFAULT_WORKSPACE_RETENTION = 30;
const FIXED_RETENTION_DAYS = 30;

interface Column {
  name: string;
  type: string;
  description?: string;
  displayName?: string;
  dataTypeHint?: string;
}

/** A table as the emulator keeps it: the settings a client chose (null = default). */
interface TableSpec {
  name: string;
  builtIn: boolean;
  plan: string;
  retentionInDays: number | null;
  totalRetentionInDays: number | null;
  lastPlanModifiedDate?: string;
  description?: string;
  displayName?: string;
  columns: Column[];
  operationId?: string;
}

export function tableRoutes(): Route[] {
  const base =
    '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.OperationalInsights/workspaces/:ws/tables';
  return [
    {
      methods: ['GET'],
      pattern: base,
      handler: (request, params, context) => {
        apiVersion(request, TABLE_API_VERSIONS, TABLE_TYPE);
        const ws = parentWorkspace(context, params);
        return listReply(allTables(context, ws).map((t) => view(context, ws, t)));
      },
    },
    {
      methods: ['GET', 'PUT', 'PATCH', 'DELETE'],
      pattern: `${base}/:table`,
      handler: (request, params, context) => {
        apiVersion(request, TABLE_API_VERSIONS, TABLE_TYPE);
        const ws = parentWorkspace(context, params);
        const current = findTable(context, ws, params.table);
        switch (request.method) {
          case 'GET':
            if (!current) throw resourceNotFound(TABLE_TYPE, `${params.ws}/${params.table}`, params.rg);
            return jsonReply(200, view(context, ws, current));
          case 'DELETE':
            return deleteTable(context, ws, current, params);
          case 'PATCH':
            if (!current) throw resourceNotFound(TABLE_TYPE, `${params.ws}/${params.table}`, params.rg);
            return writeTable(
              context,
              request,
              ws,
              patched(context, ws, current, objectBody(request)),
              false,
            );
          default:
            return writeTable(
              context,
              request,
              ws,
              replaced(context, ws, params.table, current, objectBody(request)),
              !current,
            );
        }
      },
    },
    {
      methods: ['GET'],
      pattern:
        '/subscriptions/:sub/providers/Microsoft.OperationalInsights/locations/:location/operationStatuses/:operation',
      handler: (request, params, context) => {
        apiVersion(request, TABLE_API_VERSIONS, OPERATION_TYPE);
        checkSubscription(context, params.sub);
        const operation = context.resources.get(operationId(context, params.location, params.operation));
        if (!operation) throw resourceNotFound(OPERATION_TYPE, params.operation);
        const properties = objectAt(operation, 'properties');
        // The operation completes when it is first polled.
        if (properties.status === 'InProgress') {
          context.resources.put({
            ...operation,
            properties: { ...properties, status: 'Succeeded', endTime: nowIso(context) },
          });
        }
        const done = objectAt(context.resources.get(operation.id) ?? operation, 'properties');
        return jsonReply(200, { id: operation.id, name: operation.name, ...done });
      },
    },
  ];
}

/** An operation nobody polls completes on its own after this long (real time). */
const UNPOLLED_OPERATION_MS = 10_000;

function inProgress(operation: ArmResource): boolean {
  if (objectAt(operation, 'properties').status !== 'InProgress') return false;
  const completesAt = internalState<{ completesAt: number }>(operation).completesAt;
  return completesAt === undefined || Date.now() < completesAt;
}

function operationId(context: EmulatorContext, location: string, name: string): string {
  return `/subscriptions/${context.identity.subscriptionId}/providers/Microsoft.OperationalInsights/locations/${location}/operationStatuses/${name}`;
}

function tableId(ws: ArmResource, name: string): string {
  return `${ws.id}/tables/${name}`;
}

function builtInName(name: string): string | undefined {
  return Object.keys(TABLES).find((t) => t.toLowerCase() === name.toLowerCase());
}

function logWorkspace(context: EmulatorContext, ws: ArmResource): LogWorkspace {
  const found = context.logs.byArmId(ws.id);
  if (found) return found;
  return context.logs.create({ customerId: String(objectAt(ws, 'properties').customerId), armId: ws.id });
}

/** The table as stored, or its defaults (built-in, or a custom table only the data side knows). */
function findTable(context: EmulatorContext, ws: ArmResource, name: string): TableSpec | undefined {
  const stored = context.resources.get(tableId(ws, name));
  if (stored) return specOf(stored);
  const builtIn = builtInName(name);
  if (builtIn) return defaultSpec(builtIn, true, []);
  const data = logWorkspace(context, ws);
  const columns = data.tableColumns(name);
  if (!columns) return undefined;
  const actual = data.customTableNames().find((n) => n.toLowerCase() === name.toLowerCase()) ?? name;
  return defaultSpec(
    actual,
    false,
    columns.map((c) => ({ name: c.name, type: canonicalType(c.type) ?? c.type })),
  );
}

function allTables(context: EmulatorContext, ws: ArmResource): TableSpec[] {
  const names = [...Object.keys(TABLES)];
  for (const r of context.resources.list(TABLE_TYPE, ws.id)) names.push(r.name);
  names.push(...logWorkspace(context, ws).customTableNames());
  const seen = new Set<string>();
  const tables: TableSpec[] = [];
  for (const name of names) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const table = findTable(context, ws, name);
    if (table) tables.push(table);
  }
  return tables;
}

function defaultSpec(name: string, builtIn: boolean, columns: Column[]): TableSpec {
  return { name, builtIn, plan: 'Analytics', retentionInDays: null, totalRetentionInDays: null, columns };
}

function specOf(resource: ArmResource): TableSpec {
  const p = objectAt(resource, 'properties');
  const schema = objectAt(p, 'schema');
  const state = internalState<{ operationId: string }>(resource);
  return {
    name: resource.name,
    builtIn: builtInName(resource.name) !== undefined,
    plan: typeof p.plan === 'string' ? p.plan : 'Analytics',
    retentionInDays: typeof p.retentionInDays === 'number' ? p.retentionInDays : null,
    totalRetentionInDays: typeof p.totalRetentionInDays === 'number' ? p.totalRetentionInDays : null,
    ...(typeof p.lastPlanModifiedDate === 'string' ? { lastPlanModifiedDate: p.lastPlanModifiedDate } : {}),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...(typeof schema.displayName === 'string' ? { displayName: schema.displayName } : {}),
    columns: Array.isArray(schema.columns) ? (schema.columns as Column[]) : [],
    ...(state.operationId ? { operationId: state.operationId } : {}),
  };
}

/** PUT: what the body names, everything else back to its default. */
function replaced(
  context: EmulatorContext,
  ws: ArmResource,
  urlName: string,
  current: TableSpec | undefined,
  body: Json,
): TableSpec {
  const properties = objectAt(body, 'properties');
  const builtIn = builtInName(urlName);
  const name = current?.name ?? builtIn ?? urlName;
  if (!builtIn) checkCustomTableName(name);
  const schema = objectAt(properties, 'schema');
  checkSchemaName(schema, name);
  let columns: Column[] = current?.columns ?? [];
  if (builtIn) {
    rejectColumnsOnBuiltIn(schema, name);
  } else if (schema.columns !== undefined || !current) {
    columns = checkColumns(schema.columns, name, current?.columns);
  }
  const plan = checkPlan(properties.plan, current, !builtIn) ?? 'Analytics';
  const spec: TableSpec = {
    ...defaultSpec(name, Boolean(builtIn), columns),
    plan,
    ...planDate(context, current, plan),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...(typeof schema.displayName === 'string' ? { displayName: schema.displayName } : {}),
  };
  return withRetention(ws, spec, properties);
}

/** PATCH: only what the body names changes. */
function patched(context: EmulatorContext, ws: ArmResource, current: TableSpec, body: Json): TableSpec {
  const properties = objectAt(body, 'properties');
  const schema = objectAt(properties, 'schema');
  checkSchemaName(schema, current.name);
  let columns = current.columns;
  if (current.builtIn) rejectColumnsOnBuiltIn(schema, current.name);
  else if (schema.columns !== undefined)
    columns = checkColumns(schema.columns, current.name, current.columns);
  const plan = checkPlan(properties.plan, current, !current.builtIn) ?? current.plan;
  const spec: TableSpec = {
    ...current,
    columns,
    plan,
    ...planDate(context, current, plan),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...(typeof schema.displayName === 'string' ? { displayName: schema.displayName } : {}),
  };
  return withRetention(ws, spec, properties);
}

function planDate(
  context: EmulatorContext,
  current: TableSpec | undefined,
  plan: string,
): { lastPlanModifiedDate?: string } {
  if (current && current.plan === plan) {
    return current.lastPlanModifiedDate ? { lastPlanModifiedDate: current.lastPlanModifiedDate } : {};
  }
  return { lastPlanModifiedDate: nowIso(context) };
}

/** Applies and checks the retention values the request names (null or -1: back to the default). */
function withRetention(ws: ArmResource, spec: TableSpec, properties: Json): TableSpec {
  const result = { ...spec };
  if ('retentionInDays' in properties) {
    const value = retentionValue(properties.retentionInDays, 'retentionInDays');
    if (value !== null && (value < 4 || value > 730)) {
      throw badRequest(
        `retentionInDays must be between 4 and 730 days (or null for the default); got ${value}.`,
      );
    }
    if (value !== null && spec.plan !== 'Analytics' && value !== FIXED_RETENTION_DAYS) {
      throw badRequest(
        `Table ${spec.name} has the ${spec.plan} plan, whose interactive retention is fixed at ${FIXED_RETENTION_DAYS} days; retentionInDays ${value} is not allowed.`,
      );
    }
    result.retentionInDays = value;
  }
  if (spec.plan !== 'Analytics') result.retentionInDays = null;
  if ('totalRetentionInDays' in properties) {
    const value = retentionValue(properties.totalRetentionInDays, 'totalRetentionInDays');
    if (value !== null && !((value >= 4 && value <= 730) || LONG_TERM_RETENTION_DAYS.includes(value))) {
      throw badRequest(
        `totalRetentionInDays must be between 4 and 730 days or one of ${LONG_TERM_RETENTION_DAYS.join(', ')} (or null for the default); got ${value}.`,
      );
    }
    result.totalRetentionInDays = value;
  }
  const interactive = effectiveRetention(ws, result);
  if (result.totalRetentionInDays !== null && result.totalRetentionInDays < interactive) {
    throw badRequest(
      `totalRetentionInDays (${result.totalRetentionInDays}) must be at least the interactive retention (${interactive} days).`,
    );
  }
  return result;
}

function retentionValue(value: unknown, field: string): number | null {
  if (value === null || value === -1) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw badRequest(`${field} must be an integer number of days, null or -1; got ${JSON.stringify(value)}.`);
  }
  return value;
}

function effectiveRetention(ws: ArmResource, spec: TableSpec): number {
  if (spec.plan !== 'Analytics') return FIXED_RETENTION_DAYS;
  if (spec.retentionInDays !== null) return spec.retentionInDays;
  const workspaceDefault = objectAt(ws, 'properties').retentionInDays;
  return typeof workspaceDefault === 'number' ? workspaceDefault : DEFAULT_WORKSPACE_RETENTION;
}

function checkPlan(value: unknown, current: TableSpec | undefined, custom: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  const plan = PLANS.find((p) => typeof value === 'string' && p.toLowerCase() === value.toLowerCase());
  if (!plan) throw badRequest(`plan must be one of ${PLANS.join(', ')}; got ${JSON.stringify(value)}.`);
  if (plan === 'Auxiliary' && !custom) {
    throw badRequest('The Auxiliary plan is available only for custom (_CL) tables.');
  }
  if (current && (plan === 'Auxiliary') !== (current.plan === 'Auxiliary')) {
    throw badRequest(
      `Table ${current.name} cannot change its plan from ${current.plan} to ${plan}: the Auxiliary plan is set only when a table is created.`,
    );
  }
  return plan;
}

function checkCustomTableName(name: string): void {
  if (!name.endsWith('_CL')) {
    throw badRequest(
      `Table '${name}' is neither a built-in table (${Object.keys(TABLES).join(', ')}) nor a custom table: custom table names must end with _CL.`,
    );
  }
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.length > 63) {
    throw badRequest(
      `Table name '${name}' is invalid: start with a letter, use letters, digits and underscores, at most 63 characters.`,
    );
  }
}

function checkSchemaName(schema: Json, name: string): void {
  if (typeof schema.name === 'string' && schema.name.toLowerCase() !== name.toLowerCase()) {
    throw badRequest(`schema.name '${schema.name}' does not match the table name '${name}'.`);
  }
}

function rejectColumnsOnBuiltIn(schema: Json, name: string): void {
  if (Array.isArray(schema.columns) && schema.columns.length > 0) {
    throw badRequest(
      `Table ${name} is a built-in (Microsoft) table: its columns cannot be changed (custom columns would need the _CF suffix, which the emulator does not support).`,
    );
  }
}

function canonicalType(type: string): string | undefined {
  return SCHEMA_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
}

function checkColumns(value: unknown, table: string, existing: Column[] | undefined): Column[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`Custom table ${table} needs schema.columns: a non-empty array of {name, type}.`);
  }
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const raw of value) {
    if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.type !== 'string') {
      throw badRequest(`Every column of ${table} needs a name and a type (strings).`);
    }
    const name = raw.name;
    if (!/^[A-Za-z][A-Za-z0-9_]{0,44}$/.test(name)) {
      throw badRequest(
        `Column name '${name}' of ${table} is invalid: it must start with a letter and have at most 45 letters, digits or underscores.`,
      );
    }
    const reserved = RESERVED_COLUMNS.find((r) => r.toLowerCase() === name.toLowerCase());
    if (reserved) {
      throw badRequest(
        `Column name '${name}' of ${table} is reserved in Log Analytics (reserved: ${RESERVED_COLUMNS.join(', ')}); rename it.`,
      );
    }
    if (seen.has(name.toLowerCase())) throw badRequest(`Column '${name}' appears twice in ${table}.`);
    seen.add(name.toLowerCase());
    const type = canonicalType(raw.type);
    if (!type) {
      throw badRequest(
        `Column '${name}' of ${table} has type '${raw.type}'; the column types are ${SCHEMA_TYPES.join(', ')}.`,
      );
    }
    const before = existing?.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (before && before.type.toLowerCase() !== type.toLowerCase()) {
      throw badRequest(
        `Column '${name}' of ${table} is of type ${before.type}; its type cannot change to ${type}.`,
      );
    }
    columns.push({
      name,
      type,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      ...(typeof raw.displayName === 'string' ? { displayName: raw.displayName } : {}),
      ...(typeof raw.dataTypeHint === 'string' ? { dataTypeHint: raw.dataTypeHint } : {}),
    });
  }
  if (!columns.some((c) => c.name === 'TimeGenerated' && c.type === 'dateTime')) {
    throw badRequest(`Custom table ${table} needs a TimeGenerated column of type dateTime.`);
  }
  return columns;
}

function writeTable(
  context: EmulatorContext,
  request: EmulatorRequest,
  ws: ArmResource,
  spec: TableSpec,
  created: boolean,
): EmulatorReply {
  const async = context.settings().arm.asyncTableOperations;
  // One operation record per table at most: the previous one is done with.
  if (spec.operationId) context.resources.delete(spec.operationId);
  let operationUrl: string | undefined;
  if (async) {
    const name = randomUUID();
    const location = String(ws.location ?? 'eastus')
      .replace(/\s+/g, '')
      .toLowerCase();
    const id = operationId(context, location, name);
    context.resources.put({
      id,
      name,
      type: OPERATION_TYPE,
      properties: { status: 'InProgress', startTime: nowIso(context) },
      [INTERNAL]: { completesAt: Date.now() + UNPOLLED_OPERATION_MS },
    });
    spec.operationId = id;
    // ARM puts the api-version in the link; clients that append their own still get a readable URL.
    const version = request.url.searchParams.get('api-version') ?? TABLE_API_VERSIONS[0];
    operationUrl = `${context.baseUrl}${id}?api-version=${encodeURIComponent(version)}`;
  } else {
    delete spec.operationId;
  }
  const stored = context.resources.put(storedResource(ws, spec));
  if (!spec.builtIn) {
    logWorkspace(context, ws).defineTable(
      spec.name,
      spec.columns.map((c) => ({ name: c.name, type: c.type })),
    );
  }
  if (operationUrl) {
    return { status: 202, headers: { 'Azure-AsyncOperation': operationUrl, 'Retry-After': '0' } };
  }
  return jsonReply(created ? 201 : 200, view(context, ws, specOf(stored)));
}

function storedResource(ws: ArmResource, spec: TableSpec): ArmResource {
  return {
    id: tableId(ws, spec.name),
    name: spec.name,
    type: TABLE_TYPE,
    properties: {
      plan: spec.plan,
      retentionInDays: spec.retentionInDays,
      totalRetentionInDays: spec.totalRetentionInDays,
      ...(spec.lastPlanModifiedDate ? { lastPlanModifiedDate: spec.lastPlanModifiedDate } : {}),
      schema: {
        name: spec.name,
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.displayName ? { displayName: spec.displayName } : {}),
        ...(spec.builtIn ? {} : { columns: spec.columns }),
      },
    },
    ...(spec.operationId ? { [INTERNAL]: { operationId: spec.operationId } } : {}),
  };
}

function deleteTable(
  context: EmulatorContext,
  ws: ArmResource,
  current: TableSpec | undefined,
  params: Params,
): EmulatorReply {
  if (!current) return { status: 204 };
  if (current.builtIn) {
    throw armError(
      400,
      'InvalidParameter',
      `Table ${current.name} is a built-in (Microsoft) table and cannot be deleted; only custom (_CL) tables can.`,
    );
  }
  context.resources.delete(tableId(ws, current.name));
  logWorkspace(context, ws).dropTable(current.name);
  context.log(`deleted table ${params.ws}/${current.name}`);
  return { status: 200 };
}

function view(context: EmulatorContext, ws: ArmResource, spec: TableSpec): Json {
  const interactive = effectiveRetention(ws, spec);
  const total = spec.totalRetentionInDays ?? interactive;
  const operation = spec.operationId ? context.resources.get(spec.operationId) : undefined;
  const updating = operation !== undefined && inProgress(operation);
  const builtIn = spec.builtIn ? TABLES[spec.name as keyof typeof TABLES] : undefined;
  return {
    id: tableId(ws, spec.name),
    name: spec.name,
    type: TABLE_TYPE,
    properties: {
      retentionInDays: interactive,
      totalRetentionInDays: total,
      archiveRetentionInDays: total - interactive,
      plan: spec.plan,
      ...(spec.lastPlanModifiedDate ? { lastPlanModifiedDate: spec.lastPlanModifiedDate } : {}),
      schema: builtIn
        ? {
            name: spec.name,
            tableType: 'Microsoft',
            tableSubType: 'DataCollectionRuleBased',
            description: spec.description ?? builtIn.description,
            columns: [],
            standardColumns: builtIn.columns.map((c) => ({
              name: c.name,
              type: schemaType(c.type),
              description: c.description,
              isDefaultDisplay: false,
              isHidden: false,
            })),
            solutions: ['LogManagement'],
            source: 'microsoft',
          }
        : {
            name: spec.name,
            tableType: 'CustomLog',
            tableSubType: 'DataCollectionRuleBased',
            ...(spec.description ? { description: spec.description } : {}),
            ...(spec.displayName ? { displayName: spec.displayName } : {}),
            columns: spec.columns.map((c) => ({ ...c, isDefaultDisplay: false, isHidden: false })),
            standardColumns: [
              { name: 'TenantId', type: 'guid', isDefaultDisplay: false, isHidden: false },
              { name: 'Type', type: 'string', isDefaultDisplay: false, isHidden: false },
            ],
            solutions: ['LogManagement'],
            source: 'customer',
          },
      provisioningState: updating ? 'Updating' : 'Succeeded',
      retentionInDaysAsDefault: spec.plan === 'Analytics' && spec.retentionInDays === null,
      totalRetentionInDaysAsDefault: spec.totalRetentionInDays === null,
    },
  };
}

function schemaType(type: ColumnType): string {
  if (type === 'datetime') return 'dateTime';
  if (type === 'bool') return 'boolean';
  return type;
}
