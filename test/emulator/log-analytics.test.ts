/**
 * The emulator's Log Analytics query API through the real LogsQueryClient (and raw HTTPS where the SDK
 * cannot send the request), on a generated tenant. Expected values come from the local engine reading
 * the same workspace directly.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { staticTokenCredential } from '../../src/azure/credentials.js';
import { LogsQuery, LogsQueryError } from '../../src/azure/logs-query.js';
import { apiTableFromSdk, outputFromApi, parseJsonExact } from '../../src/azure/query-result.js';
import { runQuery } from '../../src/kql/engine.js';
import { responseJson } from '../../src/kql/result.js';
import { WorkspaceTableSource, workspaceSchemas } from '../../src/kql/workspace-source.js';
import { Workspace } from '../../src/store/workspace.js';
import { provlog, tempDir, tenantArgs } from '../helpers/cli.js';
import { type RawAnswer, rawRequest, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const END = '2026-05-15T00:00:00Z';
/** The emulator's clock: durations end here. */
const NOW = '2026-05-13T12:00:00Z';
const ALL = { startTime: new Date('2026-01-01T00:00:00Z'), endTime: new Date('2026-06-01T00:00:00Z') };
const COUNT = 'AADProvisioningLogs | summarize n = count()';

let ws: string;
let emulator: TestEmulator;
let client: LogsQueryClient;
let workspaceId: string;
let emptyWorkspaceId: string;

/** The local engine's answer (the v1 response text) for the same workspace. */
function local(text: string): string {
  const output = runQuery(text, {
    source: new WorkspaceTableSource(Workspace.open(ws)),
    schemas: workspaceSchemas(),
    now: NOW,
  });
  return responseJson(output);
}

function localCount(from: string, to: string): number {
  const response = JSON.parse(
    local(`${COUNT.replace('|', `| where TimeGenerated between (datetime(${from}) .. datetime(${to})) |`)}`),
  );
  return response.tables[0].rows[0][0];
}

type Answer = RawAnswer;

function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: string; contentType?: string; prefer?: string } = {},
): Promise<Answer> {
  return rawRequest(emulator, method, path, {
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    headers: {
      ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
      ...(options.prefer ? { prefer: options.prefer } : {}),
    },
  });
}

function rows(answer: Answer): unknown[][] {
  return JSON.parse(answer.body).tables[0].rows;
}

async function restError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode?: number; code?: string; details?: { error?: Record<string, never> } };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  const dir = tempDir('provlog-la-');
  ws = join(dir, 'ws');
  const generated = provlog([
    'generate',
    '--workspace',
    ws,
    ...tenantArgs(11, { users: 40, apps: 3, days: 6, end: END }),
  ]);
  expect(generated.code, generated.stderr).toBe(0);
  emulator = await startTestEmulator({ workspaceDir: ws, now: NOW });
  workspaceId = emulator.connection.emulator!.workspaceId;
  emptyWorkspaceId = randomUUID();
  emulator.emulator.context.logs.create({
    customerId: emptyWorkspaceId,
    armId: `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/empty`,
  });
  const { credential, endpoints, clientOptions } = emulator.connection;
  client = new LogsQueryClient(credential, {
    endpoint: endpoints.query,
    ...clientOptions,
    retryOptions: { maxRetries: 0 },
  });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('query API: timespans', () => {
  const count = async (timespan: Parameters<LogsQueryClient['queryWorkspace']>[2]) => {
    const result = await client.queryWorkspace(workspaceId, COUNT, timespan);
    if (result.status !== LogsQueryResultStatus.Success) throw new Error('not a success');
    return result.tables[0].rows[0][0];
  };

  test('a duration ends at the service clock', async () => {
    const expected = localCount('2026-05-11T12:00:00Z', NOW);
    expect(expected).toBeGreaterThan(0);
    expect(await count({ duration: 'P2D' })).toBe(expected);
    expect(await count({ duration: 'PT48H' })).toBe(expected);
  });

  test('start/end, start/duration and duration/end windows', async () => {
    const expected = localCount('2026-05-10T06:00:00Z', '2026-05-11T18:00:00Z');
    expect(expected).toBeGreaterThan(0);
    const start = new Date('2026-05-10T06:00:00Z');
    const end = new Date('2026-05-11T18:00:00Z');
    expect(await count({ startTime: start, endTime: end })).toBe(expected);
    expect(await count({ startTime: start, duration: 'PT36H' })).toBe(expected);
    expect(await count({ duration: 'P1DT12H', endTime: end })).toBe(expected);
  });

  test('a timespan in the query string and the body: the intersection; none: all data', async () => {
    const all = localCount('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    const both = await call(
      'POST',
      `/v1/workspaces/${workspaceId}/query?timespan=2026-05-09T00:00:00Z/2026-05-11T00:00:00Z`,
      {
        body: JSON.stringify({ query: COUNT, timespan: '2026-05-10T00:00:00Z/2026-05-12T00:00:00Z' }),
      },
    );
    expect(both.status).toBe(200);
    expect(rows(both)[0][0]).toBe(localCount('2026-05-10T00:00:00Z', '2026-05-11T00:00:00Z'));
    const none = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      body: JSON.stringify({ query: COUNT }),
    });
    expect(rows(none)[0][0]).toBe(all);
    const apart = await call(
      'POST',
      `/v1/workspaces/${workspaceId}/query?timespan=2026-05-01T00:00:00Z/2026-05-02T00:00:00Z`,
      {
        body: JSON.stringify({ query: COUNT, timespan: '2026-05-10T00:00:00Z/2026-05-12T00:00:00Z' }),
      },
    );
    expect(rows(apart)[0][0]).toBe(0);
  });

  test('GET with the query and timespan in the query string', async () => {
    const query = encodeURIComponent(COUNT);
    const answer = await call('GET', `/v1/workspaces/${workspaceId}/query?query=${query}&timespan=P1D`);
    expect(answer.status).toBe(200);
    expect(rows(answer)[0][0]).toBe(localCount('2026-05-12T12:00:00Z', NOW));
  });

  test('a malformed timespan is a 400, a body that is not JSON gets an empty 200', async () => {
    const bad = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      body: JSON.stringify({ query: COUNT, timespan: 'yesterday' }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('BadArgumentError');
    const text = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      body: COUNT,
      contentType: 'text/plain',
    });
    expect(text.status).toBe(200);
    expect(text.body).toBe('');
  });
});

