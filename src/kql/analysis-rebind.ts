/**
 * Reuses an analysis for a text that differs only in the values of its string literals (a report run
 * for another app or user): the bound tree is the same, with the literal tokens, their decoded values
 * and the positions after them moved. Literals whose value can change the binding (a table or column
 * named by a string) are never swapped; any doubt means a fresh analysis.
 */
import type { Analysis, SyntaxNode } from './analyzer.js';
import { decodeStringToken } from './translate.js';

export interface Span {
  start: number;
  end: number;
}

/** Functions whose string arguments name tables, columns or databases: their result type depends on them. */
const BINDING_FUNCTIONS = new Set([
  'table',
  'database',
  'cluster',
  'workspace',
  'app',
  'column_ifexists',
  'columnifexists',
  'external_table',
  'materialized_view',
  'entity_group',
]);

/**
 * The spans of the string literals of a KQL text, in order ('…', "…", @'…', h'…', ```…```), skipping
 * comments; undefined when the text holds something the scanner does not read with certainty.
 */
export function stringLiteralSpans(text: string): Span[] | undefined {
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === '`' || c === '~') {
      const fence = c.repeat(3);
      if (text.startsWith(fence, i)) {
        const end = text.indexOf(fence, i + 3);
        if (end < 0) return undefined;
        spans.push({ start: i, end: end + 3 });
        i = end + 3;
        continue;
      }
    }
    let j = i;
    if ((c === 'h' || c === 'H') && !isWordChar(text[i - 1]) && /[@'"]/.test(text[i + 1] ?? '')) j++;
    let verbatim = false;
    if (text[j] === '@' && (text[j + 1] === "'" || text[j + 1] === '"')) {
      verbatim = true;
      j++;
    }
    const quote = text[j];
    if (quote !== "'" && quote !== '"') {
      i++;
      continue;
    }
    let k = j + 1;
    for (;;) {
      if (k >= text.length) return undefined;
      const ch = text[k];
      if (ch === '\n' && !verbatim) return undefined;
      if (!verbatim && ch === '\\') {
        k += 2;
        continue;
      }
      if (ch === quote) {
        if (verbatim && text[k + 1] === quote) {
          k += 2;
          continue;
        }
        break;
      }
      k++;
    }
    spans.push({ start: i, end: k + 1 });
    i = k + 1;
  }
  return spans;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

/** The text with every string literal emptied: texts that differ only in literal values share it. */
export function literalShape(text: string): string | undefined {
  const spans = stringLiteralSpans(text);
  if (!spans) return undefined;
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += `${text.slice(at, span.start)}''`;
    at = span.end;
  }
  return out + text.slice(at);
}

/**
 * `analysis` (of `fromText`) re-targeted at `toText`, or undefined when the two differ in anything but
 * the values of plain string literals outside binding functions. Mutates `analysis` (a fresh copy).
 */
export function rebindAnalysis(analysis: Analysis, fromText: string, toText: string): Analysis | undefined {
  if (analysis.diagnostics.length > 0) return undefined;
  const from = stringLiteralSpans(fromText);
  const to = stringLiteralSpans(toText);
  if (!from || !to || from.length !== to.length) return undefined;
  if (literalShape(fromText) !== literalShape(toText)) return undefined;

  const tokens: { node: SyntaxNode; parent: SyntaxNode | undefined; binding: boolean }[] = [];
  const walk = (node: SyntaxNode, parent: SyntaxNode | undefined, binding: boolean): void => {
    if (node.kind === 'StringLiteralToken') tokens.push({ node, parent, binding });
    // Below these a literal may shape the binding, or its value is part of a larger one.
    const inBinding =
      binding ||
      node.kind === 'CompoundStringLiteralExpression' ||
      node.kind === 'EvaluateOperator' ||
      (node.kind === 'FunctionCallExpression' &&
        BINDING_FUNCTIONS.has((node.symbol?.name ?? '').toLowerCase()));
    for (const child of Object.values(node.roles)) {
      if (Array.isArray(child)) for (const c of child) walk(c, node, inBinding);
      else if (child) walk(child, node, inBinding);
    }
  };
  walk(analysis.syntax, undefined, false);
  tokens.sort((a, b) => a.node.start - b.node.start);
  if (tokens.length !== from.length) return undefined;

  const deltas: { at: number; end: number; delta: number }[] = [];
  for (const [i, { node, parent, binding }] of tokens.entries()) {
    if (node.start !== from[i].start || node.end !== from[i].end) return undefined;
    const oldToken = fromText.slice(from[i].start, from[i].end);
    const newToken = toText.slice(to[i].start, to[i].end);
    if (node.token !== oldToken) return undefined;
    if (oldToken === newToken) continue;
    if (binding || parent?.kind !== 'StringLiteralExpression') return undefined;
    node.token = newToken;
    if (parent.literal !== undefined) parent.literal = decodeStringToken(newToken);
    deltas.push({ at: from[i].start, end: from[i].end, delta: newToken.length - oldToken.length });
  }
  if (deltas.length === 0) return analysis;
  // A position moves by the growth of every changed literal that ends at or before it.
  const move = (position: number): number => {
    let shifted = position;
    for (const d of deltas) if (d.end <= position) shifted += d.delta;
    return shifted;
  };
  const shift = (node: SyntaxNode): void => {
    node.start = move(node.start);
    node.end = move(node.end);
    for (const child of Object.values(node.roles)) {
      if (Array.isArray(child)) for (const c of child) shift(c);
      else if (child) shift(child);
    }
  };
  shift(analysis.syntax);
  return analysis;
}
