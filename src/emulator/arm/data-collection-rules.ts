/**
 * Data collection rules (direct ingestion) and data collection endpoints. A DCR is checked the way the
 * service checks it (declared streams, existing destinations and output tables, a transform that
 * parses) and gets an immutableId and a logsIngestion endpoint: the emulator itself.
 */
import { randomBytes } from 'node:crypto';
import { analyze } from '../../kql/analyzer.js';
import { TABLES } from '../../model/schema.js';
import type { EmulatorContext } from '../context.js';
import type { ErrorDetail } from '../http.js';
import type { LogWorkspace } from '../log-data.js';
import type { ArmResource } from '../resources.js';
import type { Route } from '../router.js';
import {
  armError,
  isObject,
  type Json,
  newEtag,
  objectAt,
  publicView,
  requireLocation,
  systemData,
  tagsOf,
  trackedResourceRoutes,
} from './common.js';

export const DCR_TYPE = 'Microsoft.Insights/dataCollectionRules';
export const DCE_TYPE = 'Microsoft.Insights/dataCollectionEndpoints';
const API_VERSIONS = ['2023-03-11', '2024-03-11', '2022-06-01'] as const;
const STREAM_COLUMN_TYPES = ['string', 'int', 'long', 'real', 'boolean', 'datetime', 'dynamic'];

export interface DcrColumn {
  name: string;
  /** DCR stream type names: string, int, long, real, boolean, datetime, dynamic. */
  type: string;
}

export interface DcrStreamDeclaration {
  columns: DcrColumn[];
}

export interface DcrDataFlow {
  streams: string[];
  destinations: string[];
  transformKql?: string;
  /** `Custom-<Table>_CL` or `Microsoft-<Table>`; absent for a `Custom-<Table>_CL` input stream. */
  outputStream?: string;
}

export interface DcrLookup {
  resource: ArmResource;
  streamDeclarations: Record<string, DcrStreamDeclaration>;
  dataFlows: DcrDataFlow[];
  /** The workspace of the rule's first Log Analytics destination. */
  workspace: LogWorkspace | undefined;
  /** The workspace of a named Log Analytics destination. */
  workspaceOf(destination: string): LogWorkspace | undefined;
  /** The table a flow writes to: `outputStream` without its prefix (e.g. `EntraProvisioning_CL`). */
  outputTable(flow: DcrDataFlow): string | undefined;
}

/** The DCR with this immutableId (case-insensitive), for the Logs Ingestion routes. */

/** PATCH of a rule or endpoint: only its tags change (and its etag). */
const patchTags = ({
  body,
  existing,
  context,
}: {
  body: Json;
  existing: ArmResource;
  context: EmulatorContext;
}) => ({
  ...existing,
  ...(body.tags !== undefined ? { tags: tagsOf(body, existing) } : {}),
  etag: newEtag(),
  systemData: systemData(context, existing),
});

export function findDcrByImmutableId(context: EmulatorContext, immutableId: string): DcrLookup | undefined {
  const wanted = immutableId.toLowerCase();
  const resource = context.resources
    .list(DCR_TYPE)
    .find((r) => String(objectAt(r, 'properties').immutableId ?? '').toLowerCase() === wanted);
  if (!resource) return undefined;
  const properties = objectAt(resource, 'properties');
  const destinations = logAnalyticsDestinations(properties);
  const workspaceOf = (name: string): LogWorkspace | undefined => {
    const destination = destinations.find((d) => d.name === name);
    return destination ? context.logs.byArmId(destination.workspaceResourceId) : undefined;
  };
  return {
    resource,
    streamDeclarations: (properties.streamDeclarations ?? {}) as Record<string, DcrStreamDeclaration>,
    dataFlows: (properties.dataFlows ?? []) as DcrDataFlow[],
    workspace: destinations[0] ? context.logs.byArmId(destinations[0].workspaceResourceId) : undefined,
    workspaceOf,
    outputTable,
  };
}

function outputTable(flow: DcrDataFlow): string | undefined {
  const output = flow.outputStream ?? flow.streams.find((s) => /^Custom-.+_CL$/i.test(s));
  if (output === undefined) return undefined;
  return output.replace(/^(Custom|Microsoft)-/i, '');
}

interface LogAnalyticsDestination {
  name: string;
  workspaceResourceId: string;
}

function logAnalyticsDestinations(properties: Json): LogAnalyticsDestination[] {
  const list = objectAt(properties, 'destinations').logAnalytics;
  return Array.isArray(list) ? (list.filter(isObject) as unknown as LogAnalyticsDestination[]) : [];
}

