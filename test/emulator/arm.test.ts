/**
 * The emulator's ARM workspaces, tables and Entra diagnostic settings, driven by the real clients:
 * OperationalInsightsManagementClient for workspaces and tables, getClient (raw requests) for aadiam.
 */
import { request as httpsRequest } from 'node:https';
import { OperationalInsightsManagementClient } from '@azure/arm-operationalinsights';
import { type Client, getClient } from '@azure-rest/core-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArmClient, AzureRequestError } from '../../src/azure/arm.js';
import type { AzureConnection } from '../../src/azure/connection.js';
import { staticTokenCredential } from '../../src/azure/credentials.js';
import {
  deleteDiagnosticSetting,
  getDiagnosticSetting,
  getTable,
  listDiagnosticSettings,
  putCustomTable,
  putDiagnosticSetting,
  updateTableRetention,
} from '../../src/azure/resources.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const TABLE_VERSION = '2022-10-01';
const AAD_VERSION = '2017-04-01';

function sdkClient(connection: AzureConnection, credential = connection.credential) {
  return new OperationalInsightsManagementClient(credential, connection.emulator!.subscriptionId, {
    endpoint: connection.endpoints.arm,
    credentialScopes: [connection.scopes.arm],
    ...connection.clientOptions,
    retryOptions: { maxRetries: 0 },
  });
}

function rawClient(connection: AzureConnection): Client {
  return getClient(connection.endpoints.arm, connection.credential, {
    credentials: { scopes: [connection.scopes.arm] },
    ...connection.clientOptions,
    retryOptions: { maxRetries: 0 },
  });
}