describe('query API: results', () => {
  test('statistics and render only when preferred, with Preference-Applied', async () => {
    const text = 'AADProvisioningLogs | summarize n = count() by ResultType | render barchart';
    const plain = await client.queryWorkspace(workspaceId, text, ALL);
    expect(plain.statistics).toBeUndefined();
    expect(plain.visualization).toBeUndefined();
    const rich = await client.queryWorkspace(workspaceId, text, ALL, {
      includeQueryStatistics: true,
      includeVisualization: true,
    });
    expect(rich.statistics?.query?.executionTime).toBeGreaterThanOrEqual(0);
    expect(rich.statistics?.query?.datasetStatistics?.[0]?.tableRowCount).toBe(
      rich.status === LogsQueryResultStatus.Success ? rich.tables[0].rows.length : -1,
    );
    expect(rich.visualization).toMatchObject({ visualization: 'barchart', kind: 'default' });
    const raw = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      body: JSON.stringify({ query: text }),
      prefer: 'wait=30, include-render=true',
    });
    expect(raw.headers['preference-applied']).toBe('wait=30,include-render=true');
    expect(JSON.parse(raw.body).render.visualization).toBe('barchart');
  });

  test('datetime, dynamic, timespan, long and other cells round-trip to the engine values', async () => {
    const text = `AADProvisioningLogs | take 50
      | project TimeGenerated, Props = parse_json(ModifiedProperties), Duration = DurationMs * 1ms, DurationMs,
        Big = 9007199254740993, Real = todouble(DurationMs) / 7, Nan = real(nan), Flag = ResultType == 'Success',
        Guid = toguid(CycleId), Target = TargetIdentity`;
    const expected = local(text);
    // The emulator's own encoding is the local engine's, byte for byte.
    const raw = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      body: JSON.stringify({ query: text }),
    });
    expect(raw.body).toBe(expected);
    // provlog's client reads the cells back to engine values that re-encode identically.
    const answer = await new LogsQuery(emulator.connection).query(workspaceId, text, ALL);
    expect(responseJson(outputFromApi(answer.tables))).toBe(expected);
    // The SDK's own conversion: Date and parsed dynamic.
    const sdk = await client.queryWorkspace(workspaceId, text, ALL);
    if (sdk.status !== LogsQueryResultStatus.Success) throw new Error('not a success');
    expect(sdk.tables[0].rows[0][0]).toBeInstanceOf(Date);
    expect(typeof sdk.tables[0].rows[0][1]).toBe('object');
    // From the SDK's values, cells survive except datetime digits below the millisecond.
    const fromSdk = JSON.parse(responseJson(outputFromApi(sdk.tables.map(apiTableFromSdk))));
    const exact = parseJsonExact(expected) as { tables: { rows: unknown[][] }[] };
    fromSdk.tables[0].rows.forEach((row: unknown[], r: number) => {
      const want = exact.tables[0].rows[r];
      expect(Date.parse(row[0] as string)).toBe(Date.parse(want[0] as string));
      expect(row.slice(1, 4)).toEqual(want.slice(1, 4));
    });
  });

  test('a resource-centric query reaches the workspace by its ARM id', async () => {
    const info = emulator.connection.emulator!;
    const result = await client.queryResource(info.workspaceResourceId, COUNT, ALL);
    if (result.status !== LogsQueryResultStatus.Success) throw new Error('not a success');
    expect(result.tables[0].rows[0][0]).toBe(localCount('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z'));
    const missing = await restError(client.queryResource(`${info.workspaceResourceId}x`, COUNT, ALL));
    expect(missing.statusCode).toBe(404);
  });

  test('a cross-workspace query reads the additional workspaces too', async () => {
    const twin = randomUUID();
    emulator.emulator.context.logs.create({
      customerId: twin,
      armId: `/subscriptions/${randomUUID()}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/twin`,
      storeDir: ws,
    });
    const total = localCount('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    const logs = new LogsQuery(emulator.connection);
    const union = await logs.query(workspaceId, COUNT, ALL, {
      additionalWorkspaces: [twin, emptyWorkspaceId],
    });
    expect(union.tables[0].rows[0][0]).toBe(2 * total);
    const byName = await logs.query(workspaceId, COUNT, ALL, { additionalWorkspaces: ['twin'] });
    expect(byName.tables[0].rows[0][0]).toBe(2 * total);
    const unknown = await restError(
      logs.query(workspaceId, COUNT, ALL, { additionalWorkspaces: ['nowhere'] }),
    );
    expect(unknown).toMatchObject({ status: 400, codes: ['FailedToResolveResource'] });
  });

  test('results past the row limit: 200 with the rows up to it and a PartialError', async () => {
    emulator.emulator.updateSettings({ query: { maxResultRows: 7 } });
    try {
      const result = await client.queryWorkspace(workspaceId, 'AADProvisioningLogs | take 20', ALL);
      expect(result.status).toBe(LogsQueryResultStatus.PartialFailure);
      if (result.status !== LogsQueryResultStatus.PartialFailure) return;
      expect(result.partialTables[0].rows).toHaveLength(7);
      expect(result.partialError.code).toBe('PartialError');
      const answer = await new LogsQuery(emulator.connection).query(
        workspaceId,
        'AADProvisioningLogs | take 20',
        ALL,
      );
      expect(answer.status).toBe('partial');
      expect(JSON.stringify(answer.partialError)).toContain('E_QUERY_RESULT_SET_TOO_LARGE');
    } finally {
      emulator.emulator.updateSettings({ query: { maxResultRows: 500_000 } });
    }
  });

  test('a query slower than Prefer: wait is a 504 GatewayTimeout', async () => {
    emulator.emulator.updateSettings({ query: { executionDelayMs: 2_500 } });
    try {
      const error = await restError(
        client.queryWorkspace(workspaceId, COUNT, ALL, { serverTimeoutInSeconds: 1 }),
      );
      expect(error.statusCode).toBe(504);
      expect(error.code).toBe('GatewayTimeout');
    } finally {
      emulator.emulator.updateSettings({ query: { executionDelayMs: 0 } });
    }
  });
});

