/**
 * Log alert rules v2 (`Microsoft.Insights/scheduledQueryRules`): the body is checked the way the service
 * checks it, including the query, which is analysed against the scoped workspace's tables.
 */
import { analyze, type TableColumns } from '../../kql/analyzer.js';
import type { EmulatorContext } from '../context.js';
import type { ArmResource } from '../resources.js';
import type { Route } from '../router.js';
import { WORKSPACE_TYPE } from '../workspaces.js';
import {
  badRequest,
  isObject,
  isoDurationMs,
  type Json,
  newEtag,
  objectAt,
  requireLocation,
  systemData,
  tagsOf,
  trackedResourceRoutes,
} from './common.js';

export const SQR_TYPE = 'Microsoft.Insights/scheduledQueryRules';
const API_VERSIONS = ['2023-12-01', '2021-08-01', '2022-06-15', '2025-01-01-preview'] as const;
const TIME_AGGREGATIONS = ['Count', 'Average', 'Minimum', 'Maximum', 'Total'];
const OPERATORS = ['Equals', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual'];
const MINUTE = 60_000;
const READ_ONLY = ['createdWithApiVersion', 'isLegacyLogAnalyticsRule', 'isWorkspaceAlertsStorageConfigured'];

export function scheduledQueryRuleRoutes(): Route[] {
  return trackedResourceRoutes({
    provider: 'Microsoft.Insights',
    type: 'scheduledQueryRules',
    apiVersions: API_VERSIONS,
    put: ({ id, name, body, existing, context, apiVersion }) => {
      const location = requireLocation(body, existing);
      const kind = typeof body.kind === 'string' ? body.kind : 'LogAlert';
      const properties = checkRule(context, kind, objectAt(body, 'properties'));
      return stored(context, { id, name, location, kind, body, existing, properties, apiVersion });
    },
    patch: ({ body, existing, context, apiVersion }) => {
      const kind = String(existing.kind ?? 'LogAlert');
      const merged = { ...objectAt(existing, 'properties'), ...objectAt(body, 'properties') };
      const properties = checkRule(context, kind, merged);
      return stored(context, {
        id: existing.id,
        name: existing.name,
        location: String(existing.location),
        kind,
        body: { tags: body.tags ?? existing.tags },
        existing,
        properties,
        apiVersion,
      });
    },
  });
}

function stored(
  context: EmulatorContext,
  input: {
    id: string;
    name: string;
    location: string;
    kind: string;
    body: Json;
    existing: ArmResource | undefined;
    properties: Json;
    apiVersion: string;
  },
): ArmResource {
  const tags = tagsOf(input.body, undefined);
  const previous = objectAt(input.existing ?? {}, 'properties');
  return {
    id: input.id,
    name: input.name,
    type: SQR_TYPE,
    location: input.location,
    kind: input.kind,
    ...(tags ? { tags } : {}),
    etag: newEtag(),
    systemData: systemData(context, input.existing),
    properties: {
      ...input.properties,
      createdWithApiVersion: previous.createdWithApiVersion ?? input.apiVersion,
      isLegacyLogAnalyticsRule: false,
      isWorkspaceAlertsStorageConfigured: false,
    },
  };
}

function checkRule(context: EmulatorContext, kind: string, input: Json): Json {
  if (!['LogAlert', 'LogToMetric'].includes(kind)) {
    throw badRequest(`kind must be LogAlert or LogToMetric; got '${kind}'.`, 'BadRequest');
  }
  const properties = Object.fromEntries(Object.entries(input).filter(([k]) => !READ_ONLY.includes(k)));
  const logAlert = kind === 'LogAlert';
  const scopes = properties.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string')) {
    throw badRequest('properties.scopes must be a non-empty array of resource ids.', 'BadRequest');
  }
  for (const scope of scopes) {
    if (!context.resources.get(scope)) {
      throw badRequest(`Scope '${scope}' is not an existing resource.`, 'BadRequest');
    }
  }
  if (logAlert || properties.severity !== undefined) {
    const severity = properties.severity;
    if (typeof severity !== 'number' || !Number.isInteger(severity) || severity < 0 || severity > 4) {
      throw badRequest(
        `properties.severity must be an integer from 0 to 4; got ${JSON.stringify(severity)}.`,
      );
    }
  }
  if (properties.enabled !== undefined && typeof properties.enabled !== 'boolean') {
    throw badRequest('properties.enabled must be true or false.');
  }
  checkDuration(properties, 'evaluationFrequency', logAlert, MINUTE, 24 * 60 * MINUTE);
  checkDuration(properties, 'windowSize', logAlert, MINUTE, 2 * 24 * 60 * MINUTE);
  checkDuration(properties, 'muteActionsDuration', false, 0, 2 * 24 * 60 * MINUTE);
  checkDuration(properties, 'overrideQueryTimeRange', false, MINUTE, 2 * 24 * 60 * MINUTE);
  const resolve = properties.ruleResolveConfiguration;
  if (isObject(resolve)) checkDuration(resolve, 'timeToResolve', false, MINUTE, 24 * 60 * MINUTE);

  const allOf = objectAt(properties, 'criteria').allOf;
  if (!Array.isArray(allOf) || allOf.length === 0) {
    throw badRequest('properties.criteria.allOf must hold one condition.');
  }
  if (logAlert && allOf.length > 1) {
    throw badRequest('A log alert rule supports exactly one condition in criteria.allOf.');
  }
  const workspace = scopes.map((s) => context.resources.get(s)).find((r) => r?.type === WORKSPACE_TYPE);
  const schemas = workspace ? (context.logs.byArmId(workspace.id)?.schemas() ?? []) : [];
  allOf.forEach((condition, index) => {
    checkCondition(condition, `properties.criteria.allOf[${index}]`, logAlert, {
      schemas,
      validateQuery: properties.skipQueryValidation !== true && workspace !== undefined,
    });
  });

  const actions = properties.actions;
  if (actions !== undefined && actions !== null) {
    const groups = objectAt(properties, 'actions').actionGroups ?? [];
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) {
      throw badRequest('properties.actions.actionGroups must be an array of action group resource ids.');
    }
    for (const group of groups) {
      const found = context.resources.get(group);
      if (found?.type.toLowerCase() !== 'microsoft.insights/actiongroups') {
        throw badRequest(`Action group '${group}' does not exist.`, 'BadRequest');
      }
    }
  }
  return { enabled: true, ...properties };
}

