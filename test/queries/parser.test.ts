/**
 * The shared parser `ProvisioningEvents()` on rows shaped like the ones real tenants wrote at
 * different times: before and after the "Microsoft Entra ID" rename, and with only the legacy
 * Title-case `Action` column filled.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionPreamble,
  generateTenant,
  importItems,
  LocalBackend,
  loadLibrary,
  type ProvisioningLogRow,
  readSources,
  Workspace,
  writeSourceFile,
} from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';

const library = loadLibrary();
let backend: LocalBackend;

function system(name: string): string {
  return JSON.stringify({ details: {}, Id: '00000000-0000-0000-0000-000000000001', Name: name });
}

beforeAll(async () => {
  const tenant = generateTenant({ seed: 11, users: 20, apps: 2, days: 2, end: '2026-03-01T00:00:00Z' });
  const templates: ProvisioningLogRow[] = [];
  for (const row of tenant.provisioningRows()) {
    if (row.ResultType === 'Success' && row.ProvisioningAction === 'create') templates.push(row);
    if (templates.length === 4) break;
  }
  const [a, b, c, d] = templates.map((row) => ({ ...row }));
  Object.assign(a, { Id: 'old-name', SourceSystem: system('Azure Active Directory') });
  Object.assign(b, {
    Id: 'new-name',
    SourceSystem: system('Microsoft Entra ID'),
    ProvisioningAction: '',
    Action: 'Disable',
  });
  Object.assign(c, { Id: 'legacy-staged', ProvisioningAction: '', Action: 'StagedDelete' });
  Object.assign(d, { Id: 'no-action', ProvisioningAction: '', Action: '' });
  const dir = tempDir('provlog-parser-');
  const file = join(dir, 'rows.json');
  await writeSourceFile('la-json', [a, b, c, d], [], file);
  const workspace = Workspace.open(join(dir, 'ws'), { create: true });
  await importItems(workspace, readSources([file], { format: 'la-json' }), { sources: [file] });
  backend = new LocalBackend(workspace, {
    now: BigInt(Date.parse('2026-03-01T00:00:00Z')) * 10_000n,
    library,
  });
});

async function parsed(): Promise<Record<string, Record<string, unknown>>> {
  const query = 'ProvisioningEvents() | project Id, SourceSystemName, Action, App, ObjectType, Scenario';
  const [table] = await backend.run(functionPreamble(library, query) + query);
  return Object.fromEntries(
    table.rows.map((row) => [row[0], Object.fromEntries(table.columns.map((col, i) => [col.name, row[i]]))]),
  );
}

describe('ProvisioningEvents()', () => {
  it('gives the source system one name before and after the rename', async () => {
    const rows = await parsed();
    expect(rows['old-name'].SourceSystemName).toBe('Microsoft Entra ID');
    expect(rows['new-name'].SourceSystemName).toBe('Microsoft Entra ID');
  });

  it('takes the action from the legacy column when ProvisioningAction is empty', async () => {
    const rows = await parsed();
    expect(rows['old-name'].Action).toBe('create');
    expect(rows['new-name'].Action).toBe('disable');
    expect(rows['legacy-staged'].Action).toBe('stagedDelete');
    expect(rows['no-action'].Action).toBe('other');
  });

  it('names the app and the object type from the JSON columns', async () => {
    const rows = await parsed();
    for (const row of Object.values(rows)) {
      expect(row.App).not.toBe('');
      expect(row.ObjectType).toBe('User');
      expect(row.Scenario).not.toBe('');
    }
  });
});
