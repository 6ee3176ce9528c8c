/**
 * Raw ARM requests through the Azure SDK pipeline (auth, retry, client-request-id and user-agent come
 * from the SDK), for the resources no Node 20 SDK client handles: aadiam diagnostic settings, DCRs with
 * stream declarations, v2 alert rules, workbooks, query packs. Long-running operations are followed.
 */
import { type Client, getClient } from '@azure-rest/core-client';
import type { AzureConnection } from './connection.js';

export class AzureRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'AzureRequestError';
  }
}

export interface ArmResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface ArmRequestOptions {
  body?: unknown;
  /** Extra query parameters. */
  query?: Record<string, string>;
  /** Statuses that are not errors (default: any 2xx). */
  accept?: readonly number[];
  headers?: Record<string, string>;
}

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

/** Polling interval when the service sends no Retry-After (the SDK's own default is 2 s). */
const DEFAULT_POLL_MS = 2_000;

export class ArmClient {
  private readonly client: Client;

  constructor(connection: AzureConnection) {
    this.client = getClient(connection.endpoints.arm, connection.credential, {
      credentials: { scopes: [connection.scopes.arm] },
      ...connection.clientOptions,
    });
  }

  /** One request to `path` (an ARM resource path starting with `/`, or an absolute URL). */
  async request<T = unknown>(
    method: HttpMethod,
    path: string,
    apiVersion: string | undefined,
    options: ArmRequestOptions = {},
  ): Promise<ArmResponse<T>> {
    const resource = this.client.pathUnchecked(path);
    const parameters = {
      queryParameters: { ...(apiVersion ? { 'api-version': apiVersion } : {}), ...(options.query ?? {}) },
      ...(options.body !== undefined ? { body: options.body, contentType: 'application/json' } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    };
    const call =
      method === 'GET'
        ? resource.get(parameters)
        : method === 'PUT'
          ? resource.put(parameters)
          : method === 'PATCH'
            ? resource.patch(parameters)
            : method === 'DELETE'
              ? resource.delete(parameters)
              : resource.post(parameters);
    const response = await call;
    const status = Number(response.status);
    const headers = response.headers as Record<string, string>;
    const ok = options.accept ? options.accept.includes(status) : status >= 200 && status < 300;
    if (!ok) throw armError(method, path, status, response.body);
    return { status, headers, body: response.body as T };
  }

  get<T = unknown>(path: string, apiVersion: string, options?: ArmRequestOptions): Promise<ArmResponse<T>> {
    return this.request<T>('GET', path, apiVersion, options);
  }

  /** GET that answers undefined for 404. */
  async find<T = unknown>(path: string, apiVersion: string): Promise<T | undefined> {
    const response = await this.request<T>('GET', path, apiVersion, { accept: [200, 404] });
    return response.status === 404 ? undefined : response.body;
  }

  /**
   * PUT/PATCH/DELETE/POST that waits for a long-running operation (202/201 with Azure-AsyncOperation or
   * Location) and returns the final resource (a GET of `path`), or undefined after a DELETE.
   */
  async send<T = unknown>(
    method: Exclude<HttpMethod, 'GET'>,
    path: string,
    apiVersion: string,
    options: ArmRequestOptions & { pollIntervalMs?: number } = {},
  ): Promise<T | undefined> {
    const response = await this.request<T>(method, path, apiVersion, options);
    const asyncUrl = response.headers['azure-asyncoperation'];
    const location = response.headers.location;
    if ((response.status === 201 || response.status === 202) && (asyncUrl || location)) {
      await this.poll(
        asyncUrl ?? location!,
        apiVersion,
        Boolean(asyncUrl),
        response.headers,
        options.pollIntervalMs,
      );
      if (method === 'DELETE') return undefined;
      return (await this.get<T>(path, apiVersion)).body;
    }
    if (method === 'DELETE') return undefined;
    return response.body;
  }

  private async poll(
    url: string,
    apiVersion: string,
    asyncOperation: boolean,
    firstHeaders: Record<string, string>,
    intervalMs: number | undefined,
  ): Promise<void> {
    let headers = firstHeaders;
    for (;;) {
      await sleep(retryAfterMs(headers) ?? intervalMs ?? DEFAULT_POLL_MS);
      // The client drops queryParameters for absolute URLs, so the api-version goes into the URL itself.
      const pollUrl = new URL(url);
      if (!pollUrl.searchParams.has('api-version')) pollUrl.searchParams.set('api-version', apiVersion);
      const response = await this.request<{ status?: string; error?: { code?: string; message?: string } }>(
        'GET',
        pollUrl.toString(),
        undefined,
      );
      headers = response.headers;
      if (!asyncOperation) {
        if (response.status === 202) continue;
        return;
      }
      const status = response.body?.status ?? '';
      if (status === 'Succeeded') return;
      if (status === 'Failed' || status === 'Canceled') {
        throw new AzureRequestError(
          500,
          response.body?.error?.code ?? status,
          `long-running operation ${status.toLowerCase()}: ${response.body?.error?.message ?? url}`,
          response.body,
        );
      }
    }
  }
}

export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const ms = headers['retry-after-ms'] ?? headers['x-ms-retry-after-ms'];
  if (ms !== undefined && Number.isFinite(Number(ms))) return Number(ms);
  const after = headers['retry-after'];
  if (after === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(after.trim())) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function armError(method: string, path: string, status: number, body: unknown): AzureRequestError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const code = error?.code ?? `HTTP${status}`;
  const where = path.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
  return new AzureRequestError(
    status,
    code,
    `${method} ${where}: ${status} ${code}: ${error?.message ?? ''}`.trim(),
    body,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