describe('query API: errors', () => {
  test('syntax and semantic errors: 400 BadArgumentError with the inner error', async () => {
    const syntax = await restError(client.queryWorkspace(workspaceId, 'AADProvisioningLogs | where', ALL));
    expect(syntax.statusCode).toBe(400);
    expect(syntax.code).toBe('BadArgumentError');
    expect(syntax.details?.error?.innererror).toMatchObject({ code: 'SyntaxError' });
    const semantic = await restError(client.queryWorkspace(workspaceId, 'NoSuchTable | take 1', ALL));
    expect(semantic.statusCode).toBe(400);
    expect(semantic.details?.error?.innererror).toMatchObject({ code: 'SemanticError' });
    // The raw body carries the position; provlog's client gives the engine's diagnostic.
    const raw = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      body: JSON.stringify({ query: 'print x = 1\n| project y' }),
    });
    expect(JSON.parse(raw.body).error.innererror).toMatchObject({
      code: 'SemanticError',
      line: 2,
      pos: 10,
      token: 'y',
    });
    const error = await restError(new LogsQuery(emulator.connection).query(workspaceId, 'NoSuchTable', ALL));
    expect(error).toBeInstanceOf(LogsQueryError);
    expect((error as LogsQueryError).codes.slice(0, 2)).toEqual(['BadArgumentError', 'SemanticError']);
    expect((error as LogsQueryError).message).toContain("The name 'NoSuchTable' does not refer");
    const control = await restError(client.queryWorkspace(workspaceId, '.show tables', ALL));
    expect(control.statusCode).toBe(400);
    expect(control.code).toBe('BadArgumentError');
  });

  test('a wrong token is 403 InvalidAuthenticationToken; no Authorization header is 401', async () => {
    const wrong = new LogsQueryClient(staticTokenCredential('not-the-token'), {
      endpoint: emulator.connection.endpoints.query,
      ...emulator.connection.clientOptions,
    });
    const error = await restError(wrong.queryWorkspace(workspaceId, COUNT, ALL));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('InvalidAuthenticationToken');
    const anonymous = await call('POST', `/v1/workspaces/${workspaceId}/query`, {
      token: null,
      body: JSON.stringify({ query: COUNT }),
    });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).error.code).toBe('AuthenticationFailed');
  });

  test('an unknown workspace is 404 PathNotFoundError', async () => {
    const error = await restError(client.queryWorkspace(randomUUID(), COUNT, ALL));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('PathNotFoundError');
  });

  test('an empty workspace answers 204: the SDK throws, provlog reads it as no data', async () => {
    const raw = await call('POST', `/v1/workspaces/${emptyWorkspaceId}/query`, {
      body: JSON.stringify({ query: COUNT }),
    });
    expect(raw.status).toBe(204);
    expect(raw.body).toBe('');
    await expect(client.queryWorkspace(emptyWorkspaceId, COUNT, ALL)).rejects.toThrow();
    const answer = await new LogsQuery(emulator.connection).query(emptyWorkspaceId, COUNT, ALL);
    expect(answer).toEqual({ status: 'empty', tables: [] });
  });
});

