/**
 * The emulator's Logs Ingestion API, driven by the real LogsIngestionClient (gzip bodies, percent-encoded
 * api-version) and checked with the real LogsQueryClient: the transform runs, the size limit holds at
 * exactly 1 MiB, and errors come back with the status and code the SDK reports.
 */
import { randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { isAggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArmClient } from '../../src/azure/arm.js';
import { staticTokenCredential } from '../../src/azure/credentials.js';
import { putCustomTable, putDataCollectionRule } from '../../src/azure/resources.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const TABLE = 'Probe_CL';
const STREAM = 'Custom-Probe';

interface RestFailure {
  statusCode?: number;
  code?: string;
  message: string;
  response?: { headers: { get(name: string): string | undefined } };
}

/** The cause of the (single) failed chunk of an upload, or undefined when it succeeded. */
async function uploadFailure(promise: Promise<void>): Promise<RestFailure | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(isAggregateLogsUploadError(error)).toBe(true);
    if (!isAggregateLogsUploadError(error)) throw error;
    return error.errors[0].cause as RestFailure;
  }
}

describe('Logs Ingestion API', () => {
  let emu: TestEmulator;
  let client: LogsIngestionClient;
  let query: LogsQueryClient;
  let ruleId: string;
  let endpoint: string;
  let workspaceId: string;

  beforeAll(async () => {
    emu = await startTestEmulator({ settings: { arm: { asyncTableOperations: false } } });
    const identity = emu.connection.emulator!;
    workspaceId = identity.workspaceId;
    await putCustomTable(emu.connection, identity.workspaceResourceId, TABLE, {
      columns: [
        { name: 'TimeGenerated', type: 'dateTime' },
        { name: 'Sent', type: 'dateTime' },
        { name: 'Name', type: 'string' },
        { name: 'Count', type: 'long' },
        { name: 'Flag', type: 'boolean' },
        { name: 'Extra', type: 'string' },
        { name: 'Doubled', type: 'long' },
      ],
    });
    const rule = await putDataCollectionRule(new ArmClient(emu.connection), {
      subscriptionId: identity.subscriptionId,
      resourceGroup: identity.resourceGroup,
      name: 'probe',
      location: 'eastus',
      streamDeclarations: {
        [STREAM]: {
          columns: [
            { name: 'TimeGenerated', type: 'datetime' },
            { name: 'Name', type: 'string' },
            { name: 'Count', type: 'long' },
            { name: 'Flag', type: 'boolean' },
          ],
        },
      },
      destinations: { logAnalytics: [{ name: 'law', workspaceResourceId: identity.workspaceResourceId }] },
      dataFlows: [
        {
          streams: [STREAM],
          destinations: ['law'],
          transformKql: 'source | extend Doubled = Count * 2, Sent = TimeGenerated',
          outputStream: `Custom-${TABLE}`,
        },
      ],
    });
    ruleId = rule.immutableId;
    endpoint = rule.logsIngestion!;
    client = new LogsIngestionClient(endpoint, emu.connection.credential, {
      ...emu.connection.clientOptions,
      retryOptions: { maxRetries: 0 },
    });
    query = new LogsQueryClient(emu.connection.credential, {
      endpoint: emu.connection.endpoints.query,
      ...emu.connection.clientOptions,
    });
  }, 60_000);

  afterAll(async () => {
    await emu?.stop();
  });

  async function rows(kql: string): Promise<unknown[][]> {
    const result = await query.queryWorkspace(workspaceId, kql, { duration: 'P30D' });
    if (result.status !== 'Success') throw new Error('query failed');
    return result.tables[0].rows;
  }

  /** A raw POST, for bodies the SDK never sends (uncompressed, broken gzip, not an array). */
  function post(
    body: Buffer,
    headers: Record<string, string>,
  ): Promise<{ status: number; code: string | undefined; message: string }> {
    const url = new URL(`/dataCollectionRules/${ruleId}/streams/${STREAM}?api-version=2023-01-01`, endpoint);
    return new Promise((resolvePromise, reject) => {
      const req = httpsRequest(
        url,
        {
          method: 'POST',
          ca: emu.emulator.ca,
          headers: {
            authorization: `Bearer ${emu.emulator.token}`,
            'content-type': 'application/json',
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const error = text
              ? (JSON.parse(text) as { error: { code: string; message: string } }).error
              : undefined;
            const code = res.headers['x-ms-error-code'];
            expect(code).toBe(error?.code);
            resolvePromise({ status: res.statusCode ?? 0, code: error?.code, message: error?.message ?? '' });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  test('bodies may come uncompressed or gzipped; broken ones are named in a 400', async () => {
    const records = (name: string) =>
      Buffer.from(JSON.stringify([{ TimeGenerated: new Date().toISOString(), Name: name }]));
    expect((await post(records('plain'), {})).status).toBe(204);
    expect((await post(gzipSync(records('zipped')), { 'content-encoding': 'gzip' })).status).toBe(204);
    expect(await rows(`${TABLE} | where Name in ('plain', 'zipped') | count`)).toEqual([[2]]);

    const broken = await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect(broken).toMatchObject({ status: 400, code: 'InvalidPayload' });
    expect(broken.message).toContain('gzip');
    const object = await post(Buffer.from('{"Name":"x"}'), {});
    expect(object).toMatchObject({ status: 400, code: 'InvalidPayload' });
    expect(object.message).toContain('JSON array');
    const notJson = await post(Buffer.from('[{"Name": '), {});
    expect(notJson.message).toContain('not valid JSON');
  });

  test('the limit holds for the compressed body as sent', async () => {
    emu.emulator.updateSettings({ ingestion: { maxBodyBytes: 4_000 } });
    try {
      // Random hex compresses to about half: over the limit compressed, and uncompressed too.
      const body = gzipSync(Buffer.from(JSON.stringify([{ Name: randomBytes(8_000).toString('hex') }])));
      expect(body.length).toBeGreaterThan(4_000);
      const answer = await post(body, { 'content-encoding': 'gzip' });
      expect(answer).toMatchObject({ status: 413, code: 'ContentLengthLimitExceeded' });
      expect(answer.message).toContain('The compressed request body');
    } finally {
      emu.emulator.updateSettings({ ingestion: { maxBodyBytes: 1_048_576 } });
    }
  });

  test('the rule points the client at the emulator', () => {
    expect(endpoint).toBe(emu.emulator.url);
    expect(ruleId).toMatch(/^dcr-[0-9a-f]{32}$/);
  });

  test('rows run through transformKql into the output table; undeclared columns are dropped', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 10 * 86_400_000);
    await client.upload(ruleId, STREAM, [
      { TimeGenerated: now.toISOString(), Name: 'first', Count: 21, Flag: true, Extra: 'not declared' },
      { TimeGenerated: old.toISOString(), Name: 'second', Count: '4', Flag: 'false' },
    ]);
    const found = await rows(
      `${TABLE} | where Name in ('first', 'second') | project Name, Count, Doubled, Flag, Extra, TimeGenerated, Sent | order by Name asc`,
    );
    expect(found.map((r) => r.slice(0, 5))).toEqual([
      ['first', 21, 42, true, ''],
      ['second', 4, 8, false, ''],
    ]);
    // A TimeGenerated more than two days old is replaced with the arrival time; the transform's copy stays.
    const [, second] = found;
    expect((second[6] as Date).getTime()).toBe(old.getTime());
    expect(Math.abs((second[5] as Date).getTime() - now.getTime())).toBeLessThan(60_000);
  });

  test('a value of the wrong type is a 400 naming the record and column', async () => {
    const failure = await uploadFailure(
      client.upload(ruleId, STREAM, [
        { TimeGenerated: new Date().toISOString(), Name: 'ok', Count: 1 },
        { TimeGenerated: new Date().toISOString(), Name: 'bad', Count: 'many' },
      ]),
    );
    expect(failure?.statusCode).toBe(400);
    expect(failure?.code).toBe('InvalidPayload');
    expect(failure?.message).toContain("Record 1, column 'Count'");
    expect(await rows(`${TABLE} | where Name in ('ok', 'bad') | count`)).toEqual([[0]]);
  });

  test('an undeclared stream is 400 InvalidStream', async () => {
    const failure = await uploadFailure(client.upload(ruleId, 'Custom-Nope', [{ Name: 'x' }]));
    expect(failure?.statusCode).toBe(400);
    expect(failure?.code).toBe('InvalidStream');
  });

  test('an unknown rule is 404', async () => {
    const failure = await uploadFailure(
      client.upload('dcr-00000000000000000000000000000000', STREAM, [{ Name: 'x' }]),
    );
    expect(failure?.statusCode).toBe(404);
  });

  test('a wrong token is 401', async () => {
    const stranger = new LogsIngestionClient(endpoint, staticTokenCredential('not-the-token'), {
      ...emu.connection.clientOptions,
      retryOptions: { maxRetries: 0 },
    });
    const failure = await uploadFailure(stranger.upload(ruleId, STREAM, [{ Name: 'x' }]));
    expect(failure?.statusCode).toBe(401);
  });

  test('the body may be 1 MiB uncompressed, not a byte more; long values are cut to 64 KB', async () => {
    // One record whose JSON array is exactly `size` bytes (the SDK sends a record over 10^6 bytes alone).
    const record = (name: string, size: number) => {
      const base = JSON.stringify([{ TimeGenerated: new Date().toISOString(), Name: name, Count: 0 }]);
      return {
        TimeGenerated: new Date().toISOString(),
        Name: `${name}${'x'.repeat(size - base.length)}`,
        Count: 0,
      };
    };
    const limit = 1_048_576;
    const exact = record('limit', limit);
    expect(JSON.stringify([exact]).length).toBe(limit);
    expect(await uploadFailure(client.upload(ruleId, STREAM, [exact]))).toBeUndefined();
    expect(await rows(`${TABLE} | where Name startswith 'limit' | project strlen(Name)`)).toEqual([[65_536]]);

    const failure = await uploadFailure(client.upload(ruleId, STREAM, [record('over', limit + 1)]));
    expect(failure?.statusCode).toBe(413);
    expect(failure?.code).toBe('ContentLengthLimitExceeded');
    expect(await rows(`${TABLE} | where Name startswith 'over' | count`)).toEqual([[0]]);
  });

  test('more requests per minute than the rule allows get 429 with Retry-After', async () => {
    // A rule of its own: the limit counts per rule (the first rule had more than 3 requests this minute).
    const identity = emu.connection.emulator!;
    const rule = await putDataCollectionRule(new ArmClient(emu.connection), {
      subscriptionId: identity.subscriptionId,
      resourceGroup: identity.resourceGroup,
      name: 'probe-rate',
      location: 'eastus',
      streamDeclarations: {
        [STREAM]: {
          columns: [
            { name: 'TimeGenerated', type: 'datetime' },
            { name: 'Name', type: 'string' },
          ],
        },
      },
      destinations: { logAnalytics: [{ name: 'law', workspaceResourceId: identity.workspaceResourceId }] },
      dataFlows: [
        { streams: [STREAM], destinations: ['law'], transformKql: 'source', outputStream: `Custom-${TABLE}` },
      ],
    });
    emu.emulator.updateSettings({ ingestion: { requestsPerMinute: 3 } });
    try {
      const outcomes: (RestFailure | undefined)[] = [];
      for (let i = 0; i < 5; i++) {
        const record = { TimeGenerated: new Date().toISOString(), Name: `rate${i}` };
        outcomes.push(await uploadFailure(client.upload(rule.immutableId, STREAM, [record])));
      }
      expect(outcomes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
      expect(outcomes.slice(3).map((o) => o?.statusCode)).toEqual([429, 429]);
      const retryAfter = Number(outcomes[3]?.response?.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await rows(`${TABLE} | where Name startswith 'rate' | count`)).toEqual([[3]]);
    } finally {
      emu.emulator.updateSettings({ ingestion: { requestsPerMinute: 12_000 } });
    }
  });
});
