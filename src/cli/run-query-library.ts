import { UserError } from '../errors.js';
import { nowTicks } from '../kql/engine.js';
import { formatDatetime } from '../kql/text.js';
import { loadLibrary } from '../queries/library.js';
import { parameterTexts, prepareQuery } from '../queries/prepare.js';
import type { QueryDef } from '../queries/query-file.js';
import type { QueryListArgs, QueryShowArgs } from './commands/query.js';
import { exitCodes } from './exit-codes.js';
import { printJson, textTable } from './format.js';
import { applyTimeRange, timeRangeText } from './time-options.js';

function describeQuery(query: QueryDef) {
  return {
    id: query.id,
    version: query.version,
    title: query.title,
    description: query.description,
    categories: query.categories,
    tables: query.tables,
    visualization: query.visualization,
    parameters: query.parameters,
  };
}

export async function runQueryList(args: QueryListArgs): Promise<number> {
  const queries = loadLibrary().queries.filter((q) => !args.category || q.categories.includes(args.category));
  if (args.json) {
    printJson(queries.map(describeQuery));
    return exitCodes.ok;
  }
  process.stdout.write(
    `${textTable(
      ['id', 'version', 'title', 'parameters'],
      queries.map((q) => [q.id, q.version, q.title, q.parameters.map((p) => p.name).join(', ')]),
    )}\n`,
  );
  return exitCodes.ok;
}

export async function runQueryShow(args: QueryShowArgs): Promise<number> {
  const library = loadLibrary();
  const query = library.query(args.query);
  if (!query) throw new UserError(`no library query named ${args.query} (see provlog query list)`);
  if (args.text) {
    const now = nowTicks(args.now);
    const texts = parameterTexts(args.param);
    applyTimeRange(texts, query.parameters, timeRangeText(args, formatDatetime(now)), `query ${query.id}`);
    process.stdout.write(`${prepareQuery(library, query, texts, { now }).text}\n`);
    return exitCodes.ok;
  }
  if (args.json) {
    printJson({ ...describeQuery(query), body: query.body });
    return exitCodes.ok;
  }
  const out = process.stdout;
  out.write(`${query.title}  (${query.id} ${query.version})\n\n${query.description}\n\n`);
  if (query.categories.length) out.write(`Categories: ${query.categories.join(', ')}\n`);
  out.write(`Tables: ${query.tables.join(', ')}\nVisualization: ${query.visualization}\n\n`);
  if (query.parameters.length) {
    out.write(
      `Parameters (--param Name=Value):\n${textTable(
        ['name', 'type', 'default', 'description'],
        query.parameters.map((p) => [p.name, p.type, p.default ?? '(required)', p.description]),
      )}\n\n`,
    );
  }
  out.write(`${query.body}\n`);
  return exitCodes.ok;
}
