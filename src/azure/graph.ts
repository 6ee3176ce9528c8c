/**
 * Microsoft Graph through the Azure SDK pipeline (auth, retries, client-request-id, user-agent): the
 * provisioning logs, service principals and synchronization jobs provlog reads. The reports endpoints
 * (`/auditLogs/…`) go through a RequestPacer placed after the SDK's retry policy, so every attempt —
 * retries included — is paced and every 429 slows the pacer down. The SDK itself waits out
 * Retry-After (up to 3 times); after that this client waits and tries again a few more times.
 */

import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';
import { type Client, getClient } from '@azure-rest/core-client';
import { UserError } from '../errors.js';
import { retryAfterMs } from './arm.js';
import type { AzureConnection } from './connection.js';
import { RequestPacer, sleep } from './graph-pacer.js';
import type { GraphPage, ServicePrincipal, SynchronizationJob } from './graph-types.js';

export type GraphVersion = 'v1.0' | 'beta';

export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'GraphRequestError';
  }
}

export interface GraphClientOptions {
  /** Paces the reports endpoints; default: Graph's 5 requests per 10 s. */
  pacer?: RequestPacer;
  /** Rounds of waiting out a 429 after the SDK's own retries gave up (default 5). */
  throttleRounds?: number;
  signal?: AbortSignal;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph's published limit for the identity and access reports. */
export const REPORTS_LIMIT = { limit: 5, windowMs: 10_000 };

function isReports(url: string): boolean {
  return /\/auditLogs\//i.test(new URL(url).pathname);
}

function pacingPolicy(pacer: RequestPacer): PipelinePolicy {
  return {
    name: 'provlogGraphPacing',
    async sendRequest(request, next) {
      const paced = isReports(request.url);
      const done = paced ? await pacer.acquire(request.abortSignal) : undefined;
      let response: PipelineResponse;
      try {
        response = await next(request);
      } finally {
        done?.();
      }
      if (paced) {
        if (response.status === 429) pacer.throttled(retryAfterMs(response.headers.toJSON()) ?? 1_000);
        else pacer.succeeded();
      }
      return response;
    },
  };
}

/** `'` doubled, as OData string literals need. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export class GraphClient {
  readonly pacer: RequestPacer;
  private readonly client: Client;
  private readonly origin: string;
  /** Requests answered (all endpoints), and 429s that reached this client. */
  readonly counters = { requests: 0, throttled: 0 };

  constructor(
    connection: AzureConnection,
    private readonly options: GraphClientOptions = {},
  ) {
    this.pacer = options.pacer ?? new RequestPacer(REPORTS_LIMIT);
    this.origin = new URL(connection.endpoints.graph).origin;
    this.client = getClient(connection.endpoints.graph, connection.credential, {
      credentials: { scopes: [connection.scopes.graph] },
      ...connection.clientOptions,
    });
    this.client.pipeline.addPolicy(pacingPolicy(this.pacer), { afterPhase: 'Retry' });
  }

  /**
   * GET a path (`/v1.0/…`) with query options, or an absolute `@odata.nextLink` (which must point at
   * the Graph endpoint: the bearer token is never sent elsewhere).
   */
  async get<T>(pathOrUrl: string, query: Record<string, string> = {}): Promise<T> {
    const absolute = /^https?:\/\//i.test(pathOrUrl);
    if (absolute && new URL(pathOrUrl).origin !== this.origin)
      throw new GraphRequestError(
        0,
        'UnexpectedNextLink',
        `refusing a link to another host: ${new URL(pathOrUrl).origin}`,
      );
    const rounds = this.options.throttleRounds ?? 5;
    for (let round = 0; ; round++) {
      const response = await this.client.pathUnchecked(pathOrUrl).get({
        queryParameters: query,
        abortSignal: this.options.signal,
      });
      this.counters.requests++;
      const status = Number(response.status);
      if (status >= 200 && status < 300) return response.body as T;
      const headers = response.headers as Record<string, string>;
      if (status === 429 && round < rounds) {
        this.counters.throttled++;
        await sleep(retryAfterMs(headers) ?? 1_000, this.options.signal);
        continue;
      }
      throw graphError(pathOrUrl, status, response.body, headers);
    }
  }

