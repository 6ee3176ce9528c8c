/**
 * The embedded KQL engine's entry points: analyse, translate, execute.
 */
import { type AnalysisCacheOptions, cachedAnalyze } from './analysis-cache.js';
import { type Analysis, analyze, type Diagnostic, formatDiagnostic, type TableColumns } from './analyzer.js';
import { KqlError } from './errors.js';
import {
  Executor,
  type QueryOutput,
  referencedColumns,
  type SharedFunctionResults,
  type TableSource,
} from './exec.js';
import './functions/index.js';
import './operators/index.js';
import { parseDatetime } from './text.js';
import { Translator } from './translate.js';

export interface RunOptions {
  /** The clock for now() and ago(): ISO text or ticks; defaults to the current time. */
  now?: string | bigint;
  /** Tables the query may read. */
  source?: TableSource;
  /** Their schemas, for the analyser. */
  schemas?: TableColumns[];
  /** Keep analyses on disk so re-running a query skips loading the analyser. */
  analysisCache?: AnalysisCacheOptions;
  /** Function results shared with other queries of the same run. */
  sharedFunctions?: SharedFunctionResults;
}

export class QueryError extends KqlError {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message, 'SyntaxError');
  }
}

export function nowTicks(now: string | bigint | undefined): bigint {
  if (typeof now === 'bigint') return now;
  if (now === undefined) return BigInt(Date.now()) * 10_000n;
  const ticks = parseDatetime(now);
  if (ticks === null) throw new KqlError(`--now: not a datetime: ${now}`);
  return ticks;
}

const recentAnalyses = new Map<string, Analysis>();

/** Analyses of recently run query texts, so a report re-running its queries analyses each once. */
function memoisedAnalysis(
  text: string,
  schemas: TableColumns[],
  cache: AnalysisCacheOptions | undefined,
): Analysis {
  const key = `${JSON.stringify(schemas)}\u0000${text}`;
  let analysis = recentAnalyses.get(key);
  if (!analysis) {
    analysis = cache ? cachedAnalyze(text, schemas, cache) : analyze(text, schemas);
    if (recentAnalyses.size >= 256) recentAnalyses.delete(recentAnalyses.keys().next().value!);
    recentAnalyses.set(key, analysis);
  }
  return analysis;
}

/** Diagnostics of a query (errors and warnings), without running it. */
export function checkQuery(text: string, schemas: TableColumns[] = []): Diagnostic[] {
  return analyze(text, schemas).diagnostics;
}

export function errorsOf(analysis: Analysis): Diagnostic[] {
  return analysis.diagnostics.filter((d) => d.severity === 'Error');
}

/** Runs a query; throws QueryError for syntax/semantic errors and KqlError for runtime failures. */
export function runQuery(text: string, options: RunOptions = {}): QueryOutput {
  if (/^\s*\./.test(text)) throw new KqlError('control commands are not supported', 'BadArgumentError');
  const schemas = options.schemas ?? [];
  const analysis = memoisedAnalysis(text, schemas, options.analysisCache);
  const errors = errorsOf(analysis);
  if (errors.length > 0) {
    throw new QueryError(errors.map((d) => formatDiagnostic(text, d)).join('\n'), errors);
  }
  const program = new Translator(text).program(analysis.syntax);
  const executor = new Executor(
    text,
    options.source ?? { table: () => undefined },
    nowTicks(options.now),
    options.sharedFunctions,
  );
  return executor.run(program);
}

/** The stored columns a query would read (none when it does not analyse cleanly). */
export function queryColumns(
  text: string,
  options: Pick<RunOptions, 'schemas' | 'analysisCache'> = {},
): Set<string> {
  const analysis = memoisedAnalysis(text, options.schemas ?? [], options.analysisCache);
  if (errorsOf(analysis).length > 0) return new Set();
  return referencedColumns(new Translator(text).program(analysis.syntax));
}
