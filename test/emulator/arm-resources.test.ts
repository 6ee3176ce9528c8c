/**
 * The emulator's data collection rules, alert rules, action groups, workbooks, query packs and saved
 * searches, driven with raw ARM requests through the SDK pipeline (getClient) and provlog's helpers;
 * and ARM state surviving a restart on the same data directory.
 */
import { rmSync } from 'node:fs';
import { type Client, getClient } from '@azure-rest/core-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArmClient, AzureRequestError } from '../../src/azure/arm.js';
import type { AzureConnection } from '../../src/azure/connection.js';
import {
  type DataCollectionRuleDefinition,
  deleteResource,
  putActionGroup,
  putCustomTable,
  putDataCollectionRule,
  putQueryPack,
  putQueryPackQuery,
  putSavedSearch,
  putScheduledQueryRule,
  putWorkbook,
  stableGuid,
  updateTableRetention,
} from '../../src/azure/resources.js';
import { findDcrByImmutableId } from '../../src/emulator/arm/data-collection-rules.js';
import { workspaceFunctions } from '../../src/emulator/arm/saved-searches.js';
import { tempDir } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

function rawClient(connection: AzureConnection): Client {
  return getClient(connection.endpoints.arm, connection.credential, {
    credentials: { scopes: [connection.scopes.arm] },
    ...connection.clientOptions,
    retryOptions: { maxRetries: 0 },
  });
}

type Body = {
  error?: { code: string; message: string; details?: { code: string; message: string }[] };
} & Record<string, unknown>;

async function rejection(promise: Promise<unknown>): Promise<AzureRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AzureRequestError);
  return error as AzureRequestError;
}

const TABLE = 'EntraProvisioning_CL';
const STREAM = 'Custom-EntraProvisioning';