/** A rejected SDK call's HTTP status and error code. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message: string };
    return { status: e.statusCode ?? -1, code: String(e.code), message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('ARM workspaces and tables (OperationalInsightsManagementClient 9)', () => {
  let emu: TestEmulator;
  let client: OperationalInsightsManagementClient;
  let rg: string;
  let ws: string;
  let wsId: string;
  const fast = { updateIntervalInMs: 0 };

  beforeAll(async () => {
    emu = await startTestEmulator();
    client = sdkClient(emu.connection);
    rg = emu.connection.emulator!.resourceGroup;
    ws = emu.connection.emulator!.workspaceName;
    wsId = emu.connection.emulator!.workspaceResourceId;
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('creates, reads, lists, patches and deletes a workspace', async () => {
    const created = await client.workspaces.beginCreateOrUpdateAndWait(
      'other-rg',
      'second-ws',
      { location: 'westeurope', sku: { name: 'PerGB2018' }, retentionInDays: 60 },
      fast,
    );
    expect(created.customerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.customerId).not.toBe(emu.connection.emulator!.workspaceId);
    expect(created.retentionInDays).toBe(60);
    expect(emu.emulator.context.logs.get(created.customerId!)?.armId.toLowerCase()).toBe(
      created.id!.toLowerCase(),
    );

    const again = await client.workspaces.get('other-rg', 'second-ws');
    expect(again.customerId).toBe(created.customerId);
    const inGroup: string[] = [];
    for await (const w of client.workspaces.listByResourceGroup('other-rg')) inGroup.push(w.name!);
    expect(inGroup).toEqual(['second-ws']);
    const all: string[] = [];
    for await (const w of client.workspaces.list()) all.push(w.name!);
    expect(all.sort()).toEqual([ws, 'second-ws'].sort());

    const tooLong = await failure(
      client.workspaces.update('other-rg', 'second-ws', { retentionInDays: 731 }),
    );
    expect(tooLong.status).toBe(400);
    const patched = await client.workspaces.update('other-rg', 'second-ws', { retentionInDays: 90 });
    expect(patched.retentionInDays).toBe(90);
    expect(patched.customerId).toBe(created.customerId);

    await client.workspaces.beginDeleteAndWait('other-rg', 'second-ws', fast);
    expect(emu.emulator.context.logs.get(created.customerId!)).toBeUndefined();
    const gone = await failure(client.workspaces.get('other-rg', 'second-ws'));
    expect(gone).toMatchObject({ status: 404, code: 'ResourceNotFound' });
  });

  test('built-in tables always exist with their schema and default retention', async () => {
    const table = await client.tables.get(rg, ws, 'AADProvisioningLogs');
    expect(table.name).toBe('AADProvisioningLogs');
    expect(table.schema?.tableType).toBe('Microsoft');
    expect(table.schema?.standardColumns?.map((c) => c.name)).toContain('ProvisioningSteps');
    expect(table.schema?.standardColumns?.find((c) => c.name === 'TimeGenerated')?.type).toBe('dateTime');
    expect(table).toMatchObject({
      retentionInDays: 30,
      totalRetentionInDays: 30,
      archiveRetentionInDays: 0,
      retentionInDaysAsDefault: true,
      totalRetentionInDaysAsDefault: true,
      provisioningState: 'Succeeded',
    });
    const names: string[] = [];
    for await (const t of client.tables.listByWorkspace(rg, ws)) names.push(t.name!);
    expect(names).toEqual(expect.arrayContaining(['AADProvisioningLogs', 'AuditLogs']));
    const missing = await failure(client.tables.get(rg, ws, 'NoSuchTable_CL'));
    expect(missing.status).toBe(404);
  });

  test('PATCH keeps unnamed retention values; PUT resets them; long-term values and -1 are accepted', async () => {
    let table = await client.tables.beginUpdateAndWait(
      rg,
      ws,
      'aadprovisioninglogs',
      { retentionInDays: 90, totalRetentionInDays: 4383 },
      fast,
    );
    expect(table).toMatchObject({
      name: 'AADProvisioningLogs',
      retentionInDays: 90,
      totalRetentionInDays: 4383,
    });
    expect(table.archiveRetentionInDays).toBe(4383 - 90);
    expect(table.retentionInDaysAsDefault).toBe(false);

    table = await client.tables.beginUpdateAndWait(
      rg,
      ws,
      'AADProvisioningLogs',
      { totalRetentionInDays: 1095 },
      fast,
    );
    expect(table).toMatchObject({ retentionInDays: 90, totalRetentionInDays: 1095 });

    table = await client.tables.beginCreateOrUpdateAndWait(
      rg,
      ws,
      'AADProvisioningLogs',
      { totalRetentionInDays: 730 },
      fast,
    );
    expect(table).toMatchObject({
      retentionInDays: 30,
      totalRetentionInDays: 730,
      retentionInDaysAsDefault: true,
    });

    table = await client.tables.beginUpdateAndWait(
      rg,
      ws,
      'AADProvisioningLogs',
      { retentionInDays: 120 },
      fast,
    );
    table = await client.tables.beginUpdateAndWait(
      rg,
      ws,
      'AADProvisioningLogs',
      { retentionInDays: -1, totalRetentionInDays: -1 },
      fast,
    );
    expect(table).toMatchObject({
      retentionInDays: 30,
      totalRetentionInDays: 30,
      retentionInDaysAsDefault: true,
      totalRetentionInDaysAsDefault: true,
    });
  });

  test('retention outside the service rules is refused with 400', async () => {
    const cases: [Record<string, number>, RegExp][] = [
      [{ totalRetentionInDays: 4384 }, /totalRetentionInDays must be between 4 and 730 days or one of/],
      [{ totalRetentionInDays: 1000 }, /totalRetentionInDays/],
      [{ retentionInDays: 3 }, /retentionInDays must be between 4 and 730/],
      [{ retentionInDays: 731 }, /retentionInDays must be between 4 and 730/],
      [{ retentionInDays: -2 }, /retentionInDays/],
      [{ retentionInDays: 90, totalRetentionInDays: 60 }, /must be at least the interactive retention/],
    ];
    for (const [parameters, message] of cases) {
      const error = await failure(client.tables.beginUpdateAndWait(rg, ws, 'AuditLogs', parameters, fast));
      expect(error.status, JSON.stringify(parameters)).toBe(400);
      expect(error.message).toMatch(message);
    }
    // A refused change leaves the table as it was.
    expect((await client.tables.get(rg, ws, 'AuditLogs')).retentionInDaysAsDefault).toBe(true);
  });

  test('custom _CL tables: created through PUT, defined in the workspace data, dropped on DELETE', async () => {
    const columns = [
      { name: 'TimeGenerated', type: 'dateTime' },
      { name: 'JobId', type: 'string' },
      { name: 'Steps', type: 'dynamic' },
    ];
    const table = await client.tables.beginCreateOrUpdateAndWait(
      rg,
      ws,
      'EntraProvisioning_CL',
      { retentionInDays: 60, schema: { name: 'EntraProvisioning_CL', columns } },
      fast,
    );
    expect(table.schema?.tableType).toBe('CustomLog');
    expect(table.schema?.columns?.map((c) => [c.name, c.type])).toEqual(columns.map((c) => [c.name, c.type]));
    const data = emu.emulator.context.logs.byArmId(wsId)!;
    expect(data.tableColumns('EntraProvisioning_CL')).toEqual(columns);

    // PATCH adds a column and keeps retention.
    const patched = await client.tables.beginUpdateAndWait(
      rg,
      ws,
      'EntraProvisioning_CL',
      { schema: { name: 'EntraProvisioning_CL', columns: [...columns, { name: 'Count', type: 'long' }] } },
      fast,
    );
    expect(patched.retentionInDays).toBe(60);
    expect(data.tableColumns('EntraProvisioning_CL')?.map((c) => c.name)).toContain('Count');

    const names: string[] = [];
    for await (const t of client.tables.listByWorkspace(rg, ws)) names.push(t.name!);
    expect(names).toContain('EntraProvisioning_CL');

    await client.tables.beginDeleteAndWait(rg, ws, 'EntraProvisioning_CL', fast);
    expect(data.tableColumns('EntraProvisioning_CL')).toBeUndefined();
    expect((await failure(client.tables.get(rg, ws, 'EntraProvisioning_CL'))).status).toBe(404);
    const builtIn = await failure(client.tables.beginDeleteAndWait(rg, ws, 'AuditLogs', fast));
    expect(builtIn.status).toBe(400);
  });

  test('custom table names and columns follow the service rules', async () => {
    const time = { name: 'TimeGenerated', type: 'dateTime' };
    const cases: [string, { name: string; type: string }[], RegExp][] = [
      ['NoSuffix', [time], /must end with _CL/],
      ['Bad_CL', [time, { name: 'TenantId', type: 'string' }], /reserved/],
      ['Bad_CL', [time, { name: 'id', type: 'string' }], /reserved/],
      ['Bad_CL', [time, { name: '1st', type: 'string' }], /must start with a letter/],
      ['Bad_CL', [time, { name: 'A'.repeat(46), type: 'string' }], /at most 45/],
      ['Bad_CL', [time, { name: 'Text', type: 'text' }], /the column types are/],
      ['Bad_CL', [{ name: 'JobId', type: 'string' }], /TimeGenerated/],
      ['Bad_CL', [time, { name: 'x', type: 'string' }, { name: 'X', type: 'long' }], /twice/],
    ];
    for (const [name, columns, message] of cases) {
      const error = await failure(
        client.tables.beginCreateOrUpdateAndWait(rg, ws, name, { schema: { name, columns } }, fast),
      );
      expect(error.status, `${name} ${JSON.stringify(columns)}`).toBe(400);
      expect(error.message).toMatch(message);
    }
    await client.tables.beginCreateOrUpdateAndWait(
      rg,
      ws,
      'Typed_CL',
      { schema: { name: 'Typed_CL', columns: [time, { name: 'N', type: 'long' }] } },
      fast,
    );
    const changed = await failure(
      client.tables.beginCreateOrUpdateAndWait(
        rg,
        ws,
        'Typed_CL',
        { schema: { name: 'Typed_CL', columns: [time, { name: 'N', type: 'string' }] } },
        fast,
      ),
    );
    expect(changed.message).toMatch(/type cannot change/);
    const builtInColumns = await failure(
      client.tables.beginUpdateAndWait(
        rg,
        ws,
        'AuditLogs',
        { schema: { columns: [{ name: 'X_CF', type: 'string' }] } },
        fast,
      ),
    );
    expect(builtInColumns.status).toBe(400);
  });

  test('table writes are long-running operations: 202, Azure-AsyncOperation, polled status', async () => {
    const raw = rawClient(emu.connection);
    const path = `${wsId}/tables/AuditLogs`;
    const accepted = await raw.pathUnchecked(path).patch({
      queryParameters: { 'api-version': TABLE_VERSION },
      body: { properties: { retentionInDays: 45 } },
    });
    expect(accepted.status).toBe('202');
    const operation = accepted.headers['azure-asyncoperation'];
    expect(operation).toMatch(new RegExp(`^${emu.emulator.url}/subscriptions/.+/operationStatuses/`));
    expect(accepted.headers['retry-after']).toBe('0');
    const during = await raw.pathUnchecked(path).get({ queryParameters: { 'api-version': TABLE_VERSION } });
    expect((during.body as { properties: { provisioningState: string } }).properties.provisioningState).toBe(
      'Updating',
    );
    // The link carries the api-version (an absolute URL gets no query parameters from getClient).
    expect(new URL(operation).searchParams.get('api-version')).toBe(TABLE_VERSION);
    const polled = await raw.pathUnchecked(operation).get();
    expect(polled.status, JSON.stringify(polled.body)).toBe('200');
    expect((polled.body as { status: string }).status).toBe('Succeeded');
    const after = await raw.pathUnchecked(path).get({ queryParameters: { 'api-version': TABLE_VERSION } });
    expect((after.body as { properties: Record<string, unknown> }).properties).toMatchObject({
      provisioningState: 'Succeeded',
      retentionInDays: 45,
    });

    emu.emulator.updateSettings({ arm: { asyncTableOperations: false } });
    try {
      const direct = await raw.pathUnchecked(path).patch({
        queryParameters: { 'api-version': TABLE_VERSION },
        body: { properties: { retentionInDays: 50 } },
      });
      expect(direct.status).toBe('200');
      expect((direct.body as { properties: Record<string, unknown> }).properties).toMatchObject({
        provisioningState: 'Succeeded',
        retentionInDays: 50,
      });
    } finally {
      emu.emulator.updateSettings({ arm: { asyncTableOperations: true } });
    }
  });

  test('api-version is required, read even when percent-encoded, and checked', async () => {
    const path = `${wsId}/tables/AuditLogs`;
    const get = (query: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(
          `${emu.emulator.url}${path}${query}`,
          { ca: emu.emulator.ca, headers: { authorization: `Bearer ${emu.emulator.token}` } },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject).end();
      });
    expect((await get('?api%2Dversion=2022-10-01')).status).toBe(200);
    const missing = await get('');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error.code).toBe('MissingApiVersionParameter');
    const unsupported = await get('?api-version=2031-01-01');
    expect(unsupported.status).toBe(400);
    expect(JSON.parse(unsupported.body).error.message).toContain('2022-10-01');
    expect(JSON.parse((await get('?api-version=latest')).body).error.code).toBe('InvalidApiVersionParameter');
  });

  test('the table helpers use the SDK client (PATCH keeps, PUT defines a custom table)', async () => {
    const options = { pollIntervalMs: 0 };
    const custom = await putCustomTable(
      emu.connection,
      wsId,
      'Helper_CL',
      {
        columns: [
          { name: 'TimeGenerated', type: 'dateTime' },
          { name: 'Value', type: 'string' },
        ],
        retentionInDays: 40,
      },
      options,
    );
    expect(custom).toMatchObject({ name: 'Helper_CL', retentionInDays: 40, tableType: 'CustomLog' });
    const updated = await updateTableRetention(
      emu.connection,
      wsId,
      'Helper_CL',
      { totalRetentionInDays: 1460 },
      options,
    );
    expect(updated).toMatchObject({
      retentionInDays: 40,
      totalRetentionInDays: 1460,
      archiveRetentionInDays: 1420,
    });
    const reset = await updateTableRetention(
      emu.connection,
      wsId,
      'Helper_CL',
      { totalRetentionInDays: null },
      options,
    );
    expect(reset).toMatchObject({
      retentionInDays: 40,
      totalRetentionInDays: 40,
      totalRetentionInDaysAsDefault: true,
    });
    expect(await getTable(emu.connection, wsId, 'Helper_CL')).toMatchObject({ totalRetentionInDays: 40 });
    expect(await getTable(emu.connection, wsId, 'Nope_CL')).toBeUndefined();
    const refused = await updateTableRetention(
      emu.connection,
      wsId,
      'Helper_CL',
      { retentionInDays: 1 },
      options,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AzureRequestError);
    expect((refused as AzureRequestError).status).toBe(400);
    expect((refused as AzureRequestError).message).toMatch(/PATCH table .*Helper_CL: 400/);
  });

  test('a wrong bearer token gets 401', async () => {
    const bad = sdkClient(emu.connection, staticTokenCredential('not-the-token'));
    const error = await failure(bad.tables.get(rg, ws, 'AuditLogs'));
    expect(error.status).toBe(401);
    expect(error.code).toBe('InvalidAuthenticationToken');
  });

  test('an unknown subscription is 404 SubscriptionNotFound', async () => {
    const other = new OperationalInsightsManagementClient(
      emu.connection.credential,
      '00000000-0000-0000-0000-000000000000',
      {
        endpoint: emu.connection.endpoints.arm,
        credentialScopes: [emu.connection.scopes.arm],
        ...emu.connection.clientOptions,
      },
    );
    const error = await failure(other.tables.get(rg, ws, 'AuditLogs'));
    expect(error).toMatchObject({ status: 404, code: 'SubscriptionNotFound' });
  });
});

describe('Entra diagnostic settings (microsoft.aadiam, raw requests)', () => {
  let emu: TestEmulator;
  let raw: Client;
  let arm: ArmClient;
  let wsId: string;
  const setting = (name: string) => `/providers/microsoft.aadiam/diagnosticSettings/${name}`;
  const put = (name: string, properties: unknown, path = setting(name)) =>
    raw.pathUnchecked(path).put({ queryParameters: { 'api-version': AAD_VERSION }, body: { properties } });
  const get = (name: string) =>
    raw.pathUnchecked(setting(name)).get({ queryParameters: { 'api-version': AAD_VERSION } });
  const del = (name: string) =>
    raw.pathUnchecked(setting(name)).delete({ queryParameters: { 'api-version': AAD_VERSION } });
  const provisioning = () => ({
    workspaceId: wsId,
    logs: [{ category: 'ProvisioningLogs', enabled: true }],
  });

  beforeAll(async () => {
    emu = await startTestEmulator();
    raw = rawClient(emu.connection);
    arm = new ArmClient(emu.connection);
    wsId = emu.connection.emulator!.workspaceResourceId;
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('lists the Entra log categories', async () => {
    const response = await raw
      .pathUnchecked('/providers/Microsoft.AADIAM/diagnosticSettingsCategories')
      .get({ queryParameters: { 'api-version': '2017-04-01-preview' } });
    expect(response.status).toBe('200');
    const value = (response.body as { value: { name: string; properties: { categoryType: string } }[] })
      .value;
    expect(value.map((c) => c.name)).toEqual(
      expect.arrayContaining(['ProvisioningLogs', 'AuditLogs', 'SignInLogs']),
    );
    expect(value.every((c) => c.properties.categoryType === 'Logs')).toBe(true);
  });

  test('PUT, GET (any path casing), list and DELETE', async () => {
    const created = await put(
      'provlog',
      provisioning(),
      '/providers/Microsoft.AADIAM/diagnosticSettings/provlog',
    );
    expect(created.status).toBe('200');
    expect(created.body).toMatchObject({
      id: '/providers/microsoft.aadiam/diagnosticSettings/provlog',
      name: 'provlog',
      properties: { workspaceId: wsId, logs: [{ category: 'ProvisioningLogs', enabled: true }] },
    });
    const read = await get('provlog');
    expect(read.status).toBe('200');
    expect((await listDiagnosticSettings(arm)).map((s) => s.name)).toEqual(['provlog']);
    expect((await del('provlog')).status).toBe('200');
    expect((await get('provlog')).status).toBe('404');
    expect((await del('provlog')).status).toBe('204');
  });

  test('bodies are checked: destination, workspace resource id, categories, retention policy', async () => {
    const cases: [unknown, RegExp][] = [
      [{ logs: [{ category: 'ProvisioningLogs', enabled: true }] }, /at least one destination/],
      [{ ...provisioning(), workspaceId: emu.connection.emulator!.workspaceId }, /full ARM resource id/],
      [{ ...provisioning(), workspaceId: `${wsId}x` }, /does not exist/],
      [
        { workspaceId: wsId, logs: [{ category: 'Provisioning', enabled: true }] },
        /not a Microsoft Entra log category/,
      ],
      [{ workspaceId: wsId, logs: [{ category: 'ProvisioningLogs' }] }, /enabled is required/],
      [
        {
          workspaceId: wsId,
          logs: [{ category: 'ProvisioningLogs', enabled: true, retentionPolicy: { enabled: false } }],
        },
        /retentionPolicy.days/,
      ],
      [
        {
          workspaceId: wsId,
          logs: [
            { category: 'ProvisioningLogs', enabled: true, retentionPolicy: { enabled: false, days: -1 } },
          ],
        },
        /retentionPolicy.days/,
      ],
    ];
    for (const [properties, message] of cases) {
      const response = await put('checked', properties);
      expect(response.status, JSON.stringify(properties)).toBe('400');
      expect((response.body as { error: { message: string } }).error.message).toMatch(message);
    }
    const ok = await put('checked', {
      workspaceId: wsId,
      logs: [{ category: 'ProvisioningLogs', enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
    });
    expect(ok.status).toBe('200');
    await del('checked');
  });

  test('a setting without an enabled log is accepted but never readable', async () => {
    const response = await put('disabled', {
      workspaceId: wsId,
      logs: [{ category: 'AuditLogs', enabled: false }],
    });
    expect(response.status).toBe('200');
    expect((await get('disabled')).status).toBe('404');
  });

  test('at most five settings; a sixth is refused, an update of one of the five is not', async () => {
    for (let i = 1; i <= 5; i++) expect((await put(`s${i}`, provisioning())).status).toBe('200');
    const sixth = await put('s6', provisioning());
    expect(sixth.status).toBe('400');
    expect(sixth.body).toMatchObject({ error: { code: 'DiagnosticSettingsLimitExceeded' } });
    expect((sixth.body as { error: { message: string } }).error.message).toMatch(/at most 5/);
    expect(
      (await put('s1', { ...provisioning(), logs: [{ category: 'AuditLogs', enabled: true }] })).status,
    ).toBe('200');
    await del('s5');
    expect((await put('s6', provisioning())).status).toBe('200');
    for (const name of ['s1', 's2', 's3', 's4', 's6']) await del(name);
  });

  test('eventual consistency: 404 right after PUT, still present right after DELETE; the helpers wait it out', async () => {
    emu.emulator.updateSettings({ arm: { consistencyDelayMs: 1500 } });
    try {
      expect((await put('slow', provisioning())).status).toBe('200');
      expect((await get('slow')).status).toBe('404');
      expect((await listDiagnosticSettings(arm)).map((s) => s.name)).not.toContain('slow');

      const polls: number[] = [];
      const wait = { pollIntervalMs: 100, onPoll: (n: number) => polls.push(n) };
      await putDiagnosticSetting(arm, 'slow', provisioning(), wait);
      expect(polls.slice(-3)).toEqual([1, 2, 3]);
      expect((await get('slow')).status).toBe('200');

      expect((await del('slow')).status).toBe('200');
      expect((await get('slow')).status).toBe('200');
      await deleteDiagnosticSetting(arm, 'slow', { pollIntervalMs: 100 });
      expect(await getDiagnosticSetting(arm, 'slow')).toBeUndefined();
    } finally {
      emu.emulator.updateSettings({ arm: { consistencyDelayMs: 0 } });
    }
  });

  test('the put helper refuses a setting that would never be readable', async () => {
    await expect(
      putDiagnosticSetting(arm, 'x', {
        workspaceId: wsId,
        logs: [{ category: 'AuditLogs', enabled: false }],
      }),
    ).rejects.toThrow(/enable at least one log category/);
  });
});
