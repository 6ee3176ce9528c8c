/**
 * Log Analytics queries through the SDK's LogsQueryClient (auth, retries, request building), with
 * what provlog needs on top: a 204 ("no data") is an empty result rather than an error, batch results
 * are matched to requests by id, errors carry the service's innermost message, and tables keep the
 * exact cell encodings of the response (read from its text, which a pipeline policy keeps; the SDK's
 * own conversion loses datetime digits below the millisecond and drops batch ids).
 */
import { randomUUID } from 'node:crypto';
import { LogsQueryClient, type LogsQueryResult, type QueryTimeInterval } from '@azure/monitor-query-logs';
import type { AzureConnection } from './connection.js';
import { type ApiTable, apiTableFromSdk, parseJsonExact } from './query-result.js';

export type { QueryTimeInterval };

export interface LogsQueryOptions {
  includeRender?: boolean;
  includeStatistics?: boolean;
  /** The server timeout (`Prefer: wait=N`), seconds. */
  serverTimeoutInSeconds?: number;
  /** Other workspaces the query reads too (ids, names or resource ids). */
  additionalWorkspaces?: string[];
}

export interface LogsAnswer {
  /** `empty`: the service answered 204, the workspace holds no data; `partial`: some results are missing. */
  status: 'success' | 'partial' | 'empty';
  tables: ApiTable[];
  render?: Record<string, unknown>;
  statistics?: Record<string, unknown>;
  /** The partial failure (`PartialError` and its details). */
  partialError?: ServiceError;
}

interface ServiceError {
  code?: string;
  message?: string;
  innererror?: ServiceError;
  details?: ServiceError[];
}

/** A query the service refused, or a request that did not reach it. */
export class LogsQueryError extends Error {
  override name = 'LogsQueryError';
  constructor(
    message: string,
    /** HTTP status; undefined when no response came. */
    readonly status: number | undefined,
    /** The outer code and the inner ones, outermost first (`BadArgumentError`, `SemanticError`, …). */
    readonly codes: string[],
  ) {
    super(message);
  }

  get code(): string | undefined {
    return this.codes[0];
  }
}

export interface LogsBatchRequest extends LogsQueryOptions {
  id: string;
  workspaceId: string;
  query: string;
  timespan: QueryTimeInterval;
}

interface RawResponse {
  status: number;
  body: string | undefined;
}

const REQUEST_ID = 'x-ms-client-request-id';

export class LogsQuery {
  private readonly client: LogsQueryClient;
  /** Response texts by client request id, kept by the policy until the call reads them. */
  private readonly raw = new Map<string, RawResponse>();

  constructor(
    connection: AzureConnection,
    options: { retryOptions?: { maxRetries?: number; retryDelayInMs?: number } } = {},
  ) {
    this.client = new LogsQueryClient(connection.credential, {
      endpoint: connection.endpoints.query,
      credentials: { scopes: [connection.scopes.query] },
      ...connection.clientOptions,
      ...options,
    });
    this.client.pipeline.addPolicy({
      name: 'provlogKeepResponseText',
      sendRequest: async (request, next) => {
        const response = await next(request);
        const id = request.headers.get(REQUEST_ID);
        if (id && this.raw.has(id))
          this.raw.set(id, { status: response.status, body: response.bodyAsText ?? undefined });
        return response;
      },
    });
  }

  /** Runs a query on a workspace (its GUID) or, given an ARM resource id, resource-centric. */
  async query(
    workspace: string,
    query: string,
    timespan: QueryTimeInterval,
    options: LogsQueryOptions = {},
  ): Promise<LogsAnswer> {
    const id = randomUUID();
    this.raw.set(id, { status: 0, body: undefined });
    const sdkOptions = {
      ...sdkQueryOptions(options),
      requestOptions: { headers: { [REQUEST_ID]: id } },
    };
    try {
      const result = isResourceId(workspace)
        ? await this.client.queryResource(workspace, query, timespan, sdkOptions)
        : await this.client.queryWorkspace(workspace, query, timespan, sdkOptions);
      const raw = this.raw.get(id);
      return (raw?.body && answerFromText(raw.body)) || answerFromSdk(result);
    } catch (error) {
      // No data: the SDK fails to read the empty 204 (a TypeError), so the status comes from the response.
      if (this.raw.get(id)?.status === 204 || statusOf(error) === 204) return { status: 'empty', tables: [] };
      throw toQueryError(error, this.raw.get(id));
    } finally {
      this.raw.delete(id);
    }
  }