function checkDuration(on: Json, field: string, required: boolean, minMs: number, maxMs: number): void {
  const value = on[field];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`properties.${field} is required (an ISO 8601 duration such as PT5M).`);
    return;
  }
  const ms = isoDurationMs(value);
  if (ms === undefined) {
    throw badRequest(`${field} '${String(value)}' is not an ISO 8601 duration (e.g. PT5M, PT1H, P1D).`);
  }
  if (ms < minMs || ms > maxMs) {
    throw badRequest(
      `${field} '${String(value)}' is out of range (${minMs / MINUTE} to ${maxMs / MINUTE} minutes).`,
    );
  }
}

function checkCondition(
  raw: unknown,
  at: string,
  logAlert: boolean,
  options: { schemas: TableColumns[]; validateQuery: boolean },
): void {
  if (!isObject(raw)) throw badRequest(`${at} must be an object.`);
  const query = raw.query;
  if (typeof query !== 'string' || query.trim() === '') throw badRequest(`${at}.query is required.`);
  const aggregation = raw.timeAggregation;
  if (typeof aggregation !== 'string' || !TIME_AGGREGATIONS.includes(aggregation)) {
    throw badRequest(`${at}.timeAggregation must be one of ${TIME_AGGREGATIONS.join(', ')}.`);
  }
  if (
    aggregation !== 'Count' &&
    (typeof raw.metricMeasureColumn !== 'string' || raw.metricMeasureColumn === '')
  ) {
    throw badRequest(`${at}.metricMeasureColumn is required when timeAggregation is ${aggregation}.`);
  }
  if (logAlert) {
    if (typeof raw.operator !== 'string' || !OPERATORS.includes(raw.operator)) {
      throw badRequest(`${at}.operator must be one of ${OPERATORS.join(', ')}.`);
    }
    if (typeof raw.threshold !== 'number' || !Number.isFinite(raw.threshold)) {
      throw badRequest(`${at}.threshold must be a number.`);
    }
  }
  const dimensions = raw.dimensions ?? [];
  if (!Array.isArray(dimensions)) throw badRequest(`${at}.dimensions must be an array.`);
  for (const d of dimensions) {
    if (!isObject(d) || typeof d.name !== 'string' || d.name === '') {
      throw badRequest(`${at}.dimensions entries need a name.`);
    }
    if (d.operator !== 'Include' && d.operator !== 'Exclude') {
      throw badRequest(`Dimension '${d.name}': operator must be Include or Exclude.`);
    }
    if (!Array.isArray(d.values) || d.values.length === 0 || !d.values.every((v) => typeof v === 'string')) {
      throw badRequest(
        `Dimension '${d.name}': values must be a non-empty array of strings (use ["*"] for all).`,
      );
    }
  }
  const failing = raw.failingPeriods;
  if (failing !== undefined && failing !== null) {
    const f = isObject(failing) ? failing : {};
    const periods = f.numberOfEvaluationPeriods ?? 1;
    const minFailing = f.minFailingPeriodsToAlert ?? 1;
    if (
      typeof periods !== 'number' ||
      typeof minFailing !== 'number' ||
      !Number.isInteger(periods) ||
      !Number.isInteger(minFailing) ||
      periods < 1 ||
      periods > 6 ||
      minFailing < 1 ||
      minFailing > periods
    ) {
      throw badRequest(
        `${at}.failingPeriods needs 1 ≤ minFailingPeriodsToAlert ≤ numberOfEvaluationPeriods ≤ 6.`,
      );
    }
  }
  if (options.validateQuery) checkQueryText(query, at, raw, options.schemas);
}

/** The query must analyse cleanly, and name the columns the condition uses. */
function checkQueryText(query: string, at: string, condition: Json, schemas: TableColumns[]): void {
  const analysis = analyze(query, schemas);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'Error');
  if (errors.length > 0) {
    const first = errors[0];
    throw badRequest(
      `${at}.query is invalid (line ${first.line}, column ${first.column}): ${first.message}`,
      'BadRequest',
    );
  }
  if (!analysis.columns) return;
  const names = new Set(analysis.columns.map((c) => c.name));
  const used = [
    ...(typeof condition.metricMeasureColumn === 'string' ? [condition.metricMeasureColumn] : []),
    ...(typeof condition.resourceIdColumn === 'string' ? [condition.resourceIdColumn] : []),
    ...((condition.dimensions ?? []) as { name: string }[]).map((d) => d.name),
  ];
  for (const column of used) {
    if (!names.has(column)) {
      throw badRequest(
        `${at}: column '${column}' is not in the query's results (${[...names].join(', ')}).`,
        'BadRequest',
      );
    }
  }
}
