/**
 * A `.kql` file of the query library: a `//` comment header of `Key: value` lines, then the KQL body.
 *
 *   // Id: failures-by-app
 *   // Version: 1.2.0
 *   // Display name: Failures by app and error code
 *   // Description: Failed events per app and error code, per time bin.
 *   //   Further lines of a value are indented by two or more spaces.
 *   // Categories: failures, apps
 *   // Tables: AADProvisioningLogs
 *   // Parameter: TimeRange: timerange = 30d | Time range
 *   // Parameter: Apps: string[] = * | App names; * for all
 *   // Visualization: timechart
 *
 * A shared function has `// Function: Name` instead of `// Id:`; queries call it by name and the
 * runner defines it in front of their text.
 */
import { FORMATS, PARAMETER_TYPES, type ParameterDef, type ParameterType, TOKEN } from './parameters.js';

export const VISUALIZATIONS = [
  'table',
  'tiles',
  'timechart',
  'linechart',
  'areachart',
  'columnchart',
  'barchart',
  'piechart',
] as const;
export type Visualization = (typeof VISUALIZATIONS)[number];

interface LibraryItemBase {
  version: string;
  description: string;
  /** Path of the file (for messages). */
  file: string;
  /** The KQL text after the header. */
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
}

export interface QueryDef extends LibraryItemBase {
  kind: 'query';
  id: string;
  title: string;
  categories: string[];
  tables: string[];
  parameters: ParameterDef[];
  visualization: Visualization;
}

export interface FunctionDef extends LibraryItemBase {
  kind: 'function';
  name: string;
}

export class QueryFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'QueryFileError';
  }
}

const KEYS = new Set([
  'id',
  'function',
  'version',
  'display name',
  'description',
  'categories',
  'tables',
  'parameter',
  'visualization',
]);
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export function parseQueryFile(file: string, text: string): QueryDef | FunctionDef {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values = new Map<string, { value: string; line: number }[]>();
  let last: { value: string; line: number } | undefined;
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith('//')) break;
    const content = line.slice(2);
    if (/^\s{2,}\S/.test(content) && last) {
      last.value = `${last.value} ${content.trim()}`;
      continue;
    }
    const m = /^\s*([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/.exec(content);
    if (!m) {
      if (content.trim() === '') continue;
      throw new QueryFileError(file, i + 1, `expected "// Key: value" in the header, found: ${line.trim()}`);
    }
    const key = m[1].toLowerCase();
    if (!KEYS.has(key)) throw new QueryFileError(file, i + 1, `unknown header key "${m[1]}"`);
    if (key !== 'parameter' && values.has(key))
      throw new QueryFileError(file, i + 1, `"${m[1]}" is given twice`);
    last = { value: m[2].trim(), line: i + 1 };
    values.set(key, [...(values.get(key) ?? []), last]);
  }
  while (i < lines.length && lines[i].trim() === '') i++;
  const body = lines.slice(i).join('\n').trimEnd();
  const bodyLine = i + 1;
  if (body === '') throw new QueryFileError(file, bodyLine, 'the file has no query after its header');

  const one = (key: string): { value: string; line: number } | undefined => values.get(key)?.[0];
  const required = (key: string, label: string): string => {
    const entry = one(key);
    if (!entry || entry.value === '') throw new QueryFileError(file, 1, `the header has no "${label}:"`);
    return entry.value;
  };
  const version = required('version', 'Version');
  if (!SEMVER.test(version))
    throw new QueryFileError(file, one('version')!.line, `Version is not semver (x.y.z): ${version}`);
  const description = required('description', 'Description');

  const fn = one('function');
  if (fn) {
    if (!NAME.test(fn.value)) throw new QueryFileError(file, fn.line, `not a function name: ${fn.value}`);
    if (one('id')) throw new QueryFileError(file, one('id')!.line, 'a file has either Id or Function');
    return { kind: 'function', name: fn.value, version, description, file, body, bodyLine };
  }

  const id = required('id', 'Id');
  if (!ID.test(id))
    throw new QueryFileError(file, one('id')!.line, `Id must be lower-case words joined by -: ${id}`);
  const list = (key: string) =>
    (one(key)?.value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const parameters = (values.get('parameter') ?? []).map(({ value, line }) =>
    parseParameterLine(file, line, value),
  );
  const seen = new Set<string>();
  for (const [k, p] of parameters.entries()) {
    if (seen.has(p.name))
      throw new QueryFileError(
        file,
        values.get('parameter')![k].line,
        `parameter ${p.name} is declared twice`,
      );
    seen.add(p.name);
  }
  const visualization = (one('visualization')?.value ?? 'table') as Visualization;
  if (!VISUALIZATIONS.includes(visualization))
    throw new QueryFileError(
      file,
      one('visualization')!.line,
      `unknown visualization ${visualization}; one of ${VISUALIZATIONS.join(', ')}`,
    );
  const query: QueryDef = {
    kind: 'query',
    id,
    title: required('display name', 'Display name'),
    version,
    description,
    categories: list('categories'),
    tables: list('tables'),
    parameters,
    visualization,
    file,
    body,
    bodyLine,
  };
  checkTokens(query);
  return query;
}

/** `Name: type [= default] [| description]` */
function parseParameterLine(file: string, line: number, text: string): ParameterDef {
  const m = /^([_a-zA-Z][_a-zA-Z0-9]*)\s*:\s*([a-z]+(?:\[\])?)\s*(?:=\s*([^|]*?))?\s*(?:\|\s*(.*))?$/.exec(
    text,
  );
  if (!m)
    throw new QueryFileError(
      file,
      line,
      `expected "Parameter: Name: type [= default] [| description]": ${text}`,
    );
  const type = m[2] as ParameterType;
  if (!PARAMETER_TYPES.includes(type))
    throw new QueryFileError(
      file,
      line,
      `unknown parameter type ${m[2]}; one of ${PARAMETER_TYPES.join(', ')}`,
    );
  const def: ParameterDef = { name: m[1], type, description: (m[4] ?? '').trim() };
  if (m[3] !== undefined && m[3] !== '') def.default = m[3];
  return def;
}

/** Every `{Token}` in the body names a declared parameter, with a format its type has. */
function checkTokens(query: QueryDef): void {
  const byName = new Map(query.parameters.map((p) => [p.name, p]));
  const lines = query.body.split('\n');
  lines.forEach((text, k) => {
    for (const m of text.matchAll(TOKEN)) {
      const def = byName.get(m[1]);
      const line = query.bodyLine + k;
      if (!def) throw new QueryFileError(query.file, line, `{${m[1]}} is not a declared parameter`);
      const format = m[2] ?? '';
      if (!FORMATS[def.type].includes(format))
        throw new QueryFileError(
          query.file,
          line,
          `{${m[0].slice(1, -1)}}: ${def.type} has no format :${format}`,
        );
    }
  });
}
