/**
 * Microsoft Graph's error body: `{"error":{"code","message","innerError":{"date","request-id",
 * "client-request-id"}}}`, with the request ids also as headers, as Graph sends them.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { EmulatorHttpError, type EmulatorReply, type EmulatorRequest, header } from '../http.js';

export function graphError(
  request: EmulatorRequest,
  context: EmulatorContext,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): EmulatorReply {
  const requestId = randomUUID();
  const clientRequestId =
    header(request, 'client-request-id') ?? header(request, 'x-ms-client-request-id') ?? requestId;
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': clientRequestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date(context.now()).toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': clientRequestId,
        },
      },
    },
  };
}

/** Throws a Graph 400 BadRequest (for use deep inside a handler). */
export function badRequest(request: EmulatorRequest, context: EmulatorContext, message: string): never {
  throw new EmulatorHttpError(graphError(request, context, 400, 'BadRequest', message));
}

export function notFound(request: EmulatorRequest, context: EmulatorContext, message: string): never {
  throw new EmulatorHttpError(graphError(request, context, 404, 'Request_ResourceNotFound', message));
}
