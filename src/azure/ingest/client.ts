/**
 * The Logs Ingestion client provlog uploads with, and what a failed upload means for the rows.
 *
 * The SDK's default retry policy also retries requests that got no answer (connection reset, timeout)
 * or a 5xx: for ingestion those may have been processed, and resending them blindly can duplicate
 * rows. So the client keeps only the throttling retry (429/503 with Retry-After, which the service
 * sends before taking any row), and provlog decides about the others itself (see pipeline.ts).
 */
import { throttlingRetryPolicy } from '@azure/core-rest-pipeline';
import { LogsIngestionClient } from '@azure/monitor-ingestion';
import type { AzureConnection } from '../connection.js';

const SDK_RETRY_POLICY = 'defaultRetryPolicy';

/** HTTP requests as sent (each retry counts), and the 429/503 answers among them. */
export interface RequestCounters {
  requests: number;
  throttled: number;
}

export function ingestionClient(
  connection: AzureConnection,
  endpoint: string,
  counters?: RequestCounters,
): LogsIngestionClient {
  const client = new LogsIngestionClient(endpoint, connection.credential, {
    audience: connection.endpoints.ingestionAudience,
    ...connection.clientOptions,
  });
  client.pipeline.removePolicy({ name: SDK_RETRY_POLICY });
  client.pipeline.addPolicy(throttlingRetryPolicy({ maxRetries: 3 }), { phase: 'Retry' });
  if (counters) {
    client.pipeline.addPolicy(
      {
        name: 'provlogRequestCounter',
        sendRequest: async (request, next) => {
          counters.requests++;
          const response = await next(request);
          if (response.status === 429 || response.status === 503) counters.throttled++;
          return response;
        },
      },
      { afterPhase: 'Retry' },
    );
  }
  return client;
}

export type UploadFailure =
  /** Refused before any row was taken: send again after the delay. */
  | { kind: 'throttled'; status: number; retryAfterMs?: number }
  /** The body is too large: send the rows in smaller requests. */
  | { kind: 'too-large' }
  /** No answer, or a 5xx that may come after the rows were taken: look them up before resending. */
  | { kind: 'unknown-outcome'; reason: string }
  /** A problem no retry fixes (bad stream, no access, unknown rule, rejected data). */
  | { kind: 'fatal'; status?: number; code?: string; message: string };

interface RestLikeError extends Error {
  statusCode?: number;
  code?: string;
  response?: { headers: { get(name: string): string | undefined } };
}

export function classifyFailure(cause: Error): UploadFailure {
  const error = cause as RestLikeError;
  const status = error.statusCode;
  if (status === 413) return { kind: 'too-large' };
  if (status === 429 || status === 503) {
    const retryAfterMs = retryAfter(error);
    return { kind: 'throttled', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status === undefined || status === 408 || status === 500 || status === 502 || status === 504) {
    const reason = status === undefined ? (error.code ?? error.name ?? 'no response') : `HTTP ${status}`;
    return { kind: 'unknown-outcome', reason: `${reason}: ${firstLine(error.message)}` };
  }
  return {
    kind: 'fatal',
    status,
    ...(error.code ? { code: error.code } : {}),
    message: firstLine(error.message),
  };
}

function retryAfter(error: RestLikeError): number | undefined {
  const headers = error.response?.headers;
  if (!headers) return undefined;
  for (const [name, factor] of [
    ['retry-after-ms', 1],
    ['x-ms-retry-after-ms', 1],
    ['retry-after', 1000],
  ] as const) {
    const value = headers.get(name);
    if (value === undefined) continue;
    if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * factor;
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

function firstLine(text: string): string {
  return (text ?? '').split('\n')[0].slice(0, 500);
}

/** A one-line explanation for a fatal failure, with what to check. */
export function fatalMessage(
  failure: Extract<UploadFailure, { kind: 'fatal' }>,
  ruleId: string,
  stream: string,
): string {
  const what = `${failure.status ?? ''} ${failure.code ?? ''}`.trim();
  const hint =
    failure.status === 401 || failure.status === 403
      ? ` (the signed-in identity needs the Monitoring Metrics Publisher role on the rule; a new assignment can take 30 minutes)`
      : failure.status === 404
        ? ` (check --dcr-immutable-id ${ruleId} and --endpoint)`
        : failure.code === 'InvalidStream'
          ? ` (is ${stream} declared in the rule?)`
          : '';
  return `the Logs Ingestion API refused the rows: ${what}: ${failure.message}${hint}`;
}
