/**
 * Logs Ingestion API: `POST /dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01`.
 * The records are checked against the stream declaration, run through the data flow's transformKql by
 * the embedded engine (`source` is a table of the stream's columns), and appended to the output table
 * of every destination workspace; 204 when all of that succeeded.
 *
 * Where the service is asynchronous (it answers 204 and drops rows it cannot use later) the emulator
 * answers 400 at once: a transform that fails at run time, or an output table that no longer exists.
 */

import { runQuery } from '../../kql/engine.js';
import { KqlError } from '../../kql/errors.js';
import type { Table } from '../../kql/table.js';
import { type DcrLookup, findDcrByImmutableId } from '../arm/data-collection-rules.js';
import type { EmulatorContext } from '../context.js';
import { EmulatorHttpError, type EmulatorReply, type EmulatorRequest, errorReply } from '../http.js';
import type { LogWorkspace } from '../log-data.js';
import type { Params, Route } from '../router.js';
import { ingestionRecords } from './body.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { outputRecords, streamColumnType, streamTable } from './rows.js';

const API_VERSIONS = ['2023-01-01', '2021-11-01-preview'];

export function ingestionRoutes(): Route[] {
  const limiter = new SlidingWindowLimiter();
  return [
    {
      methods: ['POST'],
      pattern: '/dataCollectionRules/:immutableId/streams/:stream',
      handler: (request, params, context) => ingest(request, params, context, limiter),
    },
  ];
}

async function ingest(
  request: EmulatorRequest,
  params: Params,
  context: EmulatorContext,
  limiter: SlidingWindowLimiter,
): Promise<EmulatorReply> {
  const receivedMs = context.now();
  checkApiVersion(request);
  const settings = context.settings().ingestion;
  const dcr = findDcrByImmutableId(context, params.immutableId);
  if (!dcr) {
    return errorReply(
      404,
      'NotFound',
      `Data collection rule with immutable Id '${params.immutableId}' not found.`,
    );
  }
  // Wall-clock time, not context.now(): a test may fix the emulator's clock, and the window must move.
  const admission = limiter.admit(params.immutableId.toLowerCase(), settings.requestsPerMinute, Date.now());
  if (!admission.admitted) {
    return errorReply(
      429,
      'TooManyRequests',
      `More than ${settings.requestsPerMinute} requests per minute were sent for data collection rule '${params.immutableId}'.`,
      {},
      { 'retry-after': String(admission.retryAfterSeconds) },
    );
  }
  const streamName = declaredStream(dcr, params.stream);
  const flows = dcr.dataFlows.filter((f) => f.streams.includes(streamName));
  if (flows.length === 0) {
    return invalidStream(
      `Stream '${params.stream}' is not used by any data flow of the data collection rule.`,
    );
  }
  const records = await ingestionRecords(request, settings.maxBodyBytes);
  const declaration = dcr.streamDeclarations[streamName];
  const source = streamTable(declaration.columns, records);
  const schema = {
    name: 'source',
    columns: declaration.columns.map((c) => ({ name: c.name, type: streamColumnType(c.type) })),
  };

  // Every destination's rows are ready before any is written, so a failure writes nothing.
  const writes: { workspace: LogWorkspace; table: string; rows: Record<string, unknown>[] }[] = [];
  for (const flow of flows) {
    const table = outputTableOf(dcr, flow);
    const output = transform(flow.transformKql ?? 'source', source, schema, receivedMs);
    const rows = outputRecords(output, {
      maxFieldBytes: settings.maxFieldBytes,
      receivedMs,
      replaceOutOfRangeTime: settings.replaceOutOfRangeTimeGenerated,
    });
    for (const destination of flow.destinations) {
      const workspace = dcr.workspaceOf(destination);
      if (!workspace?.tableColumns(table)) {
        return errorReply(
          400,
          'InvalidOutputTable',
          `Table '${table}' of destination '${destination}' does not exist (any more); the rows would be dropped.`,
        );
      }
      writes.push({ workspace, table, rows });
    }
  }
  for (const write of writes) write.workspace.appendRows(write.table, write.rows);
  return { status: 204 };
}

function checkApiVersion(request: EmulatorRequest): void {
  const version = request.url.searchParams.get('api-version');
  if (!version) {
    throw new EmulatorHttpError(
      errorReply(400, 'MissingApiVersionParameter', 'The api-version query parameter is required.'),
    );
  }
  if (!API_VERSIONS.includes(version)) {
    throw new EmulatorHttpError(
      errorReply(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${version}' is not supported; use one of ${API_VERSIONS.join(', ')}.`,
      ),
    );
  }
}

function invalidStream(message: string): EmulatorReply {
  return errorReply(400, 'InvalidStream', message);
}

/** The declared stream's name as the rule spells it. */
function declaredStream(dcr: DcrLookup, stream: string): string {
  if (stream in dcr.streamDeclarations) return stream;
  const lower = stream.toLowerCase();
  const found = Object.keys(dcr.streamDeclarations).find((s) => s.toLowerCase() === lower);
  if (found === undefined) {
    throw new EmulatorHttpError(
      invalidStream(`Stream '${stream}' is not declared in the data collection rule's streamDeclarations.`),
    );
  }
  return found;
}

function outputTableOf(dcr: DcrLookup, flow: DcrLookup['dataFlows'][number]): string {
  const table = dcr.outputTable(flow);
  if (table === undefined || !/_CL$/i.test(table)) {
    throw new EmulatorHttpError(
      errorReply(
        400,
        'InvalidOutputTable',
        `Output stream '${flow.outputStream ?? ''}' is not a custom table; the emulator ingests into Custom-<Table>_CL tables only.`,
      ),
    );
  }
  return table;
}

function transform(
  text: string,
  source: Table,
  schema: { name: string; columns: { name: string; type: string }[] },
  receivedMs: number,
): Table {
  try {
    const output = runQuery(text, {
      source: { table: (name) => (name === 'source' ? source : undefined) },
      schemas: [schema],
      now: BigInt(receivedMs) * 10_000n,
    });
    const result = output.tables[0]?.table;
    if (!result) throw new KqlError('the transform returned no table');
    return result;
  } catch (error) {
    if (!(error instanceof KqlError)) throw error;
    throw new EmulatorHttpError(
      errorReply(400, 'InvalidTransformQuery', `transformKql failed: ${error.message.split('\n')[0]}`),
    );
  }
}