export function dataCollectionRoutes(): Route[] {
  return [
    ...trackedResourceRoutes({
      provider: 'Microsoft.Insights',
      type: 'dataCollectionRules',
      apiVersions: API_VERSIONS,
      put: ({ id, name, body, existing, context }) => {
        const location = requireLocation(body, existing);
        const properties = objectAt(body, 'properties');
        const kind = typeof body.kind === 'string' ? body.kind : undefined;
        const checked = validateRule(context, kind, properties);
        const previous = objectAt(existing ?? {}, 'properties');
        const tags = tagsOf(body, undefined);
        return {
          id,
          name,
          type: DCR_TYPE,
          location,
          ...(kind ? { kind } : {}),
          ...(tags ? { tags } : {}),
          etag: newEtag(),
          systemData: systemData(context, existing),
          properties: {
            ...(typeof properties.description === 'string' ? { description: properties.description } : {}),
            immutableId: previous.immutableId ?? `dcr-${randomBytes(16).toString('hex')}`,
            ...(typeof properties.dataCollectionEndpointId === 'string'
              ? { dataCollectionEndpointId: properties.dataCollectionEndpointId }
              : {}),
            ...checked,
            provisioningState: 'Succeeded',
          },
        };
      },
      patch: patchTags,
      view: (resource, _request, context) => {
        const view = publicView(resource);
        const properties = objectAt(view, 'properties');
        // The endpoint is the emulator's current address (its port changes between runs).
        const endpoints =
          String(resource.kind ?? '').toLowerCase() === 'direct' ? { logsIngestion: context.baseUrl } : {};
        return { ...view, properties: { ...properties, endpoints } };
      },
    }),
    ...trackedResourceRoutes({
      provider: 'Microsoft.Insights',
      type: 'dataCollectionEndpoints',
      apiVersions: API_VERSIONS,
      put: ({ id, name, body, existing, context }) => {
        const location = requireLocation(body, existing);
        const properties = objectAt(body, 'properties');
        const previous = objectAt(existing ?? {}, 'properties');
        const tags = tagsOf(body, undefined);
        return {
          id,
          name,
          type: DCE_TYPE,
          location,
          ...(typeof body.kind === 'string' ? { kind: body.kind } : {}),
          ...(tags ? { tags } : {}),
          etag: newEtag(),
          systemData: systemData(context, existing),
          properties: {
            ...(typeof properties.description === 'string' ? { description: properties.description } : {}),
            immutableId: previous.immutableId ?? `dce-${randomBytes(16).toString('hex')}`,
            networkAcls: isObject(properties.networkAcls)
              ? properties.networkAcls
              : { publicNetworkAccess: 'Enabled' },
            provisioningState: 'Succeeded',
          },
        };
      },
      patch: patchTags,
      view: (resource, _request, context) => {
        const view = publicView(resource);
        const properties = objectAt(view, 'properties');
        return {
          ...view,
          properties: {
            ...properties,
            configurationAccess: { endpoint: context.baseUrl },
            logsIngestion: { endpoint: context.baseUrl },
            metricsIngestion: { endpoint: context.baseUrl },
          },
        };
      },
    }),
  ];
}

/** The checked rule properties, or a 400 InvalidPayload listing every problem. */
function validateRule(context: EmulatorContext, kind: string | undefined, properties: Json): Json {
  const problems: ErrorDetail[] = [];
  const problem = (code: string, message: string, target?: string): void => {
    problems.push({ code, message, ...(target ? { target } : {}) });
  };

  const streams = checkStreamDeclarations(properties.streamDeclarations, problem);
  const dceId = properties.dataCollectionEndpointId;
  if (dceId !== undefined && dceId !== null) {
    if (typeof dceId !== 'string' || !context.resources.get(dceId)) {
      problem(
        'InvalidDataCollectionEndpoint',
        `dataCollectionEndpointId '${String(dceId)}' is not an existing data collection endpoint.`,
        'properties.dataCollectionEndpointId',
      );
    }
  } else if (kind?.toLowerCase() !== 'direct' && Object.keys(streams).length > 0) {
    problem(
      'InvalidKind',
      'A rule with stream declarations needs kind "Direct" (an ingestion endpoint of its own) or a dataCollectionEndpointId.',
      'kind',
    );
  }
  const destinations = checkDestinations(context, properties.destinations, problem);
  const dataFlows = checkDataFlows(properties.dataFlows, streams, destinations, problem);

  if (problems.length > 0) {
    throw armError(400, 'InvalidPayload', 'Data collection rule is invalid', problems);
  }
  return {
    streamDeclarations: streams,
    destinations: properties.destinations,
    dataFlows,
  };
}

