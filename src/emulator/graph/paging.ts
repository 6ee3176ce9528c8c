/**
 * Graph collection paging over time-sorted entries: `$filter`, `$top`, `$orderby=activityDateTime
 * asc|desc` and `@odata.nextLink` with an opaque `$skiptoken`. The token carries the query and the
 * (time, id) key of the last entry returned, so pages stay exact while new rows arrive.
 */
import type { EmulatorContext } from '../context.js';
import type { EmulatorReply, EmulatorRequest } from '../http.js';
import { type GraphData, lowerBound } from './data.js';
import { badRequest } from './errors.js';
import { compileFilter, FilterError, type FilterSchema } from './filter.js';

interface PageToken {
  v: 1;
  /** $filter text, or null. */
  f: string | null;
  /** Descending order. */
  d: boolean;
  /** $top. */
  n: number;
  /** Time and id of the last entry returned. */
  k: [string, string];
}

const SUPPORTED = new Set(['$filter', '$top', '$orderby', '$skiptoken']);

/** A query option by name, with or without the `$` (Graph accepts both). */
export function queryOption(request: EmulatorRequest, name: string): string | null {
  return request.url.searchParams.get(`$${name}`) ?? request.url.searchParams.get(name);
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeToken(request: EmulatorRequest, context: EmulatorContext, text: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as PageToken;
    if (
      token.v === 1 &&
      typeof token.d === 'boolean' &&
      Number.isInteger(token.n) &&
      Array.isArray(token.k) &&
      typeof token.k[0] === 'string' &&
      typeof token.k[1] === 'string'
    )
      return token;
  } catch {
    // fall through
  }
  return badRequest(request, context, `Invalid $skiptoken: '${text.slice(0, 40)}'.`);
}

function pageSize(request: EmulatorRequest, context: EmulatorContext): number {
  const { defaultPageSize, maxPageSize } = context.settings().graph;
  const text = queryOption(request, 'top');
  if (text === null) return Math.min(defaultPageSize, maxPageSize);
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > maxPageSize)
    badRequest(
      request,
      context,
      `Invalid page size specified: '${text}'. Must be between 1 and ${maxPageSize} inclusive.`,
    );
  return n;
}

function descending(request: EmulatorRequest, context: EmulatorContext): boolean {
  const text = queryOption(request, 'orderby');
  if (text === null) return true;
  const m = /^\s*activityDateTime(?:\s+(asc|desc))?\s*$/.exec(text);
  if (!m)
    badRequest(request, context, `Invalid $orderby: '${text}'. Only activityDateTime asc|desc is supported.`);
  return m[1] !== 'asc';
}

function rejectUnsupported(request: EmulatorRequest, context: EmulatorContext): void {
  for (const name of request.url.searchParams.keys()) {
    const key = name.startsWith('$') ? name : `$${name}`;
    if (!SUPPORTED.has(key) && ['$select', '$expand', '$count', '$search', '$skip', '$format'].includes(key))
      badRequest(request, context, `Query option '${key}' is not supported on this resource.`);
  }
}

export interface ListSpec<E extends { time: string; id: string }> {
  entries: (data: GraphData) => E[];
  schema: FilterSchema<E>;
  render: (entry: E) => unknown;
  /** `@odata.context` of the collection. */
  contextUrl: string;
}

/** Answers one page of a time-sorted collection, entries after the emulator's clock left out. */
export function listPage<E extends { time: string; id: string }>(
  request: EmulatorRequest,
  context: EmulatorContext,
  data: GraphData,
  spec: ListSpec<E>,
): EmulatorReply {
  rejectUnsupported(request, context);
  const skiptoken = queryOption(request, 'skiptoken');
  const token = skiptoken !== null ? decodeToken(request, context, skiptoken) : undefined;
  const filterText = token ? token.f : queryOption(request, 'filter');
  const top = token ? token.n : pageSize(request, context);
  const desc = token ? token.d : descending(request, context);
  let compiled: ReturnType<typeof compileFilter<E>> | undefined;
  if (filterText !== null) {
    try {
      compiled = compileFilter(filterText, spec.schema);
    } catch (error) {
      if (error instanceof FilterError) badRequest(request, context, error.message);
      throw error;
    }
  }
  const entries = spec.entries(data);
  const now = new Date(context.now()).toISOString().replace('Z', '9999Z');
  const upper = compiled?.bounds.to !== undefined && compiled.bounds.to < now ? compiled.bounds.to : now;
  const lower = compiled?.bounds.from;
  const predicate = compiled?.predicate ?? (() => true);
  const found: E[] = [];
  if (desc) {
    let i = token
      ? lowerBound(entries, token.k[0], token.k[1], true) - 1
      : lowerBound(entries, upper, '\uffff', true) - 1;
    for (; i >= 0 && found.length <= top; i--) {
      const e = entries[i];
      if (lower !== undefined && e.time < lower) break;
      if (e.time <= upper && predicate(e)) found.push(e);
    }
  } else {
    let i = token
      ? lowerBound(entries, token.k[0], token.k[1], false)
      : lower !== undefined
        ? lowerBound(entries, lower, '', true)
        : 0;
    for (; i < entries.length && found.length <= top; i++) {
      const e = entries[i];
      if (e.time > upper) break;
      if (predicate(e)) found.push(e);
    }
  }
  const more = found.length > top;
  if (more) found.length = top;
  const body: Record<string, unknown> = {
    '@odata.context': spec.contextUrl,
    value: found.map(spec.render),
  };
  if (more) {
    const last = found[found.length - 1];
    const next: PageToken = { v: 1, f: filterText, d: desc, n: top, k: [last.time, last.id] };
    body['@odata.nextLink'] = `${context.baseUrl}${request.path}?$skiptoken=${encodeToken(next)}`;
  }
  return { status: 200, headers: { 'odata-version': '4.0' }, body };
}