  /** Runs several queries in one request; each answer (or error) under its request's id. */
  async batch(requests: LogsBatchRequest[]): Promise<Map<string, LogsAnswer | LogsQueryError>> {
    const ids = new Set(requests.map((r) => r.id));
    if (ids.size !== requests.length) throw new Error('batch request ids must be unique');
    const id = randomUUID();
    this.raw.set(id, { status: 0, body: undefined });
    try {
      const results = await this.client.queryBatch(
        requests.map((r) => ({
          workspaceId: r.workspaceId,
          query: r.query,
          timespan: r.timespan,
          ...sdkQueryOptions(r),
        })),
        { requestOptions: { headers: { [REQUEST_ID]: id } } },
      );
      const raw = this.raw.get(id)?.body;
      const byId = new Map<string, LogsAnswer | LogsQueryError>();
      // The SDK names the requests query-<index>; the service answers in any order.
      const responses = raw
        ? (parseJsonExact(raw) as { responses?: BatchResponse[] } | undefined)?.responses
        : undefined;
      if (responses) {
        for (const response of responses) {
          const index = /^query-(\d+)$/.exec(response.id ?? '')?.[1];
          const request = index === undefined ? undefined : requests[Number(index)];
          if (request) byId.set(request.id, batchAnswer(response));
        }
      } else {
        // No response text: the SDK's results, which come in the order the service sent them.
        results.forEach((result, i) => {
          if (i >= requests.length) return;
          byId.set(
            requests[i].id,
            'tables' in result || 'partialTables' in result
              ? answerFromSdk(result)
              : new LogsQueryError(result.message, Number(result.code) || undefined, [result.code]),
          );
        });
      }
      for (const request of requests)
        if (!byId.has(request.id))
          byId.set(
            request.id,
            new LogsQueryError(`no response for batch request ${request.id}`, undefined, []),
          );
      return byId;
    } catch (error) {
      throw toQueryError(error, this.raw.get(id));
    } finally {
      this.raw.delete(id);
    }
  }
}

/** provlog's option names → the SDK's. */
function sdkQueryOptions(options: LogsQueryOptions) {
  return {
    ...(options.includeRender ? { includeVisualization: true } : {}),
    ...(options.includeStatistics ? { includeQueryStatistics: true } : {}),
    ...(options.serverTimeoutInSeconds ? { serverTimeoutInSeconds: options.serverTimeoutInSeconds } : {}),
    ...(options.additionalWorkspaces ? { additionalWorkspaces: options.additionalWorkspaces } : {}),
  };
}

interface BatchResponse {
  id?: string;
  status?: number;
  body?: {
    tables?: ApiTable[];
    render?: Record<string, unknown>;
    statistics?: Record<string, unknown>;
    error?: ServiceError;
  };
}

function batchAnswer(response: BatchResponse): LogsAnswer | LogsQueryError {
  const status = response.status ?? 0;
  if (status === 204) return { status: 'empty', tables: [] };
  const body = response.body;
  if (status >= 200 && status < 300 && body) return answerFromBody(body);
  return errorFromBody(status, body?.error, `batch request ${response.id}`);
}

export function isResourceId(workspace: string): boolean {
  return /^\/?subscriptions\//i.test(workspace);
}

function answerFromText(text: string): LogsAnswer | undefined {
  const body = parseJsonExact(text) as BatchResponse['body'] | undefined;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.tables)) return undefined;
  return answerFromBody(body);
}

function answerFromBody(body: NonNullable<BatchResponse['body']>): LogsAnswer {
  return {
    status: body.error ? 'partial' : 'success',
    tables: body.tables ?? [],
    ...(body.render ? { render: body.render } : {}),
    ...(body.statistics ? { statistics: body.statistics } : {}),
    ...(body.error ? { partialError: body.error } : {}),
  };
}

function answerFromSdk(result: LogsQueryResult): LogsAnswer {
  const partial = result.status === 'PartialFailure';
  const tables = 'tables' in result ? result.tables : result.partialTables;
  return {
    status: partial ? 'partial' : 'success',
    tables: tables.map(apiTableFromSdk),
    ...(result.visualization ? { render: result.visualization } : {}),
    ...(result.statistics ? { statistics: result.statistics } : {}),
    ...('partialError' in result ? { partialError: result.partialError as ServiceError } : {}),
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The SDK's RestError as a LogsQueryError with the service's codes and its most specific message. */
function toQueryError(error: unknown, raw: RawResponse | undefined): Error {
  const status = statusOf(error);
  if (status === undefined) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
      return new LogsQueryError(`cannot reach Log Analytics: ${(error as Error).message}`, undefined, [code]);
    return error as Error;
  }
  let serviceError: ServiceError | undefined;
  if (raw?.body) serviceError = (parseJsonExact(raw.body) as { error?: ServiceError } | undefined)?.error;
  serviceError ??= (error as { details?: { error?: ServiceError } }).details?.error;
  return errorFromBody(status, serviceError, undefined, (error as Error).message);
}

function errorFromBody(
  status: number,
  error: ServiceError | undefined,
  what: string | undefined,
  fallback = `HTTP ${status}`,
): LogsQueryError {
  const codes: string[] = [];
  let innermost: string | undefined;
  for (let e: ServiceError | undefined = error; e; e = e.innererror ?? e.details?.[0]) {
    if (e.code) codes.push(e.code);
    if (e.message) innermost = e.message;
  }
  const message = innermost ?? error?.message ?? fallback;
  return new LogsQueryError(what ? `${what}: ${message}` : message, status, codes);
}
