/**
 * A query's clock made explicit: every call of the built-in `now()` and `ago()` becomes a datetime
 * literal, so a remote service runs the query at the time provlog ran it locally (`--now`, or the
 * run's own clock) instead of its own. Calls are found in the analysed syntax tree, so text in strings
 * and comments, and functions or columns of the same name, are left alone.
 */
import type { AnalysisCacheOptions } from '../kql/analysis-cache.js';
import { cachedAnalyze } from '../kql/analysis-cache.js';
import { type Analysis, analyze, type SyntaxNode, type TableColumns } from '../kql/analyzer.js';
import { formatDatetime } from '../kql/text.js';

interface ClockCall {
  name: 'now' | 'ago';
  start: number;
  end: number;
  /** The argument's span, when the call has one. */
  argument?: { start: number; end: number };
}

export function analyseForClock(
  text: string,
  schemas: readonly TableColumns[],
  cache?: AnalysisCacheOptions,
): Analysis {
  return cache ? cachedAnalyze(text, [...schemas], cache) : analyze(text, schemas);
}

/** The text with `now()` → `datetime(NOW)`, `now(x)` → `(datetime(NOW) + (x))`, `ago(x)` → `(datetime(NOW) - (x))`. */
export function withFixedClock(text: string, now: bigint, analysis: Analysis): string {
  const calls: ClockCall[] = [];
  collect(analysis.syntax, calls);
  if (calls.length === 0) return text;
  calls.sort((a, b) => a.start - b.start);
  return rewrite(text, now, calls, 0, text.length);
}

function collect(node: SyntaxNode | SyntaxNode[] | null | undefined, calls: ClockCall[]): void {
  if (!node) return;
  if (Array.isArray(node)) {
    for (const child of node) collect(child, calls);
    return;
  }
  const symbol = node.symbol;
  if (
    node.kind === 'FunctionCallExpression' &&
    symbol?.kind === 'Function' &&
    symbol.builtin &&
    (symbol.name === 'now' || symbol.name === 'ago')
  ) {
    const args = argumentsOf(node);
    calls.push({
      name: symbol.name,
      start: node.start,
      end: node.end,
      ...(args.length > 0 ? { argument: { start: args[0].start, end: args[args.length - 1].end } } : {}),
    });
  }
  for (const child of Object.values(node.roles)) collect(child, calls);
}

function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  const list = call.roles.ArgumentList;
  if (!list || Array.isArray(list)) return [];
  const expressions = list.roles.Expressions;
  if (Array.isArray(expressions)) return expressions;
  return expressions ? [expressions] : [];
}

/** The text of [from, to) with the calls inside it replaced; calls nested in an argument are rewritten too. */
function rewrite(text: string, now: bigint, calls: ClockCall[], from: number, to: number): string {
  const literal = `datetime(${formatDatetime(now)})`;
  let out = '';
  let at = from;
  for (const call of calls) {
    if (call.start < at || call.end > to) continue;
    out += text.slice(at, call.start);
    const inner = calls.filter(
      (c) => c !== call && call.argument && c.start >= call.argument.start && c.end <= call.argument.end,
    );
    const argument = call.argument
      ? rewrite(text, now, inner, call.argument.start, call.argument.end)
      : undefined;
    if (call.name === 'ago') out += `(${literal} - (${argument ?? '0s'}))`;
    else out += argument === undefined ? literal : `(${literal} + (${argument}))`;
    at = call.end;
  }
  return out + text.slice(at, to);
}