describe('query API: $batch', () => {
  test('per-request statuses, results matched to ids', async () => {
    const logs = new LogsQuery(emulator.connection);
    const answers = await logs.batch([
      { id: 'count', workspaceId, query: COUNT, timespan: ALL },
      { id: 'broken', workspaceId, query: 'NoSuchTable', timespan: ALL },
      { id: 'elsewhere', workspaceId: randomUUID(), query: COUNT, timespan: ALL },
      { id: 'empty', workspaceId: emptyWorkspaceId, query: COUNT, timespan: ALL },
      { id: 'render', workspaceId, query: 'print n = 1 | render table', timespan: ALL, includeRender: true },
    ]);
    const total = localCount('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    const count = answers.get('count');
    expect(count && 'tables' in count ? count.tables[0].rows[0][0] : undefined).toBe(total);
    const broken = answers.get('broken');
    expect(broken).toBeInstanceOf(LogsQueryError);
    expect((broken as LogsQueryError).status).toBe(400);
    expect((answers.get('elsewhere') as LogsQueryError).status).toBe(404);
    expect(answers.get('empty')).toEqual({ status: 'empty', tables: [] });
    expect(answers.get('render')).toMatchObject({ render: { visualization: 'table' } });
    // The SDK itself: results in request order, failures as partial results.
    const sdk = await client.queryBatch([
      { workspaceId, query: 'print n = 1', timespan: ALL },
      { workspaceId, query: 'NoSuchTable', timespan: ALL },
    ]);
    expect(sdk.map((r) => r.status)).toEqual([
      LogsQueryResultStatus.Success,
      LogsQueryResultStatus.PartialFailure,
    ]);
  });

  test('the whole batch fails for bad JSON and for missing or duplicate ids', async () => {
    const item = (id?: string) => ({
      ...(id ? { id } : {}),
      path: '/query',
      method: 'POST',
      workspace: workspaceId,
      body: { query: 'print 1' },
    });
    const badJson = await call('POST', '/v1/$batch', { body: '{"requests": [' });
    expect(badJson.status).toBe(400);
    const missing = await call('POST', '/v1/$batch', {
      body: JSON.stringify({ requests: [item('a'), item()] }),
    });
    expect(missing.status).toBe(400);
    const duplicate = await call('POST', '/v1/$batch', {
      body: JSON.stringify({ requests: [item('a'), item('a')] }),
    });
    expect(duplicate.status).toBe(400);
    expect(JSON.parse(duplicate.body).error.message).toContain('"a"');
    const ok = await call('POST', '/v1/$batch', {
      body: JSON.stringify({ requests: [item('b'), { ...item('a'), path: '/nowhere' }] }),
    });
    expect(ok.status).toBe(200);
    expect(
      JSON.parse(ok.body).responses.map((r: { id: string; status: number }) => [r.id, r.status]),
    ).toEqual([
      ['b', 200],
      ['a', 404],
    ]);
  });
});