  /** Every page of a collection, following `@odata.nextLink`. */
  async *pages<T>(pathOrUrl: string, query: Record<string, string> = {}): AsyncGenerator<GraphPage<T>> {
    let page = await this.get<GraphPage<T>>(pathOrUrl, query);
    for (;;) {
      yield page;
      const next = page['@odata.nextLink'];
      if (!next) return;
      page = await this.get<GraphPage<T>>(next);
    }
  }

  async all<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(path, query)) items.push(...page.value);
    return items;
  }

  /** A service principal by object id; undefined when it does not exist. */
  async servicePrincipal(id: string): Promise<ServicePrincipal | undefined> {
    try {
      return await this.get<ServicePrincipal>(`/v1.0/servicePrincipals/${encodeURIComponent(id)}`, {
        $select: 'id,appId,displayName,servicePrincipalType,tags',
      });
    } catch (error) {
      if (error instanceof GraphRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Service principals with this display name (exact). */
  servicePrincipalsNamed(name: string): Promise<ServicePrincipal[]> {
    return this.all<ServicePrincipal>('/v1.0/servicePrincipals', {
      $filter: `displayName eq ${odataString(name)}`,
      $select: 'id,appId,displayName,servicePrincipalType,tags',
    });
  }

  /** Service principals for `--app`: an object id, or an exact display name (several apps may share it). */
  async findApps(spec: string): Promise<ServicePrincipal[]> {
    if (GUID.test(spec.trim())) {
      const sp = await this.servicePrincipal(spec.trim());
      return sp ? [sp] : [];
    }
    return this.servicePrincipalsNamed(spec);
  }

  /** The tenant's enterprise applications (service principals tagged as integrated apps). */
  enterpriseApplications(): Promise<ServicePrincipal[]> {
    return this.all<ServicePrincipal>('/v1.0/servicePrincipals', {
      $filter: "tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')",
      $select: 'id,appId,displayName,servicePrincipalType,tags',
      $top: '999',
    });
  }

  /** The synchronization (provisioning) jobs of a service principal; [] when it has none. */
  async synchronizationJobs(servicePrincipalId: string): Promise<SynchronizationJob[]> {
    try {
      return await this.all<SynchronizationJob>(
        `/v1.0/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/synchronization/jobs`,
      );
    } catch (error) {
      if (error instanceof GraphRequestError && error.status === 404) return [];
      throw error;
    }
  }
}

function graphError(
  pathOrUrl: string,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): GraphRequestError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const code = error?.code ?? `HTTP${status}`;
  const where = pathOrUrl.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
  const requestId = headers['request-id'];
  return new GraphRequestError(
    status,
    code,
    `GET ${where}: ${status} ${code}${error?.message ? `: ${error.message}` : ''}${requestId ? ` (request-id ${requestId})` : ''}`,
    requestId,
  );
}

/**
 * A failed Graph call (or no answer at all) as a one-line error for the command line, with the
 * permission a 401/403 usually means; other errors unchanged.
 */
export function graphFailure(error: unknown, command: 'pull' | 'status'): unknown {
  if (error instanceof GraphRequestError) {
    const needs =
      command === 'pull'
        ? 'AuditLog.Read.All and Directory.Read.All, and an Entra ID P1/P2 tenant'
        : 'Synchronization.Read.All and Application.Read.All (or Directory.Read.All)';
    const hint =
      error.status === 401 || error.status === 403 ? ` (the signed-in identity needs ${needs})` : '';
    return new UserError(`Microsoft Graph: ${error.message}${hint}`);
  }
  if (error instanceof Error && error.name === 'RestError')
    return new UserError(`Microsoft Graph: no answer: ${error.message}`);
  return error;
}
