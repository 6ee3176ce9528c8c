import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../errors.js';
import { formatDiagnostic } from '../kql/analyzer.js';
import { checkQuery, nowTicks, runQuery } from '../kql/engine.js';
import { KqlError } from '../kql/errors.js';
import type { QueryOutput, TableSource } from '../kql/exec.js';
import { responseJson } from '../kql/result.js';
import type { Table } from '../kql/table.js';
import { formatDatetime, toText } from '../kql/text.js';
import { WorkspaceTableSource, workspaceSchemas } from '../kql/workspace-source.js';
import { csvSafeCell } from '../output/csv-safe.js';
import { functionPreamble, loadLibrary } from '../queries/library.js';
import { prebuiltAnalysesDir } from '../queries/prebuilt.js';
import { parameterTexts, prepareQuery } from '../queries/prepare.js';
import { parseQueryFile, type QueryDef } from '../queries/query-file.js';
import { Workspace } from '../store/workspace.js';
import { analysisCacheDir } from './cache-dir.js';
import type { QueryCheckArgs, QueryRunArgs } from './commands/query.js';
import { exitCodes } from './exit-codes.js';
import { textTable } from './format.js';
import { applyTimeRange, timeRangeText } from './time-options.js';
import { resolveWorkspaceDir } from './workspace-dir.js';

async function readQuery(file: string): Promise<string> {
  if (file === '-' || file === '') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(file, 'utf8');
}

/** Opens the workspace only when the query reads a table, so `print` queries need none. */
function lazyWorkspaceSource(dir: string): TableSource {
  let source: WorkspaceTableSource | undefined;
  let wanted: Iterable<string> = [];
  const open = (): WorkspaceTableSource => {
    if (!source) {
      try {
        source = new WorkspaceTableSource(Workspace.open(dir));
      } catch (error) {
        throw new UserError(`cannot open the workspace ${dir}: ${(error as Error).message}`);
      }
      source.prefetch(wanted);
    }
    return source;
  };
  return {
    table: (name, range) => open().table(name, range),
    prefetch(columns) {
      wanted = columns;
      source?.prefetch(columns);
    },
  };
}

function tableText(table: Table): string {
  const rows: string[][] = [];
  for (let r = 0; r < table.rowCount; r++) {
    rows.push(table.columns.map((c, i) => toText(table.data[i][r], c.type).replace(/[\r\n\t]+/g, ' ')));
  }
  return textTable(
    table.columns.map((c) => c.name),
    rows,
  );
}

function tableCsv(table: Table): string {
  const rows: string[][] = [table.columns.map((c) => csvSafeCell(c.name))];
  for (let r = 0; r < table.rowCount; r++) {
    rows.push(table.columns.map((c, i) => csvSafeCell(toText(table.data[i][r], c.type))));
  }
  return stringify(rows);
}

function print(output: QueryOutput, format: QueryRunArgs['format']): void {
  if (format === 'json') {
    process.stdout.write(`${responseJson(output)}\n`);
    return;
  }
  output.tables.forEach(({ name, table }, i) => {
    if (format === 'csv') {
      process.stdout.write(tableCsv(table));
      return;
    }
    if (output.tables.length > 1) process.stdout.write(`${i > 0 ? '\n' : ''}${name}\n`);
    process.stdout.write(`${tableText(table)}\n`);
    process.stderr.write(`(${table.rowCount.toLocaleString('en-US')} rows)\n`);
  });
}

export async function runQueryCommand(args: QueryRunArgs): Promise<number> {
  const format = args.json ? 'json' : args.format;
  const now = nowTicks(args.now);
  const text = await resolveQueryText(args, now);
  if (args.workspaceId !== undefined)
    return runRemoteQuery({ ...args, workspaceId: args.workspaceId }, text, now, format);
  try {
    const output = runQuery(text, {
      now,
      schemas: workspaceSchemas(),
      source: lazyWorkspaceSource(resolveWorkspaceDir(args.workspace)),
      analysisCache: { dir: analysisCacheDir(), prebuilt: [prebuiltAnalysesDir()] },
    });
    print(output, format);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof KqlError) {
      process.stderr.write(`provlog: query failed: ${error.message}\n`);
      return exitCodes.error;
    }
    throw error;
  }
}

/** `query run --workspace-id`: the same text on Log Analytics, printed the same way. */
async function runRemoteQuery(
  args: QueryRunArgs & { workspaceId: string },
  text: string,
  now: bigint,
  format: QueryRunArgs['format'],
): Promise<number> {
  const { openRemoteBackend, queryRefusal, remoteError } = await import('./open-remote-backend.js');
  const backend = await openRemoteBackend(args, now, { dataRange: false });
  try {
    print(await backend.output(text), format);
    return exitCodes.ok;
  } catch (error) {
    const refusal = queryRefusal(error);
    if (refusal === undefined) throw remoteError(error, args.workspaceId);
    process.stderr.write(`provlog: query failed: ${refusal}\n`);
    return exitCodes.error;
  }
}

/**
 * The KQL to run for `query run <query>`: stdin, a file (with parameters when it has a library
 * header), or a library query by id.
 */
async function resolveQueryText(args: QueryRunArgs, now: bigint): Promise<string> {
  const library = loadLibrary();
  const fromStdin = args.query === '-' || args.query === '';
  const isFile = !fromStdin && existsSync(args.query);
  let definition: QueryDef | undefined;
  let plain: string | undefined;
  if (fromStdin || isFile) {
    const text = await readQuery(args.query);
    if (/^\s*\/\/\s*Id\s*:/.test(text)) {
      const parsed = parseQueryFile(args.query || '<stdin>', text);
      if (parsed.kind !== 'query') throw new UserError(`${args.query} defines a function, not a query`);
      definition = parsed;
    } else plain = text;
  } else {
    definition = library.query(args.query);
    if (!definition)
      throw new UserError(`no file and no library query named ${args.query} (see provlog query list)`);
  }
  const texts = parameterTexts(args.param);
  const range = timeRangeText(args, formatDatetime(now));
  if (plain !== undefined) {
    if (texts.size > 0 || range !== undefined)
      throw new UserError(
        'parameters need a query with a header (// Id:, // Parameter: …); this file has none, so it runs as written',
      );
    return functionPreamble(library, plain) + plain;
  }
  const query = definition!;
  applyTimeRange(texts, query.parameters, range, `query ${query.id}`);
  return prepareQuery(library, query, texts, { now }).text;
}

export async function runQueryCheck(args: QueryCheckArgs): Promise<number> {
  const text = await readQuery(args.query);
  const diagnostics = checkQuery(text, workspaceSchemas());
  if (args.json) {
    process.stdout.write(`${JSON.stringify(diagnostics, null, 2)}\n`);
  } else {
    for (const d of diagnostics) {
      process.stdout.write(
        `${args.query || '<stdin>'}:${formatDiagnostic(text, d)}\n  ${d.severity.toLowerCase()} ${d.code}\n`,
      );
    }
  }
  return diagnostics.some((d) => d.severity === 'Error') ? exitCodes.error : exitCodes.ok;
}
