/**
 * The query library: the `.kql` files under `queries/` (queries) and `queries/functions/` (shared
 * functions), loaded once and looked up by id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { type FunctionDef, parseQueryFile, type QueryDef, QueryFileError } from './query-file.js';

export interface QueryLibrary {
  queries: QueryDef[];
  functions: FunctionDef[];
  query(id: string): QueryDef | undefined;
  function(name: string): FunctionDef | undefined;
}

/** The library shipped with provlog. */
export function defaultLibraryDir(): string {
  return join(packageRoot(), 'queries');
}

const loaded = new Map<string, QueryLibrary>();

export function loadLibrary(dir = defaultLibraryDir()): QueryLibrary {
  let library = loaded.get(dir);
  if (!library) {
    library = readLibrary(dir);
    loaded.set(dir, library);
  }
  return library;
}

function kqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.kql'))
    .sort()
    .map((name) => join(dir, name));
}

function readLibrary(dir: string): QueryLibrary {
  const queries: QueryDef[] = [];
  const functions: FunctionDef[] = [];
  for (const file of [...kqlFiles(dir), ...kqlFiles(join(dir, 'functions'))]) {
    const item = parseQueryFile(file, readFileSync(file, 'utf8'));
    if (item.kind === 'query') {
      const stem = file.slice(file.lastIndexOf('/') + 1, -'.kql'.length);
      if (stem !== item.id) throw new QueryFileError(file, 1, `Id ${item.id} does not match the file name`);
      if (queries.some((q) => q.id === item.id))
        throw new QueryFileError(file, 1, `Id ${item.id} is used twice`);
      queries.push(item);
    } else {
      if (functions.some((f) => f.name === item.name))
        throw new QueryFileError(file, 1, `function ${item.name} is defined twice`);
      functions.push(item);
    }
  }
  const byId = new Map(queries.map((q) => [q.id, q]));
  const byName = new Map(functions.map((f) => [f.name, f]));
  return {
    queries,
    functions,
    query: (id) => byId.get(id),
    function: (name) => byName.get(name),
  };
}

/**
 * The shared functions a text calls (directly or through other functions), in an order where each is
 * defined before the functions that call it.
 */
export function functionsUsed(library: QueryLibrary, text: string): FunctionDef[] {
  const ordered: FunctionDef[] = [];
  const visiting = new Set<string>();
  const visit = (source: string) => {
    for (const fn of library.functions) {
      if (ordered.includes(fn) || visiting.has(fn.name)) continue;
      if (!new RegExp(`\\b${fn.name}\\s*\\(`).test(source)) continue;
      visiting.add(fn.name);
      visit(fn.body);
      ordered.push(fn);
    }
  };
  visit(text);
  return ordered;
}

/** `let Name = () { body };` lines for the functions a text calls, to put in front of it. */
export function functionPreamble(library: QueryLibrary, text: string): string {
  return functionsUsed(library, text)
    .map((fn) => `let ${fn.name} = () {\n${fn.body.replace(/;\s*$/, '')}\n};\n`)
    .join('');
}