describe('ARM monitoring resources', () => {
  let emu: TestEmulator;
  let arm: ArmClient;
  let raw: Client;
  let sub: string;
  let rg: string;
  let wsId: string;
  const rgPath = () => `/subscriptions/${sub}/resourceGroups/${rg}`;
  const call = async (method: 'GET' | 'PUT' | 'DELETE', path: string, version: string, body?: unknown) => {
    const resource = raw.pathUnchecked(path);
    const options = { queryParameters: { 'api-version': version }, ...(body !== undefined ? { body } : {}) };
    const response =
      method === 'GET'
        ? await resource.get(options)
        : method === 'PUT'
          ? await resource.put(options)
          : await resource.delete(options);
    return { status: Number(response.status), body: response.body as Body };
  };

  const rule = (overrides: Partial<DataCollectionRuleDefinition> = {}): DataCollectionRuleDefinition => ({
    subscriptionId: sub,
    resourceGroup: rg,
    name: 'provlog-backfill',
    location: 'westeurope',
    streamDeclarations: {
      [STREAM]: {
        columns: [
          { name: 'TimeGenerated', type: 'datetime' },
          { name: 'JobId', type: 'string' },
          { name: 'Ok', type: 'boolean' },
        ],
      },
    },
    destinations: { logAnalytics: [{ name: 'law', workspaceResourceId: wsId }] },
    dataFlows: [
      {
        streams: [STREAM],
        destinations: ['law'],
        transformKql: 'source | where Ok | project TimeGenerated, JobId',
        outputStream: `Custom-${TABLE}`,
      },
    ],
    ...overrides,
  });

  beforeAll(async () => {
    emu = await startTestEmulator();
    arm = new ArmClient(emu.connection);
    raw = rawClient(emu.connection);
    sub = emu.connection.emulator!.subscriptionId;
    rg = emu.connection.emulator!.resourceGroup;
    wsId = emu.connection.emulator!.workspaceResourceId;
    await putCustomTable(
      emu.connection,
      wsId,
      TABLE,
      {
        columns: [
          { name: 'TimeGenerated', type: 'dateTime' },
          { name: 'JobId', type: 'string' },
        ],
      },
      { pollIntervalMs: 0 },
    );
  });
  afterAll(async () => {
    await emu.stop();
  });

  test('a data collection rule gets a stable immutableId and the emulator as its ingestion endpoint', async () => {
    const first = await putDataCollectionRule(arm, rule());
    expect(first.immutableId).toMatch(/^dcr-[0-9a-f]{32}$/);
    expect(first.logsIngestion).toBe(emu.emulator.url);
    expect(first.resource).toMatchObject({ kind: 'Direct', properties: { provisioningState: 'Succeeded' } });
    expect(first.resource.etag).toBeTypeOf('string');

    const second = await putDataCollectionRule(arm, rule({ description: 'updated' }));
    expect(second.immutableId).toBe(first.immutableId);
    expect(second.resource.etag).not.toBe(first.resource.etag);

    const lookup = findDcrByImmutableId(emu.emulator.context, first.immutableId.toUpperCase());
    expect(lookup?.workspace?.customerId).toBe(emu.connection.emulator!.workspaceId);
    expect(lookup?.streamDeclarations[STREAM].columns.map((c) => c.name)).toEqual([
      'TimeGenerated',
      'JobId',
      'Ok',
    ]);
    expect(lookup?.dataFlows[0].transformKql).toContain('project');
    expect(lookup?.outputTable(lookup.dataFlows[0])).toBe(TABLE);
    expect(
      findDcrByImmutableId(emu.emulator.context, 'dcr-00000000000000000000000000000000'),
    ).toBeUndefined();

    const listed = await call(
      'GET',
      `${rgPath()}/providers/Microsoft.Insights/dataCollectionRules`,
      '2023-03-11',
    );
    expect((listed.body.value as { name: string }[]).map((r) => r.name)).toEqual(['provlog-backfill']);
  });

  test('invalid rules are refused with InvalidPayload and a detail per problem', async () => {
    const flow = rule().dataFlows[0];
    const cases: [Partial<DataCollectionRuleDefinition>, string][] = [
      [{ dataFlows: [{ ...flow, streams: ['Custom-Undeclared'] }] }, 'InvalidStream'],
      [{ streamDeclarations: { EntraProvisioning: rule().streamDeclarations[STREAM] } }, 'InvalidStream'],
      [{ dataFlows: [{ ...flow, outputStream: 'Custom-Missing_CL' }] }, 'InvalidOutputTable'],
      [{ dataFlows: [{ ...flow, outputStream: 'Microsoft-NoSuchTable' }] }, 'InvalidOutputTable'],
      [{ dataFlows: [{ ...flow, transformKql: 'source | wher Ok' }] }, 'InvalidTransformQuery'],
      [{ dataFlows: [{ ...flow, transformKql: 'source | project NotAColumn' }] }, 'InvalidTransformQuery'],
      [{ dataFlows: [{ ...flow, transformKql: 'source | project JobId' }] }, 'InvalidTransformOutput'],
      [
        {
          streamDeclarations: { [STREAM]: { columns: [{ name: 'TimeGenerated', type: 'timestamp' }] } },
        },
        'InvalidStreamDeclaration',
      ],
      [
        { destinations: { logAnalytics: [{ name: 'law', workspaceResourceId: `${wsId}-gone` }] } },
        'InvalidDestination',
      ],
      [{ dataFlows: [{ ...flow, destinations: ['elsewhere'] }] }, 'InvalidDataFlow'],
    ];
    for (const [overrides, detail] of cases) {
      const error = await rejection(putDataCollectionRule(arm, rule({ name: 'bad-rule', ...overrides })));
      expect(error.status, detail).toBe(400);
      expect(error.code).toBe('InvalidPayload');
      const details = (error.body as Body).error?.details ?? [];
      expect(
        details.map((d) => d.code),
        JSON.stringify(details),
      ).toContain(detail);
    }
    // Without kind Direct (and no endpoint) there is nowhere to send data.
    const { streamDeclarations, destinations, dataFlows } = rule();
    const body = { location: 'westeurope', properties: { streamDeclarations, destinations, dataFlows } };
    const noKind = await call(
      'PUT',
      `${rgPath()}/providers/Microsoft.Insights/dataCollectionRules/no-kind`,
      '2023-03-11',
      body,
    );
    expect(noKind.status).toBe(400);
    expect(noKind.body.error?.details?.map((d) => d.code)).toContain('InvalidKind');
    const noLocation = await call(
      'PUT',
      `${rgPath()}/providers/Microsoft.Insights/dataCollectionRules/x`,
      '2023-03-11',
      {
        kind: 'Direct',
        properties: {},
      },
    );
    expect(noLocation.body.error?.code).toBe('LocationRequired');
    expect(
      (
        await call(
          'GET',
          `${rgPath()}/providers/Microsoft.Insights/dataCollectionRules/bad-rule`,
          '2023-03-11',
        )
      ).status,
    ).toBe(404);
  });

  test('a rule with a data collection endpoint ingests through the endpoint', async () => {
    const dcePath = `${rgPath()}/providers/Microsoft.Insights/dataCollectionEndpoints/provlog-dce`;
    const dce = await call('PUT', dcePath, '2023-03-11', { location: 'westeurope', properties: {} });
    expect(dce.status).toBe(201);
    const dceId = String(dce.body.id);
    const result = await putDataCollectionRule(
      arm,
      rule({ name: 'via-dce', dataCollectionEndpointId: dceId }),
    );
    expect(result.resource.kind).toBeUndefined();
    expect(result.logsIngestion).toBe(emu.emulator.url);
  });

  test('log alert rules v2 and action groups: create, read, delete, and their validation', async () => {
    const groupAt = { subscriptionId: sub, resourceGroup: rg, name: 'provlog-oncall' };
    const group = await putActionGroup(arm, groupAt, {
      groupShortName: 'provlog',
      emailReceivers: [{ name: 'ops', emailAddress: 'ops@example.com', useCommonAlertSchema: true }],
    });
    expect(group).toMatchObject({
      location: 'Global',
      properties: { enabled: true, emailReceivers: [{ status: 'Enabled' }] },
    });
    const longName = await rejection(
      putActionGroup(arm, { ...groupAt, name: 'g2' }, { groupShortName: 'much-too-long-name' }),
    );
    expect(longName.message).toMatch(/longer than 12/);
    const regional = await call(
      'PUT',
      `${rgPath()}/providers/Microsoft.Insights/actionGroups/g3`,
      '2021-09-01',
      {
        location: 'westeurope',
        properties: { groupShortName: 'g3', enabled: true },
      },
    );
    expect(regional.status).toBe(400);

    const body = (criteria: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) => ({
      location: 'westeurope',
      kind: 'LogAlert',
      properties: {
        displayName: 'provlog: provisioning failures',
        severity: 2,
        enabled: true,
        scopes: [wsId],
        evaluationFrequency: 'PT15M',
        windowSize: 'PT1H',
        criteria: {
          allOf: [
            {
              query: "AADProvisioningLogs | where ResultType == 'Failure'",
              timeAggregation: 'Count',
              operator: 'GreaterThan',
              threshold: 10,
              dimensions: [{ name: 'JobId', operator: 'Include', values: ['*'] }],
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              ...criteria,
            },
          ],
        },
        actions: { actionGroups: [group.id], customProperties: { source: 'provlog' } },
        ...properties,
      },
    });
    const at = { subscriptionId: sub, resourceGroup: rg, name: 'provlog-failures' };
    const path = `${rgPath()}/providers/Microsoft.Insights/scheduledQueryRules/provlog-failures`;
    const created = await call('PUT', path, '2023-12-01', body());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: path,
      type: 'Microsoft.Insights/scheduledQueryRules',
      properties: { createdWithApiVersion: '2023-12-01', severity: 2 },
    });
    expect((await putScheduledQueryRule(arm, at, body({ threshold: 20 }))).properties).toMatchObject({
      criteria: { allOf: [{ threshold: 20 }] },
    });

    const cases: [Record<string, unknown>, Record<string, unknown>, RegExp][] = [
      [{ query: 'AADProvisioningLogs | wher x' }, {}, /query is invalid/],
      [{ query: 'NoSuchTable | count' }, {}, /query is invalid/],
      [
        { dimensions: [{ name: 'NotAColumn', operator: 'Include', values: ['*'] }] },
        {},
        /not in the query's results/,
      ],
      [{ timeAggregation: 'Average' }, {}, /metricMeasureColumn is required/],
      [{ timeAggregation: 'Sum' }, {}, /timeAggregation must be one of/],
      [{ operator: 'Above' }, {}, /operator must be one of/],
      [
        { failingPeriods: { numberOfEvaluationPeriods: 2, minFailingPeriodsToAlert: 3 } },
        {},
        /failingPeriods/,
      ],
      [{}, { severity: 5 }, /severity must be an integer from 0 to 4/],
      [{}, { evaluationFrequency: '15m' }, /not an ISO 8601 duration/],
      [{}, { windowSize: 'P3D' }, /out of range/],
      [{}, { scopes: [`${wsId}-gone`] }, /not an existing resource/],
      [{}, { actions: { actionGroups: [`${group.id}-gone`] } }, /does not exist/],
    ];
    for (const [criteria, properties, message] of cases) {
      const response = await call('PUT', path, '2023-12-01', body(criteria, properties));
      expect(response.status, JSON.stringify([criteria, properties])).toBe(400);
      expect(response.body.error?.message).toMatch(message);
    }
    // skipQueryValidation lets a query the analyser refuses through, as the service does.
    const skipped = await call(
      'PUT',
      path,
      '2023-12-01',
      body({ query: 'Custom_CL | count', dimensions: [] }, { skipQueryValidation: true }),
    );
    expect(skipped.status).toBe(200);

    expect((await call('GET', path, '2023-12-01')).status).toBe(200);
    expect((await call('GET', path, '2021-08-01')).status).toBe(200);
    expect((await call('DELETE', path, '2023-12-01')).status).toBe(200);
    expect((await call('GET', path, '2023-12-01')).body.error?.code).toBe('ResourceNotFound');
    expect((await call('DELETE', path, '2023-12-01')).status).toBe(204);
  });

  test('workbooks: GUID names, serializedData as a string, content only on request, revisions', async () => {
    const id = stableGuid('provlog-workbooks', 'overview');
    expect(id).toBe(stableGuid('provlog-workbooks', 'overview'));
    const workbook = {
      subscriptionId: sub,
      resourceGroup: rg,
      id,
      location: 'westeurope',
      displayName: 'provlog – Provisioning overview',
      content: { version: 'Notebook/1.0', items: [] },
      sourceId: wsId,
    };
    const created = await putWorkbook(arm, workbook);
    expect(created).toMatchObject({
      name: id,
      kind: 'shared',
      properties: { category: 'workbook', sourceId: wsId },
    });
    expect(JSON.parse(String((created.properties as Record<string, unknown>).serializedData))).toEqual(
      workbook.content,
    );
    const path = `${rgPath()}/providers/Microsoft.Insights/workbooks/${id}`;

    const plain = await call('GET', path, '2023-06-01');
    expect(plain.body.properties).not.toHaveProperty('serializedData');
    const withContent = await raw
      .pathUnchecked(path)
      .get({ queryParameters: { 'api-version': '2023-06-01', canFetchContent: 'true' } });
    expect(
      (withContent.body as Body & { properties: Record<string, unknown> }).properties.serializedData,
    ).toBeTypeOf('string');

    const updated = await putWorkbook(arm, {
      ...workbook,
      content: { version: 'Notebook/1.0', items: [{ type: 1 }] },
    });
    expect((updated.properties as { revision: string }).revision).not.toBe(
      (created.properties as { revision: string }).revision,
    );

    const notGuid = await call(
      'PUT',
      `${rgPath()}/providers/Microsoft.Insights/workbooks/overview`,
      '2023-06-01',
      {
        location: 'westeurope',
        kind: 'shared',
        properties: { displayName: 'x', category: 'workbook', serializedData: '{}' },
      },
    );
    expect(notGuid.status).toBe(400);
    expect(notGuid.body.error?.message).toMatch(/must be a GUID/);
    const objectContent = await call(
      'PUT',
      `${rgPath()}/providers/Microsoft.Insights/workbooks/${stableGuid('x', 'y')}`,
      '2023-06-01',
      {
        location: 'westeurope',
        kind: 'shared',
        properties: { displayName: 'y', category: 'workbook', serializedData: { items: [] } },
      },
    );
    expect(objectContent.body.error?.message).toMatch(/serializedData is required and must be a string/);
    const clash = await rejection(
      putWorkbook(arm, { ...workbook, id: stableGuid('provlog-workbooks', 'other') }),
    );
    expect(clash.status).toBe(409);

    const listPath = `${rgPath()}/providers/Microsoft.Insights/workbooks`;
    expect((await call('GET', listPath, '2023-06-01')).status).toBe(400);
    const listed = await raw
      .pathUnchecked(listPath)
      .get({ queryParameters: { 'api-version': '2023-06-01', category: 'workbook' } });
    expect(((listed.body as { value: { name: string }[] }).value ?? []).map((w) => w.name)).toEqual([id]);
    expect(await deleteResource(arm, path, '2023-06-01')).toBe(true);
    expect(await deleteResource(arm, path, '2023-06-01')).toBe(false);
  });

  test('query packs and their queries', async () => {
    const pack = await putQueryPack(arm, {
      subscriptionId: sub,
      resourceGroup: rg,
      name: 'provlog',
      location: 'westeurope',
    });
    expect((pack.properties as { queryPackId: string }).queryPackId).toMatch(/^[0-9a-f-]{36}$/);
    const queryId = stableGuid('provlog-queries', 'prov-errors-by-app');
    const at = { subscriptionId: sub, resourceGroup: rg, pack: 'provlog', id: queryId };
    const query = {
      displayName: 'Provisioning errors by app',
      body: "AADProvisioningLogs | where ResultType == 'Failure' | summarize count() by ServicePrincipal",
      related: { categories: ['security'], resourceTypes: ['microsoft.operationalinsights/workspaces'] },
      tags: { provlogVersion: ['1.0.0'] },
    };
    const created = await putQueryPackQuery(arm, at, query);
    expect(created).toMatchObject({
      name: queryId,
      properties: { id: queryId, displayName: query.displayName, body: query.body },
    });

    const queriesPath = `${rgPath()}/providers/Microsoft.OperationalInsights/queryPacks/provlog/queries`;
    const list = await call('GET', queriesPath, '2023-09-01');
    const listed = (list.body.value as { properties: Record<string, unknown> }[])[0].properties;
    expect(listed.displayName).toBe(query.displayName);
    expect(listed).not.toHaveProperty('body');
    // The same pack is reachable under the Microsoft.Insights namespace (Learn's REST examples).
    expect(
      (
        await call(
          'GET',
          `${rgPath()}/providers/Microsoft.Insights/querypacks/provlog/queries/${queryId}`,
          '2019-09-01',
        )
      ).status,
    ).toBe(200);

    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['not-a-guid', query, /must be a GUID/],
      [queryId, { ...query, body: undefined }, /body is required/],
      [
        queryId,
        { ...query, related: { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) } },
        /at most 10/,
      ],
    ];
    for (const [id, properties, message] of bad) {
      const response = await call('PUT', `${queriesPath}/${id}`, '2023-09-01', { properties });
      expect(response.status).toBe(400);
      expect(response.body.error?.message).toMatch(message);
    }
    expect((await call('DELETE', `${queriesPath}/${queryId}`, '2023-09-01')).status).toBe(200);
    expect((await call('GET', `${queriesPath}/${queryId}`, '2023-09-01')).status).toBe(404);
  });

  test('saved searches and workspace functions', async () => {
    const saved = await putSavedSearch(arm, wsId, 'provlog-parser', {
      category: 'provlog',
      displayName: 'provlog provisioning parser',
      query: `AADProvisioningLogs | union ${TABLE}`,
      functionAlias: 'ProvlogProvisioning',
      functionParameters: "since:timespan = 1d, label:string = 'a,b'",
    });
    expect(saved).toMatchObject({
      name: 'provlog-parser',
      properties: { functionAlias: 'ProvlogProvisioning', version: 2 },
    });
    expect(workspaceFunctions(emu.emulator.context, wsId)).toEqual([
      {
        name: 'ProvlogProvisioning',
        parameters: "since:timespan = 1d, label:string = 'a,b'",
        body: `AADProvisioningLogs | union ${TABLE}`,
      },
    ]);
    const base = `${wsId}/savedSearches`;
    const bad: [string, Record<string, unknown>, RegExp][] = [
      [
        'a',
        { category: 'c', displayName: 'd', query: 'q', functionAlias: '_hidden' },
        /functionAlias '_hidden' is invalid/,
      ],
      ['b', { category: 'c', displayName: 'd', query: 'q', functionAlias: 'two words' }, /is invalid/],
      ['c', { category: 'c', displayName: 'd' }, /query is required/],
      [
        'd',
        { category: 'c', displayName: 'd', query: 'q', functionParameters: 'oops' },
        /functionParameters/,
      ],
    ];
    for (const [id, properties, message] of bad) {
      const response = await call('PUT', `${base}/${id}`, '2020-08-01', { properties });
      expect(response.status).toBe(400);
      expect(response.body.error?.message).toMatch(message);
    }
    const clash = await call('PUT', `${base}/other`, '2025-02-01', {
      properties: { category: 'c', displayName: 'd', query: 'q', functionAlias: 'provlogprovisioning' },
    });
    expect(clash.status).toBe(409);
    const list = await call('GET', base, '2020-08-01');
    expect((list.body.value as { name: string }[]).map((s) => s.name)).toEqual(['provlog-parser']);
    expect((await call('DELETE', `${base}/provlog-parser`, '2020-08-01')).status).toBe(200);
    expect(workspaceFunctions(emu.emulator.context, wsId)).toEqual([]);
  });

  test('subscriptions and implicit resource groups', async () => {
    const subs = await call('GET', '/subscriptions', '2022-12-01');
    expect((subs.body.value as { subscriptionId: string }[]).map((s) => s.subscriptionId)).toEqual([sub]);
    const group = await call('GET', `/subscriptions/${sub}/resourcegroups/any-group`, '2021-04-01');
    expect(group).toMatchObject({
      status: 200,
      body: { name: 'any-group', properties: { provisioningState: 'Succeeded' } },
    });
  });
});

