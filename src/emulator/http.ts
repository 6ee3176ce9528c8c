/**
 * Requests and replies as the emulator's handlers see them, and the error bodies of the Azure services
 * (`{"error":{"code","message",…}}`, with `x-ms-error-code` the way the data-plane services send it).
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface EmulatorRequest {
  method: string;
  url: URL;
  /** The path as sent (percent-encoded), without the query string; route parameters are decoded. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as received (still gzip-compressed when the client compressed it). */
  body: Buffer;
}

export interface EmulatorReply {
  status: number;
  headers?: Record<string, string>;
  /** A JSON value, or text/bytes sent as they are. */
  body?: unknown;
}

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
  innererror?: Record<string, unknown>;
  [extra: string]: unknown;
}

export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): EmulatorReply {
  return { status, body, headers };
}

export function errorReply(
  status: number,
  code: string,
  message: string,
  extra: Partial<ErrorDetail> = {},
  headers: Record<string, string> = {},
): EmulatorReply {
  return {
    status,
    headers: { 'x-ms-error-code': code, ...headers },
    body: { error: { code, message, ...extra } },
  };
}

/** The request body parsed as JSON; undefined when it is empty. Throws BadRequest on bad JSON. */
export function jsonBody<T = unknown>(request: EmulatorRequest, text?: string): T | undefined {
  const source = text ?? request.body.toString('utf8');
  if (source.trim() === '') return undefined;
  try {
    return JSON.parse(source) as T;
  } catch (error) {
    throw new EmulatorHttpError(
      errorReply(400, 'BadRequest', `The request body is not valid JSON: ${(error as Error).message}`),
    );
  }
}

/** Thrown by a handler to answer with a prepared error reply. */
export class EmulatorHttpError extends Error {
  constructor(readonly reply: EmulatorReply) {
    super(
      (reply.body as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${reply.status}`,
    );
  }
}

export function header(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}