type Problem = (code: string, message: string, target?: string) => void;

function checkStreamDeclarations(value: unknown, problem: Problem): Record<string, DcrStreamDeclaration> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    problem(
      'InvalidStreamDeclaration',
      'streamDeclarations must be an object.',
      'properties.streamDeclarations',
    );
    return {};
  }
  const result: Record<string, DcrStreamDeclaration> = {};
  for (const [stream, declaration] of Object.entries(value)) {
    const target = `properties.streamDeclarations.${stream}`;
    if (!/^Custom-[A-Za-z0-9_.-]+$/.test(stream)) {
      problem('InvalidStream', `Stream name '${stream}' must start with 'Custom-'.`, target);
      continue;
    }
    const columns = isObject(declaration) ? declaration.columns : undefined;
    if (!Array.isArray(columns) || columns.length === 0) {
      problem('InvalidStreamDeclaration', `Stream '${stream}' declares no columns.`, target);
      continue;
    }
    const checked: DcrColumn[] = [];
    const seen = new Set<string>();
    for (const column of columns) {
      const name = isObject(column) ? column.name : undefined;
      const type =
        isObject(column) && typeof column.type === 'string' ? column.type.toLowerCase() : undefined;
      if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problem('InvalidStreamDeclaration', `Stream '${stream}' has a column with an invalid name.`, target);
        continue;
      }
      if (seen.has(name.toLowerCase())) {
        problem('InvalidStreamDeclaration', `Stream '${stream}' declares column '${name}' twice.`, target);
        continue;
      }
      seen.add(name.toLowerCase());
      if (type === undefined || !STREAM_COLUMN_TYPES.includes(type)) {
        problem(
          'InvalidStreamDeclaration',
          `Column '${name}' of stream '${stream}' has type '${String(isObject(column) ? column.type : '')}'; the types are ${STREAM_COLUMN_TYPES.join(', ')}.`,
          target,
        );
        continue;
      }
      checked.push({ name, type });
    }
    result[stream] = { columns: checked };
  }
  return result;
}

function checkDestinations(
  context: EmulatorContext,
  value: unknown,
  problem: Problem,
): Map<string, LogWorkspace> {
  const found = new Map<string, LogWorkspace>();
  const list = isObject(value) ? value.logAnalytics : undefined;
  if (list === undefined) return found;
  if (!Array.isArray(list)) {
    problem('InvalidDestination', 'destinations.logAnalytics must be an array.', 'properties.destinations');
    return found;
  }
  for (const entry of list) {
    const name = isObject(entry) ? entry.name : undefined;
    const workspaceId = isObject(entry) ? entry.workspaceResourceId : undefined;
    if (typeof name !== 'string' || name === '') {
      problem(
        'InvalidDestination',
        'Every Log Analytics destination needs a name.',
        'properties.destinations',
      );
      continue;
    }
    if (found.has(name)) {
      problem('InvalidDestination', `Destination name '${name}' is used twice.`, 'properties.destinations');
      continue;
    }
    const workspace =
      typeof workspaceId === 'string' && context.resources.get(workspaceId)
        ? context.logs.byArmId(workspaceId)
        : undefined;
    if (!workspace) {
      problem(
        'InvalidDestination',
        `Destination '${name}': workspaceResourceId '${String(workspaceId)}' is not an existing Log Analytics workspace resource id.`,
        'properties.destinations',
      );
      continue;
    }
    found.set(name, workspace);
  }
  return found;
}