describe('ARM state across a restart', () => {
  const dataDir = tempDir('provlog-arm-restart-');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('tables, rules and settings survive; the ingestion endpoint follows the new address', async () => {
    let emu = await startTestEmulator({ dataDir });
    const info = emu.connection.emulator!;
    let arm = new ArmClient(emu.connection);
    await putCustomTable(
      emu.connection,
      info.workspaceResourceId,
      TABLE,
      {
        columns: [
          { name: 'TimeGenerated', type: 'dateTime' },
          { name: 'JobId', type: 'string' },
        ],
      },
      { pollIntervalMs: 0 },
    );
    await updateTableRetention(
      emu.connection,
      info.workspaceResourceId,
      'AADProvisioningLogs',
      { retentionInDays: 180 },
      { pollIntervalMs: 0 },
    );
    const rule = await putDataCollectionRule(arm, {
      subscriptionId: info.subscriptionId,
      resourceGroup: info.resourceGroup,
      name: 'persisted',
      location: 'westeurope',
      streamDeclarations: {
        [STREAM]: {
          columns: [
            { name: 'TimeGenerated', type: 'datetime' },
            { name: 'JobId', type: 'string' },
          ],
        },
      },
      destinations: { logAnalytics: [{ name: 'law', workspaceResourceId: info.workspaceResourceId }] },
      dataFlows: [
        { streams: [STREAM], destinations: ['law'], transformKql: 'source', outputStream: `Custom-${TABLE}` },
      ],
    });
    await emu.stop();

    emu = await startTestEmulator({ dataDir });
    try {
      arm = new ArmClient(emu.connection);
      const raw = rawClient(emu.connection);
      const table = await raw
        .pathUnchecked(`${info.workspaceResourceId}/tables/AADProvisioningLogs`)
        .get({ queryParameters: { 'api-version': '2022-10-01' } });
      expect((table.body as { properties: { retentionInDays: number } }).properties.retentionInDays).toBe(
        180,
      );
      const again = await arm.get<{
        properties: { immutableId: string; endpoints: { logsIngestion: string } };
      }>(String(rule.id), '2023-03-11');
      expect(again.body.properties.immutableId).toBe(rule.immutableId);
      expect(again.body.properties.endpoints.logsIngestion).toBe(emu.emulator.url);
      expect(
        findDcrByImmutableId(emu.emulator.context, rule.immutableId)?.workspace?.tableColumns(TABLE),
      ).toHaveLength(2);
    } finally {
      await emu.stop();
    }
  });
});
