/**
 * Turns a library query and the user's parameter texts into the KQL text to run: values checked and
 * typed, tokens substituted as literals, and the shared functions the query calls defined in front.
 */
import { functionPreamble, type QueryLibrary } from './library.js';
import {
  formatParameter,
  ParameterError,
  type ParameterValue,
  parseParameterValue,
  TOKEN,
  type TokenContext,
} from './parameters.js';
import type { QueryDef } from './query-file.js';

/** Parameter texts by name, as given with `--param Name=Value` (a name may repeat). */
export type ParameterTexts = ReadonlyMap<string, readonly string[]>;

/** Splits `--param` arguments (`Name=Value`) into texts by name. */
export function parameterTexts(args: readonly string[]): Map<string, string[]> {
  const texts = new Map<string, string[]>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new ParameterError(`--param ${arg}: expected Name=Value`);
    const name = arg.slice(0, eq).trim();
    texts.set(name, [...(texts.get(name) ?? []), arg.slice(eq + 1)]);
  }
  return texts;
}

export interface PreparedQuery {
  query: QueryDef;
  /** The text to run: function definitions, then the body with parameters substituted. */
  text: string;
  values: Map<string, ParameterValue>;
}

/**
 * Binds parameters: each declared one from `texts` or its default. `strict` rejects names the query
 * does not declare (a report passes its parameters to all its queries, so it is not strict).
 */
export function bindParameters(
  query: QueryDef,
  texts: ParameterTexts,
  options: { strict: boolean },
): Map<string, ParameterValue> {
  if (options.strict) {
    for (const name of texts.keys()) {
      if (!query.parameters.some((p) => p.name === name)) {
        const declared = query.parameters.map((p) => p.name).join(', ') || 'none';
        throw new ParameterError(`query ${query.id} has no parameter ${name} (it has: ${declared})`);
      }
    }
  }
  const values = new Map<string, ParameterValue>();
  for (const def of query.parameters) {
    const given = texts.get(def.name);
    if (given && given.length > 0) values.set(def.name, parseParameterValue(def, given));
    else if (def.default !== undefined) values.set(def.name, parseParameterValue(def, [def.default]));
    else
      throw new ParameterError(
        `query ${query.id} needs --param ${def.name}=… (${def.type}${def.description ? `: ${def.description}` : ''})`,
      );
  }
  return values;
}

/** Replaces `{Name}` / `{Name:format}` tokens with the formatted values. */
export function substitute(
  text: string,
  values: ReadonlyMap<string, ParameterValue>,
  context: TokenContext,
  now: bigint,
): string {
  return text.replace(TOKEN, (token, name: string, format: string | undefined) => {
    const value = values.get(name);
    if (!value) {
      if (context === 'text') return token;
      throw new ParameterError(`${token} has no value`);
    }
    return formatParameter(value, format ?? '', context, now);
  });
}

export function prepareQuery(
  library: QueryLibrary,
  query: QueryDef,
  texts: ParameterTexts,
  options: { now: bigint; strict?: boolean },
): PreparedQuery {
  const values = bindParameters(query, texts, { strict: options.strict ?? true });
  const body = substitute(query.body, values, 'query', options.now);
  return { query, text: functionPreamble(library, body) + body, values };
}