function checkDataFlows(
  value: unknown,
  streams: Record<string, DcrStreamDeclaration>,
  destinations: Map<string, LogWorkspace>,
  problem: Problem,
): DcrDataFlow[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problem('InvalidDataFlow', 'dataFlows must be an array.', 'properties.dataFlows');
    return [];
  }
  const flows: DcrDataFlow[] = [];
  value.forEach((raw, index) => {
    const target = `properties.dataFlows[${index}]`;
    const flow = isObject(raw) ? raw : {};
    const flowStreams = Array.isArray(flow.streams) ? flow.streams.filter((s) => typeof s === 'string') : [];
    const flowDestinations = Array.isArray(flow.destinations)
      ? flow.destinations.filter((s) => typeof s === 'string')
      : [];
    if (flowStreams.length === 0) problem('InvalidDataFlow', 'A data flow names no streams.', target);
    if (flowDestinations.length === 0)
      problem('InvalidDataFlow', 'A data flow names no destinations.', target);
    for (const stream of flowStreams) {
      if (stream.startsWith('Custom-') && !(stream in streams)) {
        problem('InvalidStream', `Stream '${stream}' is not declared in streamDeclarations.`, target);
      } else if (!stream.startsWith('Custom-') && !stream.startsWith('Microsoft-')) {
        problem('InvalidStream', `Stream '${stream}' must start with 'Custom-' or 'Microsoft-'.`, target);
      }
    }
    for (const destination of flowDestinations) {
      if (!destinations.has(destination)) {
        problem('InvalidDataFlow', `Destination '${destination}' is not defined in destinations.`, target);
      }
    }
    const outputStream = typeof flow.outputStream === 'string' ? flow.outputStream : undefined;
    const transformKql = typeof flow.transformKql === 'string' ? flow.transformKql : undefined;
    const checked: DcrDataFlow = {
      streams: flowStreams,
      destinations: flowDestinations,
      ...(transformKql !== undefined ? { transformKql } : {}),
      ...(outputStream !== undefined ? { outputStream } : {}),
    };
    const table = checkOutput(checked, destinations, problem, target);
    if (transformKql !== undefined) {
      for (const stream of flowStreams) {
        const declaration = streams[stream];
        if (declaration) checkTransform(transformKql, declaration, table, problem, target);
      }
    }
    flows.push(checked);
  });
  return flows;
}

/** The output table's columns (lower-cased names → type) when known. */
function checkOutput(
  flow: DcrDataFlow,
  destinations: Map<string, LogWorkspace>,
  problem: Problem,
  target: string,
): Map<string, string> | undefined {
  const table = outputTable(flow);
  if (table === undefined) {
    problem(
      'InvalidOutputTable',
      'outputStream is required: name the table as Custom-<Table>_CL or Microsoft-<Table>.',
      target,
    );
    return undefined;
  }
  const output = flow.outputStream ?? `Custom-${table}`;
  if (/^Microsoft-/i.test(output)) {
    const builtIn = Object.values(TABLES).find((t) => t.name.toLowerCase() === table.toLowerCase());
    if (!builtIn) {
      problem('InvalidOutputTable', `Output stream '${output}' names no built-in table.`, target);
      return undefined;
    }
    return new Map(builtIn.columns.map((c) => [c.name.toLowerCase(), c.type]));
  }
  if (!/^Custom-.+_CL$/i.test(output)) {
    problem(
      'InvalidOutputTable',
      `Output stream '${output}' must be Custom-<Table>_CL or Microsoft-<Table>.`,
      target,
    );
    return undefined;
  }
  let columns: Map<string, string> | undefined;
  for (const destination of flow.destinations) {
    const workspace = destinations.get(destination);
    if (!workspace) continue;
    const found = workspace.tableColumns(table);
    if (!found) {
      problem(
        'InvalidOutputTable',
        `Table '${table}' does not exist in the workspace of destination '${destination}'; create the table before the rule.`,
        target,
      );
      continue;
    }
    columns = new Map(found.map((c) => [c.name.toLowerCase(), c.type.toLowerCase()]));
  }
  return columns;
}

function checkTransform(
  text: string,
  declaration: DcrStreamDeclaration,
  outputColumns: Map<string, string> | undefined,
  problem: Problem,
  target: string,
): void {
  const source = {
    name: 'source',
    columns: declaration.columns.map((c) => ({ name: c.name, type: c.type === 'boolean' ? 'bool' : c.type })),
  };
  let analysis: ReturnType<typeof analyze>;
  try {
    analysis = analyze(text, [source]);
  } catch (error) {
    problem(
      'InvalidTransformQuery',
      `transformKql could not be analysed: ${(error as Error).message}`,
      target,
    );
    return;
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === 'Error');
  if (errors.length > 0) {
    const first = errors[0];
    problem(
      'InvalidTransformQuery',
      `transformKql is invalid (line ${first.line}, column ${first.column}): ${first.message}`,
      target,
    );
    return;
  }
  if (outputColumns && analysis.columns) {
    const names = analysis.columns.map((c) => c.name.toLowerCase());
    if (!names.includes('timegenerated')) {
      problem(
        'InvalidTransformOutput',
        'The transform output has no TimeGenerated column, which the output table requires.',
        target,
      );
    }
  }
}
